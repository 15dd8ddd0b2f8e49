import Domain
import Foundation
internal import PostgresNIO
import UseCases

extension PostgresStore {
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
            throw StoreError(.noEscalation(id))
        }
        return try await escalationDetail(connection, row: row)
    }

    static func escalationDetail(_ connection: PostgresConnection, row: PostgresRandomAccessRow) async throws -> EscalationDetail {
        let id = try row.int64("id")
        let escalation = try await Self.escalation(connection, row: row)
        let notifications = try await connection.all(
            "SELECT * FROM notification WHERE escalation_id = \(id) ORDER BY id"
        ).map { try $0.notification }
        return EscalationDetail(
            escalation: escalation, callback: try await detail(connection, id: escalation.callbackID, withHistory: true),
            notifications: notifications)
    }
}
