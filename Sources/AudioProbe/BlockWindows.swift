import CSndFile
import Foundation

/// A systematic sample of a block-coded file (GSM 6.10, raw or in WAV), shown to
/// libsndfile as one short file of the same format: the header (its sizes patched to
/// match), then `window` whole codec blocks out of every `stride`, back to back.
///
/// libsndfile cannot seek in GSM 6.10 (1.2.0 computes the byte offset from samples per
/// block rather than bytes per block), but every GSM block starts at a fixed byte offset,
/// so the windows are cut on block boundaries here and decoded as one stream through
/// libsndfile's virtual I/O. The decoder's state runs on across each seam, a few
/// milliseconds of transient in a 32 ms analysis frame. Reads go straight to the file with
/// `pread` in libsndfile's own chunk sizes: memory does not grow with the message.
final class BlockWindows {
    /// How a format lays out its blocks.
    struct Layout: Equatable {
        /// Bytes before block 0, as the file has them (sizes not yet patched).
        var header: [UInt8]
        /// Offset of the RIFF size and the data chunk's size in `header` (WAV only).
        var riffSizeOffset: Int?
        var dataSizeOffset: Int?
        var blockBytes: Int64
        var framesPerBlock: Int64
        /// Whole blocks the file holds.
        var blocks: Int64
    }

    private let descriptor: Int32
    /// What libsndfile reads first; block 0 follows it in the file too.
    private let header: [UInt8]
    private let windowBytes: Int64
    private let strideBytes: Int64
    /// Length of the file libsndfile sees.
    let length: Int64
    /// Blocks in the sample.
    let sampledBlocks: Int64
    private var position: Int64 = 0

    /// Opens `path` for sampling with `layout`, taking `windowBlocks` of every `strideBlocks`.
    init?(path: String, layout: Layout, windowBlocks: Int64, strideBlocks: Int64) {
        guard windowBlocks > 0, strideBlocks >= windowBlocks, layout.blocks > 0 else { return nil }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        let fullWindows = layout.blocks / strideBlocks
        let rest = layout.blocks - fullWindows * strideBlocks
        sampledBlocks = fullWindows * windowBlocks + min(rest, windowBlocks)
        let sampledBytes = sampledBlocks * layout.blockBytes
        var header = layout.header
        if let offset = layout.riffSizeOffset {
            Self.patch(&header, at: offset, UInt32(clamping: Int64(header.count) - 8 + sampledBytes))
        }
        if let offset = layout.dataSizeOffset {
            Self.patch(&header, at: offset, UInt32(clamping: sampledBytes))
        }
        self.header = header
        windowBytes = windowBlocks * layout.blockBytes
        strideBytes = strideBlocks * layout.blockBytes
        length = Int64(header.count) + sampledBytes
    }

    deinit { close(descriptor) }

    private static func patch(_ bytes: inout [UInt8], at offset: Int, _ value: UInt32) {
        guard offset >= 0, offset + 4 <= bytes.count else { return }
        withUnsafeBytes(of: value.littleEndian) { for (index, byte) in $0.enumerated() { bytes[offset + index] = byte } }
    }

    /// Opens the sample with libsndfile; `info` says the format for headerless files.
    /// The returned handle reads through this object, which must outlive it.
    func openSample(_ info: inout SF_INFO) -> OpaquePointer? {
        var io = SF_VIRTUAL_IO(
            get_filelen: { user in BlockWindows.from(user)?.length ?? -1 },
            seek: { offset, whence, user in BlockWindows.from(user)?.seek(offset, whence) ?? -1 },
            read: { buffer, count, user in BlockWindows.from(user)?.read(buffer, count) ?? 0 },
            write: { _, _, _ in 0 },
            tell: { user in BlockWindows.from(user)?.position ?? -1 })
        return sf_open_virtual(&io, Int32(SFM_READ), &info, Unmanaged.passUnretained(self).toOpaque())
    }

    /// The object behind libsndfile's `user_data`, the pointer `openSample` gave it.
    private static func from(_ user: UnsafeMutableRawPointer?) -> BlockWindows? {
        user.map { Unmanaged<BlockWindows>.fromOpaque($0).takeUnretainedValue() }
    }

    private func seek(_ offset: sf_count_t, _ whence: Int32) -> sf_count_t {
        let base: Int64
        switch whence {
        case SEEK_CUR: base = position
        case SEEK_END: base = length
        default: base = 0
        }
        position = min(max(base + offset, 0), length)
        return position
    }

    private func read(_ buffer: UnsafeMutableRawPointer?, _ count: sf_count_t) -> sf_count_t {
        guard let buffer else { return 0 }
        var done: Int64 = 0
        while done < count, position < length {
            let wanted = count - done
            if position < Int64(header.count) {
                let n = min(wanted, Int64(header.count) - position)
                header.withUnsafeBytes { bytes in
                    guard let base = bytes.baseAddress else { return }
                    (buffer + Int(done)).copyMemory(from: base + Int(position), byteCount: Int(n))
                }
                done += n
                position += n
                continue
            }
            let offset = position - Int64(header.count)
            let window = offset / windowBytes
            let within = offset % windowBytes
            let n = min(wanted, windowBytes - within, length - position)
            let got = pread(descriptor, buffer + Int(done), Int(n), off_t(Int64(header.count) + window * strideBytes + within))
            if got <= 0 { break }
            done += Int64(got)
            position += Int64(got)
        }
        return done
    }
}

extension BlockWindows.Layout {
    /// Raw GSM 6.10 (`.gsm`): 33-byte frames of 160 samples from the first byte.
    static func rawGSM(fileSize: Int64) -> Self {
        Self(header: [], blockBytes: 33, framesPerBlock: 160, blocks: fileSize / 33)
    }

    /// GSM 6.10 in WAV (WAV49, Asterisk's `.WAV`): a RIFF header, then 65-byte blocks of
    /// 320 samples in the data chunk. Nil when the file is not laid out that way or its
    /// data chunk runs past the end of the file (truncated: decode what is there in full).
    static func wav49(path: String, fileSize: Int64) -> Self? {
        guard let header = WAVHeader(path: path), header.formatTag == 0x31,  // WAVE_FORMAT_GSM610
            header.blockAlign == 65, header.samplesPerBlock == 320,
            header.dataSize > 0, header.dataSize <= fileSize - Int64(header.dataStart)
        else { return nil }
        return Self(
            header: header.bytes, riffSizeOffset: 4, dataSizeOffset: header.dataSizeOffset,
            blockBytes: 65, framesPerBlock: 320, blocks: header.dataSize / 65)
    }
}
