import Foundation
import Logging
import Metrics
import Runtime
import Settings
import Synchronization

/// What `serve` knows of its own health, for `/readyz` and the log: each fault that holds
/// messages back (the store cannot write, the spool cannot be read, the archive or the
/// quarantine cannot be written), and warnings that hold nothing back (the transcriber).
///
/// A fault is logged once when it starts, with how many messages it holds back; then at
/// most once a minute (`repeatEvery`) with the updated count; and once when it clears,
/// with how many messages went through and how long that took. Times are the service's
/// clock, never the machine's.
public final class ServiceHealth: HealthWarnings {
    /// What can hold messages back, as `/readyz` and `afterhours_held_back{reason}` name it.
    public enum Fault: String, Sendable, CaseIterable {
        case store, spool, archive, quarantine
    }

    public struct Active: Sendable, Equatable {
        public var reason: String
        public var heldBack: Int
        public var since: Date
        var lastLogged: Date

        public init(reason: String, heldBack: Int, since: Date) {
            self.reason = reason
            self.heldBack = heldBack
            self.since = since
            lastLogged = since
        }
    }

    public struct Snapshot: Sendable, Equatable {
        public var faults: [Fault: Active]
        public var warnings: [String: String]
        public var ready: Bool { faults.isEmpty }
        public var heldBack: Int { faults.values.map(\.heldBack).reduce(0, +) }
    }

    /// How often a fault that persists is logged again.
    public static let repeatEvery: TimeInterval = 60

    private let state = Mutex(Snapshot(faults: [:], warnings: [:]))

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    /// A warning `/readyz` shows without turning 503 (nil clears it).
    public func warn(_ key: String, _ text: String?) {
        state.withLock { $0.warnings[key] = text }
    }

    /// What one ingest pass found, pass by pass: starts, repeats and clears faults.
    /// `started` and `finished` are the service's clock around the pass.
    public func observe(_ summary: IngestSummary, started: Date, finished: Date, logger: Logger) {
        var found: [Fault: (reason: String, count: Int)] = [:]
        if let reason = summary.notStored.max(by: { $0.value < $1.value })?.key {
            found[.store] = ("not writable: \(Self.plain(reason))", summary.notStoredCount)
        }
        if let reason = summary.notArchived.max(by: { $0.value < $1.value })?.key {
            found[.archive] = ("not writable: \(Self.after("cannot archive into ", in: reason))", summary.notArchivedCount)
        }
        if summary.notQuarantined > 0 {
            let reason = summary.problems.first { $0.contains("cannot quarantine") }.map { Self.after("cannot quarantine into ", in: $0) } ?? "cannot be written"
            found[.quarantine] = ("not writable: \(reason)", summary.notQuarantined)
        }
        if let problem = summary.problems.first(where: { $0.hasPrefix("spool folder ") || $0.contains("cannot read the spool") }) {
            found[.spool] = ("not readable: \(problem)", max(summary.leftBehind.count, 0))
        }
        for fault in Fault.allCases {
            let now = found[fault]
            let logLine: (() -> Void)? = state.withLock { snapshot -> (() -> Void)? in
                let before = snapshot.faults[fault]
                switch (before, now) {
                case (nil, nil):
                    return nil
                case (nil, let now?):
                    snapshot.faults[fault] = Active(reason: now.reason, heldBack: now.count, since: finished)
                    return {
                        logger.error(
                            "\(Self.subject(fault)) \(now.reason): \(Self.count(now.count)) held back",
                            metadata: Self.metadata(fault, now.reason, now.count))
                    }
                case (var active?, let now?):
                    active.heldBack = now.count
                    active.reason = now.reason
                    let due = finished.timeIntervalSince(active.lastLogged) >= Self.repeatEvery
                    if due { active.lastLogged = finished }
                    snapshot.faults[fault] = active
                    guard due else { return nil }
                    let lasted = DurationText.format(Int(finished.timeIntervalSince(active.since)))
                    return {
                        logger.warning(
                            "\(Self.subject(fault)) still \(now.reason) (for \(lasted)): \(Self.count(now.count)) held back",
                            metadata: Self.metadata(fault, now.reason, now.count))
                    }
                case (let active?, nil):
                    snapshot.faults[fault] = nil
                    let through = fault == .store ? summary.ingested : summary.archivedNow + summary.ingested
                    let seconds = String(format: "%.1f", max(0, finished.timeIntervalSince(started)))
                    return {
                        logger.notice(
                            "\(Self.subject(fault)) \(Self.cleared(fault)) again: \(Self.count(through)) \(fault == .store ? "stored" : fault == .archive ? "archived" : "put aside") in \(seconds) s",
                            metadata: Self.metadata(fault, "cleared after \(DurationText.format(Int(finished.timeIntervalSince(active.since))))", 0))
                    }
                }
            }
            Gauge(label: "afterhours_held_back", dimensions: [("reason", fault.rawValue)]).record(now?.count ?? 0)
            logLine?()
        }
    }

    static func subject(_ fault: Fault) -> String {
        switch fault {
        case .store: "store"
        case .spool: "spool"
        case .archive: "archive"
        case .quarantine: "quarantine"
        }
    }

    static func cleared(_ fault: Fault) -> String { fault == .spool ? "readable" : "writable" }

    static func metadata(_ fault: Fault, _ reason: String, _ count: Int) -> Logger.Metadata {
        ["fault": "\(fault.rawValue)", "fault.reason": "\(reason)", "held_back": "\(count)"]
    }

    /// `2,872 messages`.
    static func count(_ number: Int) -> String {
        "\(number.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))) message\(number == 1 ? "" : "s")"
    }

    /// A store's reason without SQLite's wording: `database or disk is full` reads `disk full`.
    static func plain(_ reason: String) -> String {
        if reason.contains("database or disk is full") || reason.contains("No space left") { return "disk full" }
        return reason
    }

    static func after(_ marker: String, in text: String) -> String {
        text.range(of: marker).map { String(text[$0.upperBound...]) } ?? text
    }
}
