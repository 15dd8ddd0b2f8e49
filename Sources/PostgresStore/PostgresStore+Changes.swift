import Domain
import Foundation
internal import PostgresNIO
import UseCases

// Every change of state is decided in the domain (`Decide`); this file only loads the
// records it needs, with the callback's row locked (`FOR UPDATE`), and writes the
// `Transition` it returns, in one transaction. Changes to one callback from several nodes
// queue up on that lock; a transaction the server aborts is run again, decision included.

extension PostgresStore {
    public func change(
        callback id: Int64, _ decide: @escaping @Sendable (CallbackRecords) throws(StoreError) -> Transition
    ) async throws(StoreError) -> Changed {
        try await write { connection in
            let transition = try decide(try await Self.records(connection, callbackID: id))
            try await self.apply(connection, transition)
            return Changed(detail: try await Self.detail(connection, id: id, withHistory: true), transition: transition)
        }
    }

    public func change(
        escalation id: Int64, _ decide: @escaping @Sendable (Escalation, CallbackRecords) throws(StoreError) -> Transition
    ) async throws(StoreError) -> EscalationDetail {
        try await write { connection in
            // The callback's row is locked first, as every change locks it, then the
            // escalation's: one order, so two changes never wait on each other in a circle.
            guard let owner = try await connection.one("SELECT callback_id FROM escalation WHERE id = \(id)") else {
                throw StoreError(.noEscalation(id))
            }
            let records = try await Self.records(connection, callbackID: try owner.int64("callback_id"))
            guard let row = try await connection.one("SELECT * FROM escalation WHERE id = \(id) FOR UPDATE") else {
                throw StoreError(.noEscalation(id))
            }
            try await self.apply(connection, try decide(try await Self.escalation(connection, row: row), records))
            return try await Self.escalationDetail(connection, id: id)
        }
    }

    /// Every callback whose promise (its deadline while it has none) passed, once each however many nodes sweep: the due
    /// rows are locked with `SKIP LOCKED` (another sweep holds the rest), each decided and
    /// written in one transaction.
    @discardableResult
    public func sweepBreaches(at now: Date, _ decide: @escaping @Sendable (CallbackRecords) -> Transition?) async throws(StoreError) -> Int {
        try await write { connection in
            let due = try await connection.all(
                """
                SELECT id FROM callback WHERE status <> 'done' AND NOT breached AND COALESCE(promised_by, deadline) <= \(now.unixSeconds)
                ORDER BY id FOR UPDATE SKIP LOCKED
                """
            ).map { try $0.int64("id") }
            var changed = 0
            for id in due {
                guard let transition = decide(try await Self.records(connection, callbackID: id)) else { continue }
                try await self.apply(connection, transition)
                changed += 1
            }
            return changed
        }
    }

    /// What a decision on callback `id` needs, its row locked until the transaction ends.
    static func records(_ connection: PostgresConnection, callbackID id: Int64) async throws -> CallbackRecords {
        guard let row = try await connection.one("SELECT * FROM callback WHERE id = \(id) FOR UPDATE") else {
            throw StoreError(.noCallback(id))
        }
        var callback = try row.callback
        callback.callerBlocked = try await isBlocked(connection, callback.caller.number)
        var open: Escalation?
        if let row = try await connection.one("SELECT * FROM escalation WHERE callback_id = \(id) AND state <> 'resolved' FOR UPDATE") {
            open = try await escalation(connection, row: row)
        }
        var other: Int64?
        if callback.recordedStatus == .done, let number = callback.caller.number {
            other = try await openCallback(connection, number: number, ownerLine: callback.ownerLine, besides: id)
        }
        return CallbackRecords(callback: callback, openEscalation: open, otherOpenCallback: other)
    }

    /// The callback not yet done of `number` on the line, other than `besides`.
    static func openCallback(_ connection: PostgresConnection, number: PhoneNumber, ownerLine: Bool, besides: Int64? = nil) async throws
        -> Int64?
    {
        try await connection.one(
            """
            SELECT id FROM callback
            WHERE caller_number = \(number.e164) AND status <> 'done' AND owner = \(ownerLine) AND id <> \(besides ?? 0) LIMIT 1
            """
        ).map { try $0.int64("id") }
    }

