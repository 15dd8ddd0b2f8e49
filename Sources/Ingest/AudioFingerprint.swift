import CXXHash
import Foundation

/// A content hash of an audio file, part of a message's identity so a renumbered slot or
/// a rewritten `.txt` is still recognised. XXH3-128 (libxxhash), written with its scheme
/// (`xxh3-128:` and the canonical 32 hex digits, as `xxhsum -H2` prints them), so a
/// message's identity never changes meaning.
///
/// Identities written before had a bare 16-digit `legacy` hash; those messages are still
/// recognised: ingest computes the old hash only when a stored message with the same
/// place and time carries one.
enum AudioFingerprint {
    static let scheme = "xxh3-128:"
    /// Read in large slices: the hash runs at memory speed, the reads are what cost.
    static let sliceBytes = 1 << 18

    static func of(_ url: URL) throws(FingerprintError) -> String {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FingerprintError(path: url.path, code: errno) }
        defer { close(descriptor) }
        guard let state = XXH3_createState() else { throw FingerprintError(path: url.path, code: ENOMEM) }
        defer { XXH3_freeState(state) }
        XXH3_128bits_reset(state)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: sliceBytes, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer, sliceBytes)
            if count < 0 {
                if errno == EINTR { continue }
                throw FingerprintError(path: url.path, code: errno)
            }
            if count == 0 { break }
            XXH3_128bits_update(state, buffer, count)
        }
        let hash = XXH3_128bits_digest(state)
        return scheme + hex(hash.high64) + hex(hash.low64)
    }

    /// The hash identities were written with before XXH3: FNV-1a's mixing on 8-byte
    /// words, then the tail bytes. Kept only to recognise those messages.
    static func legacy(_ url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let prime: UInt64 = 0x0000_0100_0000_01b3
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            chunk.withUnsafeBytes { bytes in
                let words = bytes.count / 8
                for index in 0..<words {
                    let word = bytes.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)
                    hash = (hash ^ word) &* prime
                    hash ^= hash >> 29
                }
                for index in (words * 8)..<bytes.count {
                    hash = (hash ^ UInt64(bytes[index])) &* prime
                }
            }
        }
        return String(hash, radix: 16)
    }

    /// Whether an identity's hash was written before schemes were recorded.
    static func isLegacy(_ identity: String, prefix: String) -> Bool {
        identity.hasPrefix(prefix) && !identity.dropFirst(prefix.count).hasPrefix(scheme)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// An audio file that could not be read to the end for its hash.
struct FingerprintError: Error, CustomStringConvertible {
    let path: String
    let code: Int32
    var description: String { "\((path as NSString).lastPathComponent): \(String(cString: strerror(code)))" }
}
