import Domain
import Foundation

/// What a person at a desk reads at 8am: callbacks as text, in the business's time zone,
/// with colour only when writing to a terminal.
public struct DeskText: Sendable {
    public let businessName: String
    public let timeZone: TimeZone
    public let now: Date
    public let colour: Bool
    /// Read away from the server (the HTTP API, the remote command line): the server's own
    /// file paths mean nothing there and are not shown.
    public var remote = false
    private let spoken: SpokenTime
    private let readable: ReadableTime
    private let calendar: Calendar

    public init(businessName: String, timeZone: TimeZone, now: Date, colour: Bool) {
        self.businessName = businessName
        self.timeZone = timeZone
        self.now = now
        self.colour = colour
        self.spoken = SpokenTime(timeZone: timeZone)
        self.readable = ReadableTime(timeZone: timeZone)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.locale = Locale(identifier: "en_US_POSIX")
        self.calendar = calendar
    }

    // MARK: - One callback, in full (`next`, `show`)

    /// The whole story of one callback, for the person about to dial.
    public func callback(_ detail: CallbackDetail, staff: String?, withHistory: Bool) -> String {
        let callback = detail.callback
        var lines: [String] = []
        let who = callback.caller.shownName.map(shown) ?? (callback.caller.isAnonymous ? "Unknown caller" : "Caller")
        let number = callback.caller.number.map { $0.formatted + (detail.numberSource == .spoken ? dim(" (read out in the message)") : "") }
            ?? callback.caller.rawNumber.map { "\(shown($0)) (not a dialable number)" }
            ?? "no number: listen to the message for one"
        lines.append(bold("\(who)  \(number)") + dim("   callback #\(callback.id)"))
        lines.append(dueLine(detail))
        var status = "Status: \(callback.status(at: now).rawValue)"
        if callback.status(at: now) == .claimed, let by = callback.claimedBy, let until = callback.claimExpiresAt {
            status += " by \(shown(by)) until \(clock(until))"
        }
        if callback.status(at: now) == .waiting, let back = callback.availableAt {
            status += ", back in the queue \(moment(back))"
        }
        if callback.status(at: now) == .done, let by = callback.closedBy {
            status += " by \(shown(by))"
        }
        if callback.urgent { status += ", " + red("urgent") }
        if callback.escalated { status += ", " + red("escalated") }
        if callback.attempts > 0 { status += ", \(callback.attempts) attempt\(callback.attempts == 1 ? "" : "s") so far" }
        lines.append(status)

        lines.append("")
        lines.append("\(detail.messages.count) message\(detail.messages.count == 1 ? "" : "s"):")
        for stored in detail.messages {
            lines.append("  " + messageLine(stored))
            lines += transcriptLines(stored)
        }
        let notes = detail.history.filter { $0.note?.isEmpty == false && [.attempted, .noted, .done, .escalated, .blocked].contains($0.kind) }
        if !notes.isEmpty {
            lines.append("")
            lines.append("Notes:")
            for event in notes {
                lines.append("  \(day(event.at)) \(clock(event.at))  \(shown(event.actor)): \(shown(event.note ?? ""))")
            }
        }
        if let staff, callback.status(at: now) != .done, let opening = openingLine(detail, staff: staff) {
            lines.append("")
            lines.append("Say: " + shown(opening))
        }
        if withHistory, !detail.history.isEmpty {
            lines.append("")
            lines.append("History:")
            for event in detail.history {
                let note = event.note.flatMap { $0.isEmpty ? nil : " (\(shown($0)))" } ?? ""
                lines.append("  \(day(event.at)) \(clock(event.at))  \(event.kind.rawValue) by \(shown(event.actor))\(note)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The suggested first sentence, from `prompts/opening-line.mustache`.
    public func openingLine(_ detail: CallbackDetail, staff: String) -> String? {
        let first = detail.messages.first?.voicemail.receivedAt ?? detail.callback.firstReceivedAt
        let staffName = staff.prefix(1).uppercased() + staff.dropFirst()
        var values: [String: Any] = [
            "staff_name": staffName,
            "business_name": businessName,
            "called_when": spoken.whenLeft(first, now: now),
            "late": detail.callback.deadline < now,
        ]
        // Absent, not empty: Mustache sections treat an empty string as true.
        if let name = detail.callback.caller.nameToGreet { values["greet_caller_as"] = name }
        return try? Prompts.render(.openingLine, values)
    }

    func messageLine(_ stored: StoredVoicemail) -> String {
        let voicemail = stored.voicemail
        var parts = ["\(day(voicemail.receivedAt)) \(clock(voicemail.receivedAt))"]
        if let audio = voicemail.audio {
            parts.append(String(format: "%5.1fs", audio.durationSeconds))
        }
        // A sidecar or pushed message may have no mailbox: then nothing is said of one.
        if !voicemail.mailbox.trimmingCharacters(in: .whitespaces).isEmpty { parts.append("mailbox \(shown(voicemail.mailbox))") }
        if voicemail.urgent { parts.append(red("urgent")) }
        if voicemail.audio?.silent == true { parts.append(dim("silent (hang-up?)")) }
        if let error = voicemail.audioError, !error.isEmpty {
            parts.append(red((voicemail.audio == nil ? "audio unreadable: " : "audio incomplete: ") + shown(error)))
        }
        if remote {
            if stored.quarantinePath != nil { parts.append("files set aside on the server") }
        } else {
            if let path = stored.audioPath { parts.append(shown(path)) }
            if let folder = stored.quarantinePath { parts.append("files in \(shown(folder))") }
        }
        return parts.joined(separator: "  ")
    }

    /// The block list, for the owner.
    public func blocked(_ entries: [BlockedNumber]) -> String {
        guard !entries.isEmpty else { return "No number is blocked." }
        var lines: [String] = []
        for entry in entries {
            if !lines.isEmpty { lines.append("") }
            let held = entry.heldMessages.count
            lines.append(
                bold(entry.number.formatted) + "  blocked by \(shown(entry.blockedBy)) \(day(entry.blockedAt)): \(shown(entry.reason))")
            lines.append("  \(held) message\(held == 1 ? "" : "s") kept from staff" + (held > 0 ? ":" : ""))
            for stored in entry.heldMessages {
                lines.append("  #\(stored.id) " + messageLine(stored))
                lines += transcriptLines(stored)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// After a transcript the transcriber stopped where it began repeating itself
    /// (`MessageTranscript.cutShort`): the rest of the message is not in it.
    public static let cutShortNote = "(cut short: the transcriber repeated itself)"
    /// After a low-confidence transcript (`TranscriptConfidence.isLow`).
    public static let lowConfidenceNote = "(low confidence: listen before acting on it; no number is taken from it)"

    /// Under a message: its machine transcript, wrapped, and the rules its words set off;
    /// or where that work stands.
    func transcriptLines(_ stored: StoredVoicemail) -> [String] {
        let transcript = stored.transcript
        switch transcript.status {
        case .done:
            guard let text = transcript.text, !text.isEmpty else {
                return ["    " + dim("machine transcript: no words heard" + (transcript.cutShort ? " " + Self.cutShortNote : ""))]
            }
            var lines = Self.wrap("\u{201C}\(shown(text))\u{201D}", width: 72).enumerated().map { index, line in
                (index == 0 ? "    " + dim("machine transcript: ") : "      ") + line
            }
            // On a line of its own, never wrapped apart: what follows the words is missing.
            if transcript.cutShort { lines.append("      " + dim(Self.cutShortNote)) }
            if transcript.lowConfidence { lines.append("      " + dim(Self.lowConfidenceNote)) }
            lines += transcript.rules.map { "    " + red(shown($0)) }
            return lines
        case .failed: return ["    " + dim("no transcript: \(shown(transcript.error ?? "the transcriber failed"))")]
        // Waiting (perhaps for a transcriber that is off), or nothing to hear: the line above says enough.
        case .pending, .skipped: return []
        }
    }

    /// Words laid into lines of at most `width` characters (a longer word has a line of its own).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// "Due in 1h 20m (by Mon 10:00)" or "3h 5m late (was due Fri 17:00)"; then what the
    /// caller was promised when that is later than the deadline, and a forecast that
    /// breaks the promise.
    func dueLine(_ detail: CallbackDetail) -> String {
        let callback = detail.callback
        var line = dueLine(callback)
        guard callback.status(at: now) != .done else { return line }
        if let promise = callback.promisedBy, promise != callback.deadline {
            line += "; promised by \(day(promise)) \(clock(promise))"
        }
        if let reach = detail.atRisk {
            line += "; " + red("at risk: reached about \(day(reach)) \(clock(reach))")
        }
        return line
    }

    func dueLine(_ callback: Callback) -> String {
        let seconds = Int(callback.deadline.timeIntervalSince(now))
        if callback.status(at: now) == .done {
            return "Done" + (callback.closedAt.map { " \(day($0)) \(clock($0))" } ?? "")
        }
        if seconds >= 0 {
            return "Due in \(Self.span(seconds)) (by \(day(callback.deadline)) \(clock(callback.deadline)))"
        }
        return red("\(Self.span(-seconds)) late") + " (was due \(day(callback.deadline)) \(clock(callback.deadline)))"
    }

    // MARK: - The queue (`list`)

    /// One line per callback, in serving order.
    public func table(_ details: [CallbackDetail]) -> String {
        guard !details.isEmpty else { return "Nothing to call back." }
        var rows: [[String]] = [["#", "CALLER", "NUMBER", "MSGS", "DUE", "STATUS"]]
        for detail in details {
            let callback = detail.callback
            let seconds = Int(callback.deadline.timeIntervalSince(now))
            var status = callback.status(at: now).rawValue
            if callback.status(at: now) == .claimed, let by = callback.claimedBy { status += " (\(shown(by)))" }
            if callback.status(at: now) == .waiting, let back = callback.availableAt { status += " (back \(moment(back)))" }
            if callback.urgent { status += " urgent" }
            if callback.escalated { status += " escalated" }
            if detail.atRisk != nil { status += " at risk" }
            rows.append([
                String(callback.id),
                callback.caller.shownName.map { TerminalText.clipped($0, to: 32) } ?? (callback.caller.isAnonymous ? "(unknown)" : "-"),
                callback.caller.number?.formatted ?? "-",
                String(detail.messages.count),
                callback.status(at: now) == .done
                    ? "done"
                    : (seconds >= 0 ? "in \(Self.span(seconds))" : "\(Self.span(-seconds)) late"),
                status,
            ])
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.enumerated().map { index, row in
            let line = row.enumerated().map { column, cell in
                // Padded by characters, as the widths are counted: Foundation's padding counts
                // UTF-16 units and would cut an accented name or an emoji short.
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[column] - cell.count))
            }.joined(separator: "  ")
            return index == 0 ? dim(line) : line
        }.joined(separator: "\n")
    }

    // MARK: - Escalations (the owner's view)

    /// `next` found nothing to serve now: say so, and what comes back first and when, so
    /// an urgent caller waiting for a retry is not forgotten.
    public func nothingNow(comingBack next: CallbackDetail?) -> String {
        guard let next else { return "Nothing to call back." }
        let callback = next.callback
        let who = callback.caller.shownName.map(shown) ?? callback.caller.number?.formatted ?? "an unknown caller"
        var flags: [String] = []
        if callback.escalated { flags.append("escalated") }
        if callback.urgent { flags.append("urgent") }
        if callback.deadline < now { flags.append("\(Self.span(Int(now.timeIntervalSince(callback.deadline)))) late") }
        let state = callback.status(at: now) == .claimed ? "claimed by \(shown(callback.claimedBy ?? "someone")) until" : "back in the queue"
        return "Nothing to call back now. Next: #\(callback.id) \(who)"
            + (flags.isEmpty ? "" : " (\(flags.joined(separator: ", ")))")
            + ", \(state) \(callback.availableAt.map(moment) ?? "soon")."
    }

    /// One block per escalation, most urgent first.
    public func escalations(_ details: [EscalationDetail]) -> String {
        guard !details.isEmpty else { return "No open escalations." }
        return details.map { escalationSummary($0) }.joined(separator: "\n\n")
    }

    func escalationSummary(_ detail: EscalationDetail) -> String {
        let escalation = detail.escalation
        let callback = detail.callback.callback
        let who = callback.caller.shownName.map(shown) ?? (callback.caller.isAnonymous ? "Unknown caller" : "Caller")
        let number = callback.caller.number?.formatted ?? "no number"
        let since = Self.span(max(0, Int(now.timeIntervalSince(escalation.stateSince))))
        var lines = [
            bold("Escalation #\(escalation.id)") + "  \(escalation.reasons.map { $0.kind.rawValue }.joined(separator: ", "))  "
                + (escalation.state == .open ? red("open") : escalation.state.rawValue) + " for \(since)",
            "  \(who)  \(number)   callback #\(callback.id), \(callback.status(at: now).rawValue)",
        ]
        for reason in escalation.reasons {
            lines.append("  Why: " + shown(EscalationWords.line(reason)))
        }
        if let by = escalation.acknowledgedBy, let at = escalation.acknowledgedAt {
            lines.append("  Acknowledged by \(shown(by)) \(moment(at))")
        }
        for stored in detail.callback.messages {
            lines.append("  " + messageLine(stored))
            lines += transcriptLines(stored)
        }
        // One line per notification, saying what it announces: an escalation with two
        // reasons has a notification for each on every channel.
        let undelivered = detail.notifications.filter { $0.deliveredAt == nil }
        for notification in undelivered {
            let attempts = "\(notification.attempts) attempt\(notification.attempts == 1 ? "" : "s")"
            let error = notification.lastError.flatMap { $0.isEmpty ? nil : ": \(shown($0))" } ?? ""
            lines.append(
                "  " + red("not yet notified") + " of \(Self.announced(notification.subject)) on \(shown(notification.channel)) (\(attempts)\(error))")
        }
        if escalation.state == .resolved || escalation.resolution != nil {
            let when = escalation.resolvedAt.map { " " + moment($0) } ?? ""
            let resolution = escalation.resolution.flatMap { $0.isEmpty ? nil : ": \(shown($0))" } ?? ""
            lines.append("  Resolved by \(shown(escalation.resolvedBy ?? "the owner"))\(when)\(resolution)")
        }
        return lines.joined(separator: "\n")
    }

    /// What a notification announces, for the owner: `"A VIP called"`, `the resolution`.
    static func announced(_ subject: NotificationSubject) -> String {
        switch subject {
        case .raised(let reason): "\u{201C}\(EscalationWords.describe(reason))\u{201D}"
        case .resolved: "the resolution"
        }
    }

    /// An escalation in full: the summary, then the callback's whole story.
    public func escalation(_ detail: EscalationDetail) -> String {
        escalationSummary(detail) + "\n\n" + callback(detail.callback, staff: nil, withHistory: true)
    }

    // MARK: - Pieces

    /// Text from outside, safe on a terminal and on one line.
    func shown(_ text: String) -> String { TerminalText.oneLine(text) }

    /// "1h 20m", "45m", "2d 3h" for spans of wall-clock time.
    public static func span(_ seconds: Int) -> String {
        let minutes = seconds / 60
        if minutes < 1 { return "\(seconds)s" }
        if minutes < 60 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 48 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h \(minutes % 60)m" }
        return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d \(hours % 24)h"
    }

    /// "Mon Nov 23 10:00", or "today at 10:00" / "tomorrow at 09:00" when close.
    public func moment(_ date: Date) -> String {
        let days = calendar.dateComponents([.day], from: calendar.startOfDay(for: now), to: calendar.startOfDay(for: date)).day ?? 0
        switch days {
        case 0: return "today at \(clock(date))"
        case 1: return "tomorrow at \(clock(date))"
        default: return "\(day(date)) \(clock(date))"
        }
    }

    func day(_ date: Date) -> String { readable.day(date, reference: now) }

    func clock(_ date: Date) -> String { readable.clock(date) }

    private func bold(_ text: String) -> String { colour ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    private func dim(_ text: String) -> String { colour ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
    private func red(_ text: String) -> String { colour ? "\u{1B}[31m\(text)\u{1B}[0m" : text }
}
