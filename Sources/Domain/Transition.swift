import Foundation

/// What a store loads before a change to one callback, inside its transaction and under
/// its lock (SQLite's write transaction, PostgreSQL's `FOR UPDATE`), so nothing changes
/// them between the decision and its writing.
public struct CallbackRecords: Sendable, Equatable {
    public var callback: Callback
    /// Its escalation that is not resolved yet (open or acknowledged), with its reasons.
    public var openEscalation: Escalation?
    /// For a done callback: another callback of the same caller on the same line that is
    /// not done (a newer message opened it), if any. Not looked up for other callbacks.
    public var otherOpenCallback: Int64?
    /// For a decision on a number read out in a message: the callback not yet done on the
    /// same line that already has that number, if any. Looked up only when asked for.
    public var spokenNumberHolder: Int64?

    public init(callback: Callback, openEscalation: Escalation? = nil, otherOpenCallback: Int64? = nil, spokenNumberHolder: Int64? = nil) {
        self.callback = callback
        self.openEscalation = openEscalation
        self.otherOpenCallback = otherOpenCallback
        self.spokenNumberHolder = spokenNumberHolder
    }
}

/// A change of state, decided by the domain (`Decide`) and written by a store as it is,
/// atomically: the callback's new state, the lines its history gains, and what happens to
/// its escalation and the owner's outbox. A store adds nothing to it and leaves nothing out.
public struct Transition: Sendable, Equatable {
    public var callbackID: Int64
    /// The callback's new state; nil when it does not change (a note).
    public var callback: Callback?
    /// The deadline has been escalated as breached: never again for this callback.
    public var marksBreached = false
    /// The lines the history gains, in order.
    public var history: [CallbackEvent] = []
    public var escalation: EscalationChange?

    public init(callbackID: Int64, callback: Callback? = nil, history: [CallbackEvent] = [], escalation: EscalationChange? = nil) {
        self.callbackID = callbackID
        self.callback = callback
        self.history = history
        self.escalation = escalation
    }

    /// The escalation this transition resolved, if it resolved one.
    public var resolvedEscalation: Int64? {
        guard let escalation, escalation.state == .resolved else { return nil }
        return escalation.id
    }

    /// Whether it raised `reason` (a new escalation, or a reason added to the open one).
    public func raises(_ reason: EscalationReason) -> Bool {
        escalation?.raised.contains { $0.kind == reason } ?? false
    }

    /// This transition followed by `next` on the same callback: `next`'s state wins, the
    /// history lines and escalation changes are kept in order.
    public func then(_ next: Transition) -> Transition {
        var combined = self
        combined.callback = next.callback ?? callback
        combined.marksBreached = marksBreached || next.marksBreached
        combined.history += next.history
        switch (escalation, next.escalation) {
        case (nil, let change), (let change, nil): combined.escalation = change
        case (var first?, let second?):
            first.raised += second.raised
            first.announce += second.announce
            if second.state != nil {
                first.state = second.state
                first.by = second.by
                first.resolution = second.resolution
            }
            combined.escalation = first
        }
        return combined
    }
}

/// What a transition does to a callback's escalation.
public struct EscalationChange: Sendable, Equatable {
    /// The escalation it changes; nil opens a new one, created at `at`.
    public var id: Int64?
    /// Reasons to add, in order (a reason is never added to an escalation twice).
    public var raised: [RaisedReason]
    /// Who raised them: a person, or `system`.
    public var raisedBy: String
    public var at: Date
    /// The state it moves to (acknowledged, resolved); nil when it stays as it is.
    public var state: EscalationState?
    /// Who acknowledged or resolved it.
    public var by: String?
    /// The resolution, kept on the escalation.
    public var resolution: String?
    /// What the owner is told, on every notification channel, through the outbox (each
    /// subject once per escalation and channel).
    public var announce: [NotificationSubject]

    public init(
        id: Int64?, raised: [RaisedReason] = [], raisedBy: String, at: Date, state: EscalationState? = nil, by: String? = nil,
        resolution: String? = nil, announce: [NotificationSubject] = []
    ) {
        self.id = id
        self.raised = raised
        self.raisedBy = raisedBy
        self.at = at
        self.state = state
        self.by = by
        self.resolution = resolution
        self.announce = announce
    }
}
