import Foundation

/// A content hash of an audio file (64-bit FNV-1a over its bytes), part of a message's
/// identity so a renumbered slot or a rewritten `.txt` is still recognised.
enum AudioFingerprint {
    static func of(_ url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            for byte in chunk {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
        }
        return String(hash, radix: 16)
    }
}
