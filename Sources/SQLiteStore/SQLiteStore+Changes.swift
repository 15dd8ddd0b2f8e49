import Domain
import Foundation
import GRDB
import UseCases

// Every change of state is decided in the domain (`Decide`); this file only loads the
// records it needs, under SQLite's write lock, and writes the `Transition` it returns.

extension SQLiteStore {
    /// Loads callback `id`'s records inside one IMMEDIATE transaction, asks `decide`, and
    /// writes what it returns in the same transaction: nothing can change in between.
    public func change(
        callback id: Int64, _ decide: @escaping @Sendable (CallbackRecords) throws(StoreError) -> Transition
    ) async throws(StoreError) -> Changed {
        try await write { db in
            let transition = try decide(try Self.records(db, callbackID: id))
            try self.apply(db, transition)
            return Changed(detail: try Self.detail(db, id: id, withHistory: true), transition: transition)
        }
    }

    /// The same for a change decided on escalation `id` and its callback.
    public func change(
        escalation id: Int64, _ decide: @escaping @Sendable (Escalation, CallbackRecords) throws(StoreError) -> Transition
    ) async throws(StoreError) -> EscalationDetail {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM escalation WHERE id = ?", arguments: [id]) else {
                throw StoreError(.noEscalation(id))
            }
            let escalation = try Self.escalation(db, row: row)
            try self.apply(db, try decide(escalation, try Self.records(db, callbackID: escalation.callbackID)))
            return try Self.escalationDetail(db, id: id)
        }
    }

    /// Every callback whose promise (its deadline while it has none) has passed and that was
    /// never escalated for it, each
    /// decided by `decide` and written, in one transaction; how many changed. Cheap when
    /// there is nothing to do: one indexed read.
    @discardableResult
    public func sweepBreaches(at now: Date, _ decide: @escaping @Sendable (CallbackRecords) -> Transition?) async throws(StoreError) -> Int {
        let due = try await read { db in
            try Int64.fetchAll(
                db, sql: "SELECT id FROM callback WHERE status != 'done' AND breached = 0 AND COALESCE(promised_by, deadline) <= ?", arguments: [now.unixSeconds])
        }
        guard !due.isEmpty else { return 0 }
        return try await write { db in
            var changed = 0
            for id in due {
                // Decided again inside the transaction: another process may have swept first.
                guard let transition = decide(try Self.records(db, callbackID: id)) else { continue }
                try self.apply(db, transition)
                changed += 1
            }
            return changed
        }
    }

    /// What a decision on callback `id` needs: the callback, its unresolved escalation, and
    /// (for a done one) another open callback of the same caller on the same line.
    static func records(_ db: Database, callbackID id: Int64) throws -> CallbackRecords {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM callback WHERE id = ?", arguments: [id]) else {
            throw StoreError(.noCallback(id))
        }
        var callback = try Callback(row: row)
        callback.callerBlocked = try isBlocked(db, callback.caller.number)
        let open = try Row.fetchOne(db, sql: "SELECT * FROM escalation WHERE callback_id = ? AND state != 'resolved'", arguments: [id])
            .map { try escalation(db, row: $0) }
        var other: Int64?
        if callback.recordedStatus == .done, let number = callback.caller.number {
            other = try openCallback(db, number: number, ownerLine: callback.ownerLine, besides: id)
        }
        return CallbackRecords(callback: callback, openEscalation: open, otherOpenCallback: other)
    }

    /// The callback not yet done of `number` on the line, other than `besides`.
    static func openCallback(_ db: Database, number: PhoneNumber, ownerLine: Bool, besides: Int64? = nil) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM callback WHERE caller_number = ? AND status != 'done' AND owner = ? AND id != ? LIMIT 1"),
            arguments: [number.e164, ownerLine, besides ?? 0])
    }

    /// Writes `transition` as it is, in the caller's transaction.
    func apply(_ db: Database, _ transition: Transition) throws {
        let id = transition.callbackID
        if let callback = transition.callback {
            try db.execute(
                sql: """
                    UPDATE callback SET status = ?, claimed_by = ?, claim_expires_at = ?, available_at = ?, retry_at = ?,
                        attempts = ?, closed_at = ?, closed_by = ?, escalated = ?, urgent = ?, caller_number = ?
                    WHERE id = ?
                    """,
                arguments: [
                    callback.recordedStatus, callback.claimedBy, callback.claimExpiresAt?.unixSeconds, callback.availableAt?.unixSeconds,
                    callback.retryAt?.unixSeconds, callback.attempts, callback.closedAt?.unixSeconds, callback.closedBy,
                    callback.escalated, callback.urgent, callback.caller.number?.e164, id,
                ])
        }
        if transition.marksBreached { try db.execute(sql: "UPDATE callback SET breached = 1 WHERE id = ?", arguments: [id]) }
        if let change = transition.escalation { try apply(db, change, callbackID: id) }
        for event in transition.history {
            try Self.appendEvent(db, callbackID: id, at: event.at, actor: event.actor, kind: event.kind, note: event.note)
        }
    }

    private func apply(_ db: Database, _ change: EscalationChange, callbackID: Int64) throws {
        let escalationID: Int64
        if let id = change.id {
            escalationID = id
        } else {
            // `reasons` (v2's comma list) is superseded by escalation_reason; it keeps the
            // first reason only because the column cannot be NULL.
            let first = change.raised.first?.kind.rawValue ?? ""
            try db.execute(
                sql: "INSERT INTO escalation (callback_id, reason, reasons, state, created_at) VALUES (?, ?, ?, 'open', ?)",
                arguments: [callbackID, first, first, change.at.unixSeconds])
            escalationID = db.lastInsertedRowID
        }
        for reason in change.raised {
            try db.execute(
                sql: "INSERT INTO escalation_reason (escalation_id, kind, detail, raised_at, raised_by) VALUES (?, ?, ?, ?, ?)",
                arguments: [escalationID, reason.kind.rawValue, reason.detail, change.at.unixSeconds, change.raisedBy])
        }
        switch change.state {
        case .acknowledged:
            try db.execute(
                sql: "UPDATE escalation SET state = 'acknowledged', acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
                arguments: [change.by, change.at.unixSeconds, escalationID])
        case .resolved:
            try db.execute(
                sql: "UPDATE escalation SET state = 'resolved', resolved_by = ?, resolved_at = ?, resolution = ? WHERE id = ?",
                arguments: [change.by, change.at.unixSeconds, change.resolution, escalationID])
        case .open, nil:
            break
        }
        // One outbox row per configured channel, in this transaction, so it cannot be lost
        // between here and the outbox; never twice for an escalation, channel and subject.
        for subject in change.announce {
            for channel in notificationChannels {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO notification (escalation_id, channel, reason, next_attempt_at) VALUES (?, ?, ?, ?)",
                    arguments: [escalationID, channel, subject.rawValue, change.at.unixSeconds])
            }
        }
    }

    /// Raises `reason` on the callback from inside the store's own jobs (ingest, transcripts),
    /// as the domain decides it.
    func raiseEscalation(_ db: Database, callbackID: Int64, reason: EscalationReason, at now: Date, actor: String, detail: String) throws {
        try apply(db, Decide.raise(reason, on: try Self.records(db, callbackID: callbackID), detail: detail, by: actor, at: now))
    }
}
