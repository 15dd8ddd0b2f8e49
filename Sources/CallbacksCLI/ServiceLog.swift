import Foundation
import Logging
import Runtime
import Synchronization

/// `serve`'s log on standard error, one line per entry, stamped by the service's own clock
/// (`CALLBACKS_NOW` and onwards when set), in the business's time zone: the times in the
/// log agree with the times in the queue. Otherwise as swift-log's `StreamLogHandler`:
/// `TIME LEVEL LABEL : key=value [source] message`.
struct ServiceLogHandler: LogHandler {
    let label: String
    let now: @Sendable () -> Date
    let timeZone: TimeZone
    let write: @Sendable (String) -> Void
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, now: @escaping @Sendable () -> Date, timeZone: TimeZone, write: @escaping @Sendable (String) -> Void = Self.standardError) {
        self.label = label
        self.now = now
        self.timeZone = timeZone
        self.write = write
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let pairs = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = ISO8601.format(now(), in: timeZone)
        write("\(time) \(event.level) \(label) :\(pairs.isEmpty ? "" : " " + pairs) [\(event.source)] \(event.message)\n")
    }

    /// Unbuffered, one write per line, as `StreamLogHandler.standardError` does.
    static let standardError: @Sendable (String) -> Void = { line in
        ServiceLogHandler.lock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    private static let lock = Mutex(0)
}
