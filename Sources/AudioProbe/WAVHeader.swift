import Foundation

/// The chunks of a RIFF/WAVE header that say how the audio is laid out, read from the
/// file's first 4 KiB (fmt and fact are ~60 bytes, perhaps a LIST: a data chunk that
/// starts later is not found, and callers then treat the file as they would any other).
public struct WAVHeader: Sendable, Equatable {
    /// The header's bytes up to the start of the audio.
    public let bytes: [UInt8]
    /// `WAVE_FORMAT_*` of the fmt chunk (1 PCM, 6 A-law, 7 µ-law, 0x31 GSM 6.10).
    public let formatTag: Int64
    public let byteRate: Int64
    public let blockAlign: Int64
    /// The fmt chunk's extension: samples per block (GSM 6.10: 320), when it has one.
    public let samplesPerBlock: Int64?
    /// Where the data chunk's size field is, and where its audio starts.
    public let dataSizeOffset: Int
    public let dataStart: Int
    /// The audio's length in bytes as the header states it.
    public let dataSize: Int64

    public init?(path: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: 4096) else { return nil }
        self.init(bytes: [UInt8](data))
    }

    init?(bytes: [UInt8]) {
        /// A little-endian number of `count` bytes at `offset`.
        func number(_ offset: Int, _ count: Int = 4) -> Int64? {
            guard offset >= 0, offset + count <= bytes.count else { return nil }
            return (0..<count).reduce(Int64(0)) { $0 | Int64(bytes[offset + $1]) << (8 * $1) }
        }
        func tag(_ offset: Int) -> String { String(decoding: bytes[offset..<min(offset + 4, bytes.count)], as: UTF8.self) }
        guard bytes.count >= 12, tag(0) == "RIFF", tag(8) == "WAVE" else { return nil }
        var offset = 12
        var format: (tag: Int64, byteRate: Int64, blockAlign: Int64, samplesPerBlock: Int64?)?
        while offset + 8 <= bytes.count, let size = number(offset + 4) {
            let body = offset + 8
            switch tag(offset) {
            case "fmt ":
                guard let formatTag = number(body, 2), let byteRate = number(body + 8), let blockAlign = number(body + 12, 2)
                else { return nil }
                format = (formatTag, byteRate, blockAlign, size >= 20 ? number(body + 18, 2) : nil)
            case "data":
                guard let format else { return nil }
                self.bytes = Array(bytes[0..<body])
                (formatTag, byteRate, blockAlign, samplesPerBlock) = format
                dataSizeOffset = offset + 4
                dataStart = body
                dataSize = size
                return
            default:
                break
            }
            offset = body + Int(size) + Int(size & 1)
        }
        return nil
    }

    /// Seconds the header promises and seconds a file of `fileSize` bytes holds, when the
    /// file is shorter than its header says by at least a block; else nil.
    public func cutShort(fileSize: Int64) -> (promised: Double, holds: Double)? {
        let available = fileSize - Int64(dataStart)
        guard byteRate > 0, dataSize > 0, available + max(1, blockAlign) < dataSize else { return nil }
        return (Double(dataSize) / Double(byteRate), Double(max(0, available)) / Double(byteRate))
    }
}
