import CallbackQueue
import Foundation
import PostgresNIO
import UseCases

extension PostgresStore {
    /// Raises `reason` on the callback (whose row the caller has locked): a new escalation,
    /// or the reason added to its open one (never twice), queued for every channel in the
    /// same transaction.
    func raiseEscalation(
        _ connection: PostgresConnection, callbackID: Int64, reason: EscalationReason, at now: Date, actor: String, detail: String
    ) async throws {
        let escalationID: Int64
        if let open = try await connection.one(
            "SELECT id FROM escalation WHERE callback_id = \(callbackID) AND state <> 'resolved'")
        {
            escalationID = try open.int64("id")
            let known = try await connection.one(
                "SELECT 1 AS known FROM escalation_reason WHERE escalation_id = \(escalationID) AND kind = \(reason.rawValue)")
            if known != nil { return }
        } else {
            guard
                let inserted = try await connection.one(
                    """
                    INSERT INTO escalation (callback_id, reason, reasons, state, created_at)
                    VALUES (\(callbackID), \(reason.rawValue), \(reason.rawValue), 'open', \(now.unixSeconds))
                    RETURNING id
                    """)
            else { throw StoreError("the escalation of callback #\(callbackID) was not stored") }
            escalationID = try inserted.int64("id")
        }
        try await connection.run(
            """
            INSERT INTO escalation_reason (escalation_id, kind, detail, raised_at, raised_by)
            VALUES (\(escalationID), \(reason.rawValue), \(detail), \(now.unixSeconds), \(actor))
            """)
        try await connection.run("UPDATE callback SET escalated = TRUE WHERE id = \(callbackID)")
        try await Self.appendEvent(
            connection, callbackID: callbackID, at: now, actor: actor, kind: .escalated, note: "\(reason.rawValue): \(detail)")
        try await queueNotifications(connection, escalationID: escalationID, subject: reason.rawValue, at: now)
    }

    func queueNotifications(_ connection: PostgresConnection, escalationID: Int64, subject: String, at now: Date) async throws {
        for channel in notificationChannels {
            try await connection.run(
                """
                INSERT INTO notification (escalation_id, channel, reason, next_attempt_at)
                VALUES (\(escalationID), \(channel), \(subject), \(now.unixSeconds))
                ON CONFLICT DO NOTHING
                """)
        }
    }

    func resolveOnDone(_ connection: PostgresConnection, callbackID: Int64, by actor: String, note: String?, at now: Date) async throws
        -> Int64?
    {
        guard
            let row = try await connection.one(
                "SELECT id FROM escalation WHERE callback_id = \(callbackID) AND state <> 'resolved' FOR UPDATE")
        else { return nil }
        let open = try row.int64("id")
        let resolution = "done by \(actor)" + (note.map { ": \($0)" } ?? "")
        try await connection.run(
            """
            UPDATE escalation SET state = 'resolved', resolved_by = \(actor), resolved_at = \(now.unixSeconds),
                resolution = \(resolution) WHERE id = \(open)
            """)
        try await connection.run("UPDATE callback SET escalated = FALSE WHERE id = \(callbackID)")
        try await Self.appendEvent(
            connection, callbackID: callbackID, at: now, actor: actor, kind: .resolved, note: "escalation #\(open) \(resolution)")
        try await queueNotifications(connection, escalationID: open, subject: OwnerNotification.resolvedSubject, at: now)
        return open
    }

    /// Escalates every callback whose deadline passed, once each however many nodes sweep:
    /// one statement marks them breached, skipping rows another sweep holds.
    @discardableResult
    public func sweepBreaches(at now: Date, timeZone: TimeZone) async throws(StoreError) -> Int {
        try await write { connection in
            let rows = try await connection.all(
                """
                UPDATE callback SET breached = TRUE
                WHERE id IN (
                    SELECT id FROM callback WHERE status <> 'done' AND NOT breached AND deadline <= \(now.unixSeconds)
                    ORDER BY id FOR UPDATE SKIP LOCKED)
                RETURNING id, deadline
                """)
            let due = try rows.map { (try $0.int64("id"), try $0.date("deadline")) }.sorted { $0.0 < $1.0 }
            for (id, deadline) in due {
                try await self.raiseEscalation(
                    connection, callbackID: id, reason: .breach, at: now, actor: "system",
                    detail: "promised by \(ReadableTime.format(deadline, in: timeZone, reference: now))")
            }
            return due.count
        }
    }

    public func escalations(includeResolved: Bool = false) async throws(StoreError) -> [EscalationDetail] {
        let ranks = EscalationReason.allCases.map { "WHEN '\($0.rawValue)' THEN \($0.rank)" }.joined(separator: " ")
        return try await read { connection in
            let rows = try await connection.all(
                """
                SELECT * FROM escalation \(unescaped: includeResolved ? "" : "WHERE state <> 'resolved'")
                ORDER BY CASE state WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END,
                    CASE reason \(unescaped: ranks) ELSE 9 END,
                    created_at, id
                """)
            var details: [EscalationDetail] = []
            for row in rows { details.append(try await Self.escalationDetail(connection, row: row)) }
            return details
        }
    }

    public func escalation(id: Int64) async throws(StoreError) -> EscalationDetail {
        try await read { connection in try await Self.escalationDetail(connection, id: id) }
    }

