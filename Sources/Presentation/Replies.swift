import Domain
import Foundation
import Settings
import UseCases

/// What each job answers, as text for people or as the JSON of docs/reference.md. The
/// command line prints these; the HTTP API sends them (JSON, or with `Accept: text/plain`
/// the very text the command line prints), so a remote `callbacks` prints what a local one
/// does.
public struct Replies: Sendable {
    public let text: DeskText
    public let shapes: JSONShapes
    public let json: Bool

    /// `remote`: answers sent over HTTP, which never show the server's file paths.
    public init(configuration: Configuration, now: Date, colour: Bool, json: Bool, remote: Bool = false) {
        let zone = configuration.business.hours.timeZone
        var text = DeskText(businessName: configuration.business.name, timeZone: zone, now: now, colour: colour)
        text.remote = remote
        self.text = text
        var shapes = JSONShapes(timeZone: zone, now: now)
        shapes.remote = remote
        self.shapes = shapes
        self.json = json
    }

    /// `next`: the claimed callback (without the hint the command line adds), `null`, or
    /// when the next one comes back.
    public func next(_ next: CallbackDesk.Next, staff: String) -> String {
        switch next {
        case .nothingNow(let comingBack):
            return json ? "null" : text.nothingNow(comingBack: comingBack)
        case .claimed(let claimed):
            return json ? shapes.callback(claimed).rendered() : text.callback(claimed, staff: staff, withHistory: false)
        }
    }

    /// `blocked`: each number, why, and the messages kept from staff.
    public func blocked(_ entries: [BlockedNumber]) -> String {
        if json { return JSONValue.array(entries.map { shapes.blocked($0) }).rendered() }
        return text.blocked(entries)
    }

    /// `block`: what blocking did.
    public func blockChange(_ change: BlockChange) -> String {
        json ? shapes.blockChange(change).rendered() : text.blockChange(change)
    }

    /// `unblock`.
    public func unblocked(_ number: PhoneNumber) -> String {
        json ? shapes.unblocked(number).rendered() : text.unblocked(number)
    }

    /// `transcribe ID` through a server: the message waits for the server's transcriber.
    public func transcriptRequested(_ id: Int64) -> String {
        json
            ? JSONValue.object([("voicemail", .int(id)), ("transcript_status", .string(MessageTranscript.Status.pending.rawValue))]).rendered()
            : "Message #\(id) waits for the transcriber; callbacks show prints its words once it is heard."
    }

    public func list(_ details: [CallbackDetail], filtered: Bool) -> String {
        if json { return JSONValue.array(details.map { shapes.callback($0) }).rendered() }
        return filtered && details.isEmpty ? "No callbacks match." : text.table(details)
    }

    public func show(_ detail: CallbackDetail, reader: String?) -> String {
        json ? shapes.callback(detail, withHistory: true).rendered() : text.callback(detail, staff: reader, withHistory: true)
    }

    /// A change to one callback: the callback with its history as JSON, or `line`.
    public func changed(_ detail: CallbackDetail, _ line: @autoclosure () -> String) -> String {
        json ? shapes.callback(detail, withHistory: true).rendered() : line()
    }

    public func done(_ done: CallbackDesk.Done) -> String {
        var line = "Callback #\(done.detail.callback.id) done."
        if let resolved = done.resolvedEscalation { line += " Escalation #\(resolved) resolved; the owner is told." }
        return changed(done.detail, line)
    }

    public func noAnswer(_ outcome: CallbackDesk.NoAnswer) -> String {
        let callback = outcome.detail.callback
        var line = "Callback #\(callback.id): attempt \(callback.attempts) recorded; back in the queue \(text.moment(outcome.retryAt))."
        if outcome.escalatedNow { line += " Escalated to the owner after \(callback.attempts) attempts." }
        return changed(outcome.detail, line)
    }

    public func released(_ detail: CallbackDetail) -> String {
        changed(detail, "Callback #\(detail.callback.id) is back in the queue.")
    }

    public func escalated(_ detail: CallbackDetail) -> String {
        changed(detail, "Callback #\(detail.callback.id) escalated to the owner.")
    }

    public func escalations(_ details: [EscalationDetail]) -> String {
        json ? JSONValue.array(details.map { shapes.escalation($0) }).rendered() : text.escalations(details)
    }

    public func escalation(_ detail: EscalationDetail) -> String {
        json ? shapes.escalation(detail).rendered() : text.escalation(detail)
    }

    public func acknowledged(_ detail: EscalationDetail) -> String {
        json ? shapes.escalation(detail).rendered() : "Escalation #\(detail.escalation.id) acknowledged."
    }

    public func resolved(_ detail: EscalationDetail) -> String {
        json ? shapes.escalation(detail).rendered() : "Escalation #\(detail.escalation.id) resolved."
    }

    public func stats(_ report: CallbackDesk.Stats) -> String {
        let (stats, days, kept) = (report.counts, report.days, report.keptShare)
        if json {
            return JSONValue.object([
                ("open", .int(Int64(stats.open))), ("claimed", .int(Int64(stats.claimed))),
                ("waiting", .int(Int64(stats.waiting))), ("done_today", .int(Int64(stats.doneToday))),
                ("overdue", .int(Int64(stats.overdue))), ("period_days", .int(Int64(days))),
                ("due_in_period", .int(Int64(stats.dueInPeriod))),
                ("done_by_deadline", .int(Int64(stats.doneByDeadlineInPeriod))),
                ("kept_share", kept.map(JSONValue.double) ?? .null),
            ]).rendered()
        }
        return """
            Open \(stats.open) · claimed \(stats.claimed) · waiting \(stats.waiting) · done today \(stats.doneToday) · overdue \(stats.overdue)
            Last \(days == 1 ? "day" : "\(days) days"): \(stats.doneByDeadlineInPeriod) of \(stats.dueInPeriod) callbacks due were done by their deadline\(kept.map { String(format: " (%.0f%%)", $0 * 100) } ?? "").
            """
    }
}
