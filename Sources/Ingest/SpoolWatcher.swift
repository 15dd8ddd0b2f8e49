#if os(Linux)
import Glibc
#else
#error("Afterhours runs on Linux: it watches the spool with inotify and prefetches with posix_fadvise.")
#endif
@preconcurrency import Dispatch
import Foundation
import Spool

/// Tells when anything in the spool may have changed, through inotify. Every real
/// folder under the root is watched (symlinked ones never); folders that appear are
/// picked up by `watchFolders()`, which the service calls after every pass.
///
/// Events are not interpreted: any of them means "scan again", so a lost or coalesced
/// event, or the kernel's queue overflowing, costs nothing but a scan.
public final class SpoolWatcher: @unchecked Sendable {
    public let root: URL
    private let descriptor: Int32
    private let source: DispatchSourceRead
    private let lock = NSLock()
    private var watched: Set<String> = []

    /// Closing, writing and moving files in; folders appearing or going.
    private static let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM)

    /// Starts watching `root`, calling `changed` (on a private queue) whenever it changes.
    public init(root: URL, changed: @escaping @Sendable () -> Void) throws(WatcherError) {
        self.root = root
        descriptor = inotify_init1(Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC))
        guard descriptor >= 0 else {
            throw WatcherError(message: "cannot watch \(root.path): inotify_init1 failed (\(String(cString: strerror(errno))))")
        }
        let fd = descriptor
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: DispatchQueue(label: "afterhours.spool-watcher"))
        source.setEventHandler {
            // Drain what is there; the contents do not matter.
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
            changed()
        }
        source.setCancelHandler { close(fd) }
        source.resume()
        watchFolders()
    }

    deinit { source.cancel() }

    /// Adds a watch on every real folder under the root not yet watched.
    public func watchFolders() {
        var pending = [root]
        while let folder = pending.popLast() {
            let added = lock.withLock { watched.insert(folder.path).inserted }
            if added {
                _ = inotify_add_watch(descriptor, folder.path, Self.mask | UInt32(IN_ONLYDIR) | UInt32(IN_DONT_FOLLOW))
            }
            pending += AsteriskSpool.directories(in: folder)
        }
    }

    /// Stops watching.
    public func stop() { source.cancel() }
}

public struct WatcherError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
