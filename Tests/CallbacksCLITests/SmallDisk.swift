import Foundation
import Testing

/// A real, small filesystem for fault tests: a tmpfs of a few hundred kilobytes mounted
/// on a folder of a test installation, so a full disk is a full disk and not a mock.
/// Needs root (`mount`); the tests that use it are skipped elsewhere, saying so.
final class SmallDisk: @unchecked Sendable {
    let folder: URL
    private var mounted = false

    /// Whether this process may mount a tmpfs.
    static var canMount: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/mount") }

    static let skipReason: Comment = "fault tests mount a small tmpfs and need root (run as root, as CI does)"

    struct Failed: Error, CustomStringConvertible { let description: String }

    /// Mounts a tmpfs of `size` (`256k`, `2m`) on `folder`, creating it; `readOnly` mounts it read-only.
    init(at folder: URL, size: String, readOnly: Bool = false) throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Self.mount(["-t", "tmpfs", "-o", "size=\(size),mode=0700\(readOnly ? ",ro" : "")", "tmpfs", folder.path])
        mounted = true
    }

    deinit { unmount() }

    /// Gives the filesystem a new size (or makes it writable again).
    func remount(size: String, readOnly: Bool = false) throws {
        try Self.mount(["-o", "remount,size=\(size),\(readOnly ? "ro" : "rw")", folder.path])
    }

    func unmount() {
        guard mounted else { return }
        mounted = false
        _ = try? Self.run("/usr/bin/umount", ["-l", folder.path])
    }

    /// Fills what space is left with `filler`, until the disk says it is full, then frees
    /// `leaving` bytes of it again (room for SQLite to open, not to write much).
    @discardableResult
    func fill(name: String = "filler", leaving: Int = 0) -> Int {
        let path = folder.appendingPathComponent(name).path
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        let block = [UInt8](repeating: 0x5A, count: 4096)
        var written = 0
        while true {
            let count = block.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            written += count
        }
        // The last partial block too.
        let one = [UInt8](repeating: 0x5A, count: 1)
        while one.withUnsafeBytes({ write(descriptor, $0.baseAddress, 1) }) == 1 { written += 1 }
        if leaving > 0 { _ = ftruncate(descriptor, off_t(max(0, written - leaving))) }
        return written
    }

    func removeFiller(name: String = "filler") throws {
        try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
    }

    private static func mount(_ arguments: [String]) throws {
        let (status, errors) = try run("/usr/bin/mount", arguments)
        guard status == 0 else { throw Failed(description: "mount \(arguments.joined(separator: " ")): \(errors)") }
    }

    private static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, text)
    }
}
