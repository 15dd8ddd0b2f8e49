import Foundation

extension Decide {
    /// What a stored message means for its callback: the history line it adds, and the
    /// reasons it raises by itself (the owner's line, a VIP, a repeat caller), each with
    /// what it says. `recentFromCaller` counts the caller's messages within
    /// `rules.repeatWindow`, this one included.
    public struct Arrival: Sendable, Equatable {
        public var note: String
        public var raises: [RaisedReason]
    }

    public static func arrival(
        of voicemail: Voicemail, id voicemailID: Int64, joined: Bool, notes: [String], recentFromCaller recent: Int, rules: EscalationRules
    ) -> Arrival {
        let note =
            "message #\(voicemailID)" + (voicemail.mailbox.isEmpty ? "" : " on mailbox \(voicemail.mailbox)")
            + (joined ? ", joined this callback" : "") + notes.map { "; \($0)" }.joined()
        let raises = rules.reasons(for: voicemail, recentFromCaller: recent).map { reason -> RaisedReason in
            switch reason {
            case .ownerLine: RaisedReason(reason, detail: "mailbox \(voicemail.mailbox)")
            case .vip: RaisedReason(reason, detail: "a VIP called")
            case .repeatCaller: RaisedReason(reason, detail: "called \(recent) times within \(DurationWords.hours(rules.repeatWindow))")
            default: RaisedReason(reason, detail: reason.rawValue)
            }
        }
        return Arrival(note: note, raises: raises)
    }

    /// The owner blocked the caller's number: a callback not yet done closes, with why in
    /// its history, and its open escalation resolves as a done one does. Nil when there is
    /// nothing to close.
    public static func block(_ records: CallbackRecords, by actor: String, reason: String, at now: Date) -> Transition? {
        guard records.callback.closesWhenBlocked else { return nil }
        var closed = closed(records.callback, by: actor, at: now)
        var history = [CallbackEvent(at: now, actor: actor, kind: .blocked, note: reason)]
        var change: EscalationChange?
        if let open = records.openEscalation {
            let resolution = "done by \(actor): \(reason)"
            closed.escalated = false
            history.append(CallbackEvent(at: now, actor: actor, kind: .resolved, note: "escalation #\(open.id) \(resolution)"))
            change = EscalationChange(
                id: open.id, raisedBy: actor, at: now, state: .resolved, by: actor, resolution: resolution, announce: [.resolved])
        }
        return Transition(callbackID: records.callback.id, callback: closed, history: history, escalation: change)
    }
}
