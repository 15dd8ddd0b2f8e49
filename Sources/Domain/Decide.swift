import Foundation

/// Every change of state a callback or an escalation can go through, decided once: each
/// function takes the records as a store loaded them and the request, and returns the
/// `Transition` to write or throws the `Refusal` (as a `StoreError`). Pure: no clock, no
/// I/O; the same decision for every store.
public enum Decide {
    /// Claims `callback` (the first servable one in serving order, which the store picked)
    /// for `staff` for `lease` seconds. A claim whose lease ran out is taken over, and its
    /// lapse recorded first.
    public static func claim(_ callback: Callback, by staff: String, lease: Int, at now: Date) -> Transition {
        var history: [CallbackEvent] = []
        if callback.recordedStatus == .claimed, let expired = callback.claimExpiresAt {
            history.append(CallbackEvent(at: expired, actor: system, kind: .lapsed, note: lapsedNote(holder: callback.claimedBy)))
        }
        history.append(CallbackEvent(at: now, actor: staff, kind: .claimed))
        var claimed = callback
        let expires = now.addingTimeInterval(TimeInterval(lease))
        claimed.recordedStatus = .claimed
        claimed.claimedBy = staff
        claimed.claimExpiresAt = expires
        claimed.availableAt = expires
        return Transition(callbackID: callback.id, callback: claimed, history: history)
    }

    /// The history note of a claim that lapsed; `lapsedNoteParts` is the same sentence for a
    /// store that writes it in SQL, around the holder's name.
    public static func lapsedNote(holder: String?) -> String {
        lapsedNoteParts.before + (holder ?? lapsedNoteParts.unknownHolder) + lapsedNoteParts.after
    }

    public static let lapsedNoteParts = (before: "claim by ", unknownHolder: "someone", after: " lapsed")

    /// Gives a claim back: the callback returns to the queue at once.
    public static func release(_ records: CallbackRecords, by person: Acting, force: Bool, at now: Date) throws(StoreError) -> Transition {
        let callback = try visible(records, to: person)
        guard callback.status(at: now) == .claimed else { throw StoreError(.notClaimed(callback.id, callback.status(at: now))) }
        let forced = try callback.checkOutcomeAllowed(by: person, at: now, force: force)
        var released = callback
        released.recordedStatus = .open
        released.claimedBy = nil
        released.claimExpiresAt = nil
        released.availableAt = now
        return Transition(
            callbackID: callback.id, callback: released,
            history: [CallbackEvent(at: now, actor: person.name, kind: .released, note: Callback.withForce(nil, forced))])
    }

    /// A call that did not reach the caller: one more attempt, and the callback waits until
    /// `retryAt`. Reaching `maxAttempts` escalates it to the owner.
    public static func noAnswer(
        _ records: CallbackRecords, by person: Acting, note: String?, force: Bool, retryAt: Date, maxAttempts: Int, at now: Date
    ) throws(StoreError) -> Transition {
        let callback = try visible(records, to: person)
        let forced = try callback.checkOutcomeAllowed(by: person, at: now, force: force)
        var waiting = callback
        waiting.recordedStatus = .waiting
        waiting.attempts += 1
        waiting.retryAt = retryAt
        waiting.availableAt = retryAt
        waiting.claimedBy = nil
        waiting.claimExpiresAt = nil
        let attempted = Transition(
            callbackID: callback.id, callback: waiting,
            history: [
                CallbackEvent(
                    at: now, actor: person.name, kind: .attempted,
                    note: Callback.withForce(note ?? "no answer (attempt \(waiting.attempts) of \(maxAttempts))", forced))
            ])
        guard waiting.attempts >= maxAttempts else { return attempted }
        var after = records
        after.callback = waiting
        return attempted.then(
            raise(.maxAttempts, on: after, detail: "\(waiting.attempts) attempts without reaching the caller", by: system, at: now))
    }