    static func escalation(_ connection: PostgresConnection, row: PostgresRandomAccessRow) async throws -> Escalation {
        let reasons = try await connection.all(
            "SELECT kind, detail FROM escalation_reason WHERE escalation_id = \(try row.int64("id")) ORDER BY id"
        ).map { RaisedReason(try $0.enumValue("kind", as: EscalationReason.self), detail: try $0.optionalString("detail")) }
        return try row.escalation(reasons: reasons)
    }

    /// Writes `transition` as it is, in the caller's transaction.
    func apply(_ connection: PostgresConnection, _ transition: Transition) async throws {
        let id = transition.callbackID
        if let c = transition.callback {
            try await connection.run(
                """
                UPDATE callback SET status = \(c.recordedStatus.rawValue), claimed_by = \(c.claimedBy),
                    claim_expires_at = \(c.claimExpiresAt?.unixSeconds), available_at = \(c.availableAt?.unixSeconds),
                    retry_at = \(c.retryAt?.unixSeconds), attempts = \(c.attempts), closed_at = \(c.closedAt?.unixSeconds),
                    closed_by = \(c.closedBy), escalated = \(c.escalated), urgent = \(c.urgent), caller_number = \(c.caller.number?.e164)
                WHERE id = \(id)
                """)
        }
        if transition.marksBreached { try await connection.run("UPDATE callback SET breached = TRUE WHERE id = \(id)") }
        if let change = transition.escalation { try await apply(connection, change, callbackID: id) }
        for event in transition.history {
            try await Self.appendEvent(connection, callbackID: id, at: event.at, actor: event.actor, kind: event.kind, note: event.note)
        }
    }

    private func apply(_ connection: PostgresConnection, _ change: EscalationChange, callbackID: Int64) async throws {
        let escalationID: Int64
        if let id = change.id {
            escalationID = id
        } else {
            let first = change.raised.first?.kind.rawValue ?? ""
            guard
                let inserted = try await connection.one(
                    """
                    INSERT INTO escalation (callback_id, reason, reasons, state, created_at)
                    VALUES (\(callbackID), \(first), \(first), 'open', \(change.at.unixSeconds))
                    RETURNING id
                    """)
            else { throw StoreError("the escalation of callback #\(callbackID) was not stored") }
            escalationID = try inserted.int64("id")
        }
        for reason in change.raised {
            try await connection.run(
                """
                INSERT INTO escalation_reason (escalation_id, kind, detail, raised_at, raised_by)
                VALUES (\(escalationID), \(reason.kind.rawValue), \(reason.detail), \(change.at.unixSeconds), \(change.raisedBy))
                """)
        }
        switch change.state {
        case .acknowledged:
            try await connection.run(
                """
                UPDATE escalation SET state = 'acknowledged', acknowledged_by = \(change.by), acknowledged_at = \(change.at.unixSeconds)
                WHERE id = \(escalationID)
                """)
        case .resolved:
            try await connection.run(
                """
                UPDATE escalation SET state = 'resolved', resolved_by = \(change.by), resolved_at = \(change.at.unixSeconds),
                    resolution = \(change.resolution) WHERE id = \(escalationID)
                """)
        case .open, nil:
            break
        }
        for subject in change.announce {
            for channel in notificationChannels {
                try await connection.run(
                    """
                    INSERT INTO notification (escalation_id, channel, reason, next_attempt_at)
                    VALUES (\(escalationID), \(channel), \(subject.rawValue), \(change.at.unixSeconds))
                    ON CONFLICT DO NOTHING
                    """)
            }
        }
    }

    /// Raises `reason` on the callback from inside the store's own jobs (ingest, transcripts),
    /// as the domain decides it.
    func raiseEscalation(
        _ connection: PostgresConnection, callbackID: Int64, reason: EscalationReason, at now: Date, actor: String, detail: String
    ) async throws {
        let records = try await Self.records(connection, callbackID: callbackID)
        try await apply(connection, Decide.raise(reason, on: records, detail: detail, by: actor, at: now))
    }
}
