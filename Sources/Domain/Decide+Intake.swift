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

extension Decide {
    /// Where a new message goes: nowhere when it is not to be queued or its number is
    /// blocked (stored and counted, never queued for staff); else the caller's open
    /// callback on its line, `open`, joined; else a callback of its own. The owner's line
    /// keeps its own callbacks: they never join staff's.
    public enum Placement: Sendable, Equatable {
        case none
        /// The caller's open callback, as it is once the message has joined it.
        case join(Callback)
        /// A new callback (its id is the store's to give).
        case open(Callback)
    }

    public static func placement(of recording: Recording, callerBlocked: Bool, open: Callback?, rules: EscalationRules, at now: Date) -> Placement {
        guard recording.queue, !callerBlocked else { return .none }
        let voicemail = recording.voicemail
        if let open, voicemail.caller.number != nil {
            var joined = open
            joined.deadline = min(open.deadline, recording.deadline)
            joined.urgent = open.urgent || voicemail.urgent
            joined.caller.name = open.caller.name ?? voicemail.caller.name
            joined.firstReceivedAt = min(open.firstReceivedAt, voicemail.receivedAt)
            return .join(joined)
        }
        var opened = Callback(
            id: 0, caller: voicemail.caller, recordedStatus: .open, deadline: recording.deadline, urgent: voicemail.urgent,
            escalated: false, claimedBy: nil, claimExpiresAt: nil, retryAt: nil, attempts: 0, firstReceivedAt: voicemail.receivedAt,
            closedAt: nil, availableAt: now, ownerLine: rules.isOwnerLine(voicemail))
        // A first run's backlog is queued without a breach escalation: marked as if done.
        opened.breached = !recording.escalatesBreach
        return .open(opened)
    }

    /// What a message's words decide for its callback: a history line naming what they
    /// matched (words that did nothing are no event); emergency words move the callback up
    /// the queue, as the Urgent folder does; a complaint escalates; a number read out
    /// becomes the callback's number when it has none and no other open callback on its
    /// line has it (`records.spokenNumberHolder`: then the history says so, and staff
    /// decide). Words heard with low confidence (`TranscriptConfidence.isLow`) still act,
    /// an emergency or a complaint being worth a look, but say so: in the history line and
    /// in the complaint the owner reads. `urgentMessage` says whether the message itself is
    /// now urgent.
    public static func transcribed(_ records: CallbackRecords, voicemail id: Int64, findings: TranscriptFindings, at now: Date)
        -> (transition: Transition, urgentMessage: Bool)
    {
        var callback = records.callback
        var transition = Transition(callbackID: callback.id)
        let doubt = findings.confidence?.isLow == true ? lowConfidenceNote : ""
        if !findings.matches.isEmpty {
            transition.history.append(
                CallbackEvent(
                    at: now, actor: system, kind: .noted,
                    note: "message #\(id) transcribed: " + findings.matches.map(\.description).joined(separator: "; ") + doubt))
        }
        let urgent = !findings.urgent.isEmpty && callback.recordedStatus != .done
        if urgent {
            callback.urgent = true
            transition.callback = callback
        }
        if let complaint = findings.complaints.first {
            var current = records
            current.callback = callback
            transition = transition.then(raise(.complaint, on: current, detail: complaint.excerpt + doubt, by: system, at: now))
            callback = transition.callback ?? callback
        }
        if let number = findings.spokenNumber, callback.caller.number == nil, callback.recordedStatus != .done {
            if let other = records.spokenNumberHolder {
                transition.history.append(
                    CallbackEvent(
                        at: now, actor: system, kind: .noted, note: "message #\(id) gives \(number.formatted), the number of callback #\(other)"))
            } else {
                callback.caller.number = number
                transition.callback = callback
                transition.history.append(
                    CallbackEvent(
                        at: now, actor: system, kind: .noted, note: "number \(number.formatted) taken from message #\(id), read out by the caller"))
            }
        }
        return (transition, urgent)
    }

    /// What a finding from a low-confidence transcript says after it.
    public static let lowConfidenceNote = " (heard with low confidence)"
}

extension EscalationRules {
    /// A message on one of the owner's mailboxes: the owner's, never staff's.
    public func isOwnerLine(_ voicemail: Voicemail) -> Bool { ownerMailboxes.contains(voicemail.mailbox) }
}