    /// The caller was reached: the callback closes, and its open escalation is resolved
    /// with who did it and what they noted, and the owner told through the channels that
    /// announced it (fixing it is not enough; the owner must hear it was fixed).
    public static func done(_ records: CallbackRecords, by person: Acting, note: String?, force: Bool, at now: Date) throws(StoreError)
        -> Transition
    {
        let callback = try visible(records, to: person)
        let forced = try callback.checkOutcomeAllowed(by: person, at: now, force: force)
        var done = closed(callback, by: person.name, at: now)
        var history = [CallbackEvent(at: now, actor: person.name, kind: .done, note: Callback.withForce(note, forced))]
        var change: EscalationChange?
        if let open = records.openEscalation {
            let resolution = "done by \(person.name)" + (note.map { ": \($0)" } ?? "")
            done.escalated = false
            history.append(CallbackEvent(at: now, actor: person.name, kind: .resolved, note: "escalation #\(open.id) \(resolution)"))
            change = EscalationChange(
                id: open.id, raisedBy: person.name, at: now, state: .resolved, by: person.name, resolution: resolution,
                announce: [.resolved])
        }
        return Transition(callbackID: callback.id, callback: done, history: history, escalation: change)
    }

    /// Hands the callback to the owner; it stays in the queue, served first. Like every
    /// outcome, it respects a colleague's claim unless `force`.
    public static func escalate(_ records: CallbackRecords, by person: Acting, reason: String, force: Bool, at now: Date) throws(StoreError)
        -> Transition
    {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw StoreError(.emptyEscalationReason(records.callback.id)) }
        let callback = try visible(records, to: person)
        let forced = try callback.checkOutcomeAllowed(by: person, at: now, force: force)
        return raise(.staff, on: records, detail: Callback.withForce(reason, forced) ?? reason, by: person.name, at: now)
    }

    /// A note in the history without an outcome ("asked for a quote by email").
    public static func note(_ records: CallbackRecords, by person: Acting, text: String, at now: Date) throws(StoreError) -> Transition {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw StoreError(.emptyNote(records.callback.id)) }
        let callback = try visible(records, to: person)
        return Transition(callbackID: callback.id, history: [CallbackEvent(at: now, actor: person.name, kind: .noted, note: text)])
    }

    /// Puts a callback closed by mistake back in the queue, at once, keeping its history and
    /// deadline. A blocked number's callback stays closed (unblocking comes first), and a
    /// caller never has two callbacks open on one line.
    public static func reopen(_ records: CallbackRecords, by person: Acting, note: String?, at now: Date) throws(StoreError) -> Transition {
        let callback = try visible(records, to: person)
        if callback.callerBlocked, let number = callback.caller.number { throw StoreError(.callerBlocked(callback.id, number)) }
        guard callback.recordedStatus == .done else { throw StoreError(.notDone(callback.id, callback.status(at: now))) }
        if let open = records.otherOpenCallback { throw StoreError(.callerHasOpenCallback(reopening: callback.id, open: open)) }
        var reopened = callback
        reopened.recordedStatus = .open
        reopened.closedAt = nil
        reopened.closedBy = nil
        reopened.availableAt = now
        return Transition(
            callbackID: callback.id, callback: reopened, history: [CallbackEvent(at: now, actor: person.name, kind: .reopened, note: note)])
    }

    /// Hands a claim (or an open callback) to a colleague, who holds it for a fresh lease.
    /// Someone else's claim is only taken with `force`.
    public static func assign(
        _ records: CallbackRecords, to colleague: String, by person: Acting, force: Bool, lease: Int, at now: Date
    ) throws(StoreError) -> Transition {
        let callback = try visible(records, to: person)
        let forced = try callback.checkOutcomeAllowed(by: person, at: now, force: force)
        var assigned = callback
        let expires = now.addingTimeInterval(TimeInterval(lease))
        assigned.recordedStatus = .claimed
        assigned.claimedBy = colleague
        assigned.claimExpiresAt = expires
        assigned.availableAt = expires
        assigned.retryAt = nil
        return Transition(
            callbackID: callback.id, callback: assigned,
            history: [CallbackEvent(at: now, actor: person.name, kind: .assigned, note: Callback.withForce("to \(colleague)", forced))])
    }

    /// The promise passed with the caller not reached (the deadline while there is no
    /// promise: DESIGN §10): escalated once, with the promise that was missed in the
    /// business's time zone. Nil when there is nothing to do (done, or already escalated
    /// for it).
    public static func breach(_ records: CallbackRecords, timeZone: TimeZone, at now: Date) -> Transition? {
        let callback = records.callback
        guard callback.recordedStatus != .done, !callback.breached, callback.servedBy <= now else { return nil }
        var marked = Transition(callbackID: callback.id)
        marked.marksBreached = true
        let missed = "promised by \(ReadableTime.format(callback.servedBy, in: timeZone, reference: now))"
        return marked.then(raise(.breach, on: records, detail: missed, by: system, at: now))
    }

    /// Raises `reason` on the callback: a new escalation, or the reason added to its open
    /// one, announced on every channel. Raising a reason the open escalation already has
    /// changes nothing.
    public static func raise(_ reason: EscalationReason, on records: CallbackRecords, detail: String, by actor: String, at now: Date)
        -> Transition
    {
        let callback = records.callback
        if let open = records.openEscalation, open.reasons.contains(where: { $0.kind == reason }) {
            return Transition(callbackID: callback.id)
        }
        var escalated = callback
        escalated.escalated = true
        return Transition(
            callbackID: callback.id, callback: escalated,
            history: [CallbackEvent(at: now, actor: actor, kind: .escalated, note: "\(reason.rawValue): \(detail)")],
            escalation: EscalationChange(
                id: records.openEscalation?.id, raised: [RaisedReason(reason, detail: detail)], raisedBy: actor, at: now,
                announce: [.raised(reason)]))
    }

    /// The owner has seen it.
    public static func acknowledge(_ escalation: Escalation, on records: CallbackRecords, by actor: String, at now: Date) throws(StoreError)
        -> Transition
    {
        guard escalation.state == .open else { throw StoreError(.escalationAlready(escalation.id, escalation.state)) }
        return Transition(
            callbackID: escalation.callbackID,
            history: [CallbackEvent(at: now, actor: actor, kind: .noted, note: "escalation #\(escalation.id) acknowledged")],
            escalation: EscalationChange(id: escalation.id, raisedBy: actor, at: now, state: .acknowledged, by: actor))
    }

    /// The owner dealt with it: the note is the resolution, kept on the escalation and in the
    /// callback's history. A callback from the owner's line is closed with it; a staff
    /// callback stays in the queue, no longer marked escalated.
    public static func resolve(_ escalation: Escalation, on records: CallbackRecords, by actor: String, note: String, at now: Date)
        throws(StoreError) -> Transition
    {
        guard !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw StoreError(.emptyResolution(escalation.id)) }
        guard escalation.state != .resolved else { throw StoreError(.escalationAlready(escalation.id, .resolved)) }
        var callback = records.callback
        callback.escalated = false
        var history = [CallbackEvent(at: now, actor: actor, kind: .resolved, note: note)]
        if callback.ownerLine, callback.status(at: now) != .done {
            callback = closed(callback, by: actor, at: now)
            history.append(CallbackEvent(at: now, actor: actor, kind: .done))
        }
        return Transition(
            callbackID: escalation.callbackID, callback: callback, history: history,
            escalation: EscalationChange(id: escalation.id, raisedBy: actor, at: now, state: .resolved, by: actor, resolution: note))
    }

    /// Who the service acts as in the history.
    public static let system = "system"

    static func visible(_ records: CallbackRecords, to person: Acting) throws(StoreError) -> Callback {
        guard records.callback.isVisible(to: person) else { throw StoreError(.noCallback(records.callback.id)) }
        return records.callback
    }

    static func closed(_ callback: Callback, by actor: String, at now: Date) -> Callback {
        var done = callback
        done.recordedStatus = .done
        done.closedAt = now
        done.closedBy = actor
        done.availableAt = nil
        done.claimExpiresAt = nil
        done.retryAt = nil
        return done
    }
}
