import FileErrors
import Foundation
import Logging
import Metrics
import Runtime
import ServiceLifecycle

/// `callbacks serve`'s ingest: a pass at start, then one whenever the spool changes
/// (debounced), when files left waiting should have settled, and every
/// `spool.rescan` seconds as a safety net. A pass in flight always finishes: shutdown
/// waits for it.
public struct IngestService: Service {
    let ingester: Ingester
    let now: @Sendable () -> Date
    let logger: Logger
    let health: ServiceHealth
    let work = BlockingQueue(label: "afterhours.ingest")

    public init(ingester: Ingester, now: @escaping @Sendable () -> Date, logger: Logger, health: ServiceHealth = ServiceHealth()) {
        self.ingester = ingester
        self.now = now
        self.logger = logger
        self.health = health
    }

    enum Trigger: Sendable { case changed, rescan, retry }

    /// Seconds between passes while a fault holds messages back.
    static let faultRetry = 5

    public func run() async throws {
        let spool = URL(fileURLWithPath: ingester.configuration.spool.path)
        try FileError.createFolder(spool.path, for: "spool.path")
        let (triggers, continuation) = AsyncStream<Trigger>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let watcher = try SpoolWatcher(root: spool) { continuation.yield(.changed) }
        defer { watcher.stop() }
        let rescan = max(ingester.configuration.spool.rescan, 1)
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(rescan))
                continuation.yield(.rescan)
            }
        }
        defer { ticker.cancel() }
        logger.info("watching the spool", metadata: ["spool.path": "\(spool.path)", "spool.rescan": "\(rescan)s"])

        var retry: Task<Void, Never>?
        continuation.yield(.rescan)
        for await trigger in triggers.cancelOnGracefulShutdown() {
            // This pass supersedes a retry still waiting: one is scheduled again below if
            // needed. (Resetting only on `.retry` lost the retry for good whenever a file
            // event or a rescan replaced it in the one-trigger buffer.)
            retry?.cancel()
            retry = nil
            if trigger == .changed {
                // Let a burst of writes (audio, then the .txt) land before scanning.
                try? await Task.sleep(for: .milliseconds(250))
            }
            let (ingester, now) = (ingester, now)
            let started = now()
            let summary = await work.run { ingester.runOnce(at: started, actor: "serve") }
            summary.count()
            watcher.watchFolders()
            // A fault is one line when it starts, one a minute while it lasts, one when it clears.
            health.observe(summary, started: started, finished: now(), logger: logger)
            for problem in summary.problems where !problem.contains("cannot quarantine into ") && !problem.hasPrefix("spool folder ") {
                logger.error("ingest problem", metadata: ["problem": "\(problem)"])
            }
            // Files left to settle: look again once they should have.
            // A fault: look again soon, so the backlog goes through once it clears.
            let faulty = !health.snapshot.ready
            if summary.incomplete > 0 || faulty {
                let wait = max(ingester.configuration.spool.settle + 1, faulty ? Self.faultRetry : 0)
                retry = Task {
                    try? await Task.sleep(for: .seconds(wait))
                    if !Task.isCancelled { continuation.yield(.retry) }
                }
            }
        }
        retry?.cancel()
        logger.info("stopped watching the spool")
    }
}

extension IngestSummary {
    /// Adds this pass to the service's counters (`/metrics`).
    public func count() {
        if ingested > 0 { Counter(label: "afterhours_ingested_total").increment(by: ingested) }
        if quarantined + unreadable > 0 { Counter(label: "afterhours_quarantined_total").increment(by: quarantined + unreadable) }
    }
}
