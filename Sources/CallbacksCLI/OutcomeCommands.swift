import Afterhours
import ArgumentParser
import Foundation

struct NoAnswerCommand: NumberedCommand {
    static let idKind = "a callback number"
    static let configuration = CommandConfiguration(
        commandName: "no-answer",
        abstract: "Record a call that did not reach the caller; it comes back after callbacks.retry_after.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The callback's number.")
    var id: Int64

    @Option(help: "What happened (voicemail left, line busy, …).")
    var note: String?

    @Flag(help: "Record it even though someone else has claimed it.")
    var force = false

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        let outcome = try await desk.callbacks().noAnswer(id, by: desk.person, note: note, force: force, at: desk.now)
        let detail = outcome.detail
        if desk.json {
            desk.print(desk.shapes.callback(detail, withHistory: true))
        } else {
            var line = "Callback #\(id): attempt \(detail.callback.attempts) recorded; back in the queue \(desk.text.moment(outcome.retryAt))."
            if outcome.escalatedNow {
                line += " Escalated to the owner after \(detail.callback.attempts) attempts."
            }
            desk.print(line)
        }
    }
}

struct ReleaseCommand: NumberedCommand {
    static let idKind = "a callback number"
    static let configuration = CommandConfiguration(
        commandName: "release", abstract: "Give a claimed callback back to the queue.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The callback's number.")
    var id: Int64

    @Flag(help: "Release someone else's claim.")
    var force = false

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        let detail = try await desk.callbacks().release(id, by: desk.person, force: force, at: desk.now)
        desk.report(detail, "Callback #\(id) is back in the queue.")
    }
}

struct EscalateCommand: NumberedCommand {
    static let idKind = "a callback number"
    static let configuration = CommandConfiguration(
        commandName: "escalate", abstract: "Hand a callback to the owner.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The callback's number.")
    var id: Int64

    @Option(help: "Why the owner should take it (a complaint, a refund, …); the owner reads it.")
    var reason: String

    @Flag(help: "Escalate it even though someone else has claimed it.")
    var force = false

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        let detail = try await desk.callbacks().escalate(id, by: desk.person, reason: reason, force: force, at: desk.now)
        desk.report(detail, "Callback #\(id) escalated to the owner.")
    }
}

struct StatsCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Queue health: open, claimed, waiting, done today, overdue, promises kept.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The period for promises kept, in days back from now.")
    var days: Int = 7

    func validate() throws {
        guard days >= 1 else { throw ValidationError("--days \(days) is not a period: give 1 or more days") }
    }

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        let report = try await desk.callbacks().stats(days: days, at: desk.now)
        let (stats, kept) = (report.counts, report.keptShare)
        if desk.json {
            desk.print(
                JSONValue.object([
                    ("open", .int(Int64(stats.open))), ("claimed", .int(Int64(stats.claimed))),
                    ("waiting", .int(Int64(stats.waiting))), ("done_today", .int(Int64(stats.doneToday))),
                    ("overdue", .int(Int64(stats.overdue))), ("period_days", .int(Int64(days))),
                    ("due_in_period", .int(Int64(stats.dueInPeriod))),
                    ("done_by_deadline", .int(Int64(stats.doneByDeadlineInPeriod))),
                    ("kept_share", kept.map(JSONValue.double) ?? .null),
                ]))
        } else {
            desk.print(
                """
                Open \(stats.open) · claimed \(stats.claimed) · waiting \(stats.waiting) · done today \(stats.doneToday) · overdue \(stats.overdue)
                Last \(days == 1 ? "day" : "\(days) days"): \(stats.doneByDeadlineInPeriod) of \(stats.dueInPeriod) callbacks due were done by their deadline\(kept.map { String(format: " (%.0f%%)", $0 * 100) } ?? "").
                """)
        }
    }
}
