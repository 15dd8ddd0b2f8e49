import Domain
import Foundation

/// The words of an escalation notification, from the `escalation-*` templates.
public struct EscalationText: Sendable {
    public let businessName: String
    public let timeZone: TimeZone
    /// When the notification is written: days are named relative to it ("today").
    public let now: Date

    /// `http.public_url`: notifications link to the escalation's page when it is set.
    public let publicURL: String?

    public init(businessName: String, timeZone: TimeZone, now: Date, publicURL: String? = nil) {
        self.businessName = businessName
        self.timeZone = timeZone
        self.now = now
        self.publicURL = publicURL
    }

    /// The escalation's page (`http.public_url` + `/escalations/ID`), if there is a public URL.
    public func pageURL(_ escalationID: Int64) -> String? {
        publicURL.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/escalations/\(escalationID)" }
    }

    func values(_ detail: EscalationDetail, subject: NotificationSubject) -> [String: Any] {
        let callback = detail.callback.callback
        let messages = detail.callback.messages
        let desk = DeskText(businessName: businessName, timeZone: timeZone, now: now, colour: false)
        var values: [String: Any] = [
            "business_name": businessName,
            "reason_text": TerminalText.oneLine(EscalationWords.headline(detail.escalation, subject: subject)),
            "resolved": subject == .resolved,
            "caller": TerminalText.oneLine(callback.caller.shownName ?? "Unknown caller"),
            "number": callback.caller.number?.formatted ?? "no number",
            "messages": messages.count,
            "single": messages.count == 1,
            "received_when": messages.last.map { "\(desk.day($0.voicemail.receivedAt)) \(desk.clock($0.voicemail.receivedAt))" } ?? "",
            "deadline": "\(desk.day(callback.deadline)) \(desk.clock(callback.deadline))",
            "message_lines": messages.map { TerminalText.oneLine(desk.messageLine($0)) },
            "escalation_id": detail.escalation.id,
        ]
        // Absent, not nil: a nil in `Any` renders as the word "nil".
        if let url = pageURL(detail.escalation.id) { values["url"] = url }
        // The first words of the latest message with a transcript: the owner reads what was
        // said before opening anything.
        if let said = messages.last(where: { $0.transcript.text?.isEmpty == false })?.transcript.text {
            values["said"] = TerminalText.clipped(said, to: 280, atWord: true)
        }
        return values
    }

    public func chat(_ detail: EscalationDetail, subject: NotificationSubject) throws(PromptError) -> String {
        try Prompts.render(.escalationChat, values(detail, subject: subject))
    }

    /// Subject and body; the subject is one line, so a caller's name cannot add headers.
    public func email(_ detail: EscalationDetail, subject: NotificationSubject) throws(PromptError) -> (subject: String, body: String) {
        let values = values(detail, subject: subject)
        return (TerminalText.oneLine(try Prompts.render(.escalationEmailSubject, values)), try Prompts.render(.escalationEmailBody, values))
    }
}

/// Escalation reasons in words, for the owner.
public enum EscalationWords {
    public static func describe(_ reason: EscalationReason) -> String {
        switch reason {
        case .ownerLine: "A message on your private line"
        case .repeatCaller: "A caller keeps calling"
        case .vip: "A VIP called"
        case .breach: "A callback promise was missed"
        case .maxAttempts: "Staff could not reach a caller"
        case .staff: "Staff handed you a callback"
        case .complaint: "A caller complained"
        }
    }

    /// One reason in words with its detail: "Staff handed you a callback: Wants a refund".
    /// The owner's line and a VIP say it all; the others need their detail.
    public static func line(_ reason: RaisedReason) -> String {
        let detail = [.ownerLine, .vip].contains(reason.kind) ? nil : reason.detail
        return describe(reason.kind) + (detail.map { ": \($0)" } ?? "")
    }

    /// What a notification says it is about: the reason with its detail in words
    /// ("Staff handed you a callback: Wants a refund"), or the resolution.
    public static func headline(_ escalation: Escalation, subject: NotificationSubject) -> String {
        switch subject {
        case .raised(let reason):
            return line(escalation.reasons.first { $0.kind == reason } ?? RaisedReason(reason))
        case .resolved:
            return "Resolved, " + (escalation.resolution ?? "by \(escalation.resolvedBy ?? "staff")")
        }
    }
}