    public func acknowledge(escalation id: Int64, by actor: String, at now: Date) async throws(StoreError) -> EscalationDetail {
        try await write { connection in
            let current = try await Self.escalationDetail(connection, id: id, lock: true).escalation
            guard current.state == .open else {
                throw StoreError("escalation #\(id) is already \(current.state.rawValue)", code: .refused)
            }
            try await connection.run(
                """
                UPDATE escalation SET state = 'acknowledged', acknowledged_by = \(actor), acknowledged_at = \(now.unixSeconds)
                WHERE id = \(id)
                """)
            try await Self.appendEvent(
                connection, callbackID: current.callbackID, at: now, actor: actor, kind: .noted, note: "escalation #\(id) acknowledged")
            return try await Self.escalationDetail(connection, id: id)
        }
    }

    public func resolve(escalation id: Int64, by actor: String, note: String, at now: Date) async throws(StoreError) -> EscalationDetail {
        try await write { connection in
            let current = try await Self.escalationDetail(connection, id: id, lock: true)
            guard current.escalation.state != .resolved else {
                throw StoreError("escalation #\(id) is already resolved", code: .refused)
            }
            let callbackID = current.escalation.callbackID
            try await connection.run(
                """
                UPDATE escalation SET state = 'resolved', resolved_by = \(actor), resolved_at = \(now.unixSeconds),
                    resolution = \(note) WHERE id = \(id)
                """)
            try await connection.run("UPDATE callback SET escalated = FALSE WHERE id = \(callbackID)")
            try await Self.appendEvent(connection, callbackID: callbackID, at: now, actor: actor, kind: .resolved, note: note)
            if current.callback.callback.ownerLine, current.callback.callback.status(at: now) != .done {
                try await connection.run(
                    """
                    UPDATE callback SET status = 'done', closed_at = \(now.unixSeconds), closed_by = \(actor), available_at = NULL,
                        claim_expires_at = NULL, retry_at = NULL
                    WHERE id = \(callbackID)
                    """)
                try await Self.appendEvent(connection, callbackID: callbackID, at: now, actor: actor, kind: .done, note: nil)
            }
            return try await Self.escalationDetail(connection, id: id)
        }
    }

    // MARK: - The outbox

    /// Notifications not yet delivered whose next attempt has come, oldest first, each
    /// handed to one node: the rows are taken with `SKIP LOCKED` and their next attempt
    /// pushed a lease ahead in the same statement, so another node sees them again only if
    /// this one neither delivers nor fails them in time (it died: at least once).
    public func dueNotifications(at now: Date, limit: Int = 50) async throws(StoreError) -> [(OwnerNotification, EscalationDetail)] {
        let leaseEnd = now.unixSeconds + deliveryLease
        let due: [DueNotification] = try await write { connection in
            let rows = try await connection.all(
                """
                WITH due AS (
                    SELECT id, next_attempt_at FROM notification
                    WHERE delivered_at IS NULL AND next_attempt_at <= \(now.unixSeconds)
                    ORDER BY next_attempt_at, id LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED)
                UPDATE notification n SET next_attempt_at = \(leaseEnd)
                FROM due WHERE n.id = due.id
                RETURNING n.id AS id, n.escalation_id AS escalation_id, n.channel AS channel, n.reason AS reason,
                    n.attempts AS attempts, due.next_attempt_at AS next_attempt_at, n.delivered_at AS delivered_at,
                    n.last_error AS last_error
                """)
            let notifications = try rows.map { try $0.notification }
                .sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }
            var due: [DueNotification] = []
            for notification in notifications {
                var escalation = try await Self.escalationDetail(connection, id: notification.escalationID)
                // The escalation's own list shows each as it was due, not leased.
                for index in escalation.notifications.indices where escalation.notifications[index].id == notification.id {
                    escalation.notifications[index].nextAttemptAt = notification.nextAttemptAt
                }
                due.append(DueNotification(notification: notification, escalation: escalation))
            }
            return due
        }
        return due.map { ($0.notification, $0.escalation) }
    }

    struct DueNotification: Sendable {
        var notification: OwnerNotification
        var escalation: EscalationDetail
    }

    public func markDelivered(notification id: Int64, at now: Date) async throws(StoreError) {
        try await write { connection in
            try await connection.run(
                """
                UPDATE notification SET delivered_at = \(now.unixSeconds), attempts = attempts + 1, last_error = NULL
                WHERE id = \(id)
                """)
        }
    }

    public func markFailed(notification id: Int64, error: String, retryAt: Date) async throws(StoreError) {
        try await write { connection in
            try await connection.run(
                """
                UPDATE notification SET attempts = attempts + 1, last_error = \(error), next_attempt_at = \(retryAt.unixSeconds)
                WHERE id = \(id)
                """)
        }
    }

    static func escalationDetail(_ connection: PostgresConnection, id: Int64, lock: Bool = false) async throws -> EscalationDetail {
        guard
            let row = try await connection.one(
                "SELECT * FROM escalation WHERE id = \(id) \(unescaped: lock ? "FOR UPDATE" : "")")
        else {
            throw StoreError("there is no escalation #\(id)", code: .notFound)
        }
        return try await escalationDetail(connection, row: row)
    }

    static func escalationDetail(_ connection: PostgresConnection, row: PostgresRandomAccessRow) async throws -> EscalationDetail {
        let id = try row.int64("id")
        let reasons = try await connection.all(
            "SELECT kind, detail FROM escalation_reason WHERE escalation_id = \(id) ORDER BY id"
        ).map { RaisedReason(try $0.enumValue("kind", as: EscalationReason.self), detail: try $0.optionalString("detail")) }
        let escalation = try row.escalation(reasons: reasons)
        let notifications = try await connection.all(
            "SELECT * FROM notification WHERE escalation_id = \(id) ORDER BY id"
        ).map { try $0.notification }
        return EscalationDetail(
            escalation: escalation, callback: try await detail(connection, id: escalation.callbackID, withHistory: true),
            notifications: notifications)
    }
}
