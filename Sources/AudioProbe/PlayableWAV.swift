import CSndFile
import Foundation

/// Any audio libsndfile reads (GSM, WAV49, µ-law, A-law, PCM, FLAC…) as what every browser
/// plays: a 16-bit PCM WAV. Its length is known before a byte is decoded (44 + frames ×
/// channels × 2), so a server can answer `Range` requests and send `Content-Length`; the
/// bytes are produced a chunk at a time, never the whole file in memory.
/// Not thread-safe: one reader decodes it at a time (a response body, a player), which is
/// why it may move between the threads that reader runs on.
public final class PlayableWAV: @unchecked Sendable {
    public let path: String
    public let channels: Int
    public let sampleRate: Int
    public let frames: Int64
    private let file: OpaquePointer
    /// Frames decoded so far (the read position).
    private var position: Int64 = 0

    public static let headerSize: Int64 = 44

    public init(_ url: URL) throws(AudioProbeError) {
        path = url.path
        var info = SF_INFO()
        if let raw = AudioProbe.rawFormat(forExtension: url.pathExtension) {
            info.format = raw.format
            info.samplerate = raw.rate
            info.channels = 1
        }
        guard let opened = sf_open(path, Int32(SFM_READ), &info) else {
            throw AudioProbeError(path: path, message: "cannot be read as audio (libsndfile: \(String(cString: sf_strerror(nil))))")
        }
        guard info.channels > 0, info.channels <= 8, info.samplerate > 0 else {
            sf_close(opened)
            throw AudioProbeError(path: path, message: "has an impossible header (\(info.channels) channels at \(info.samplerate) Hz)")
        }
        file = opened
        channels = Int(info.channels)
        sampleRate = Int(info.samplerate)
        frames = info.frames
    }

    deinit { sf_close(file) }

    var bytesPerFrame: Int64 { Int64(channels) * 2 }

    /// The whole WAV's size in bytes.
    public var byteCount: Int64 { Self.headerSize + frames * bytesPerFrame }

    /// The canonical 44-byte header.
    public var header: Data {
        var data = Data()
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        let dataSize = UInt32(clamping: frames * bytesPerFrame)
        data.append(contentsOf: Array("RIFF".utf8))
        append(UInt32(clamping: Int64(dataSize) + 36))
        data.append(contentsOf: Array("WAVEfmt ".utf8))
        append(UInt32(16))
        append(UInt16(1))
        append(UInt16(channels))
        append(UInt32(sampleRate))
        append(UInt32(sampleRate * channels * 2))
        append(UInt16(channels * 2))
        append(UInt16(16))
        data.append(contentsOf: Array("data".utf8))
        append(dataSize)
        return data
    }

    /// The bytes `range` of the WAV (offsets into `byteCount`), in chunks of about
    /// `chunkBytes`, handed to `emit` one after another. Decoding restarts from the top
    /// for a range that begins before the read position (libsndfile's GSM seek is not
    /// reliable), and skips forward by decoding otherwise.
    public func read(_ range: Range<Int64>, chunkBytes: Int = 64 * 1024, emit: (Data) throws -> Void) throws {
        var offset = range.lowerBound
        if offset < Self.headerSize {
            let header = header
            let end = min(range.upperBound, Self.headerSize)
            try emit(header.subdata(in: Int(offset)..<Int(end)))
            offset = end
        }
        guard offset < range.upperBound else { return }
        let firstFrame = (offset - Self.headerSize) / bytesPerFrame
        if firstFrame < position {
            sf_seek(file, 0, SEEK_SET)
            position = 0
        }
        let framesPerChunk = max(1, Int64(chunkBytes) / bytesPerFrame)
        var buffer = [Int16](repeating: 0, count: Int(framesPerChunk) * channels)
        // Skip to the first frame wanted.
        while position < firstFrame {
            let wanted = min(framesPerChunk, firstFrame - position)
            let read = buffer.withUnsafeMutableBufferPointer { sf_readf_short(file, $0.baseAddress, wanted) }
            guard read > 0 else { break }
            position += read
        }
        while offset < range.upperBound {
            let read = buffer.withUnsafeMutableBufferPointer { sf_readf_short(file, $0.baseAddress, framesPerChunk) }
            guard read > 0 else {
                // Shorter than its header said: silence fills the promised length.
                let count = Int(min(Int64(chunkBytes), range.upperBound - offset))
                try emit(Data(count: count))
                offset += Int64(count)
                continue
            }
            let chunkStart = Self.headerSize + position * bytesPerFrame
            position += read
            let chunk = buffer.withUnsafeBytes { Data($0.prefix(Int(read * bytesPerFrame))) }
            let from = Int(offset - chunkStart)
            let to = Int(min(range.upperBound - chunkStart, Int64(chunk.count)))
            if from < to { try emit(chunk.subdata(in: from..<to)) }
            offset = chunkStart + Int64(to)
        }
    }
}
