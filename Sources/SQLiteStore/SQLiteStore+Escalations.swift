import Domain
import Foundation
import GRDB


extension SQLiteStore {
    /// Open and acknowledged escalations, most urgent first (open before acknowledged,
    /// then by reason, then oldest first); with `includeResolved`, resolved ones last.
    public func escalations(includeResolved: Bool = false) async throws(StoreError) -> [EscalationDetail] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM escalation \(includeResolved ? "" : "WHERE state != 'resolved'")
                    ORDER BY CASE state WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END,
                        CASE reason \(EscalationReason.allCases.map { "WHEN '\($0.rawValue)' THEN \($0.rank)" }.joined(separator: " ")) ELSE 9 END,
                        created_at, id
                    """)
            return try rows.map { try Self.escalationDetail(db, row: $0) }
        }
    }

    public func escalation(id: Int64) async throws(StoreError) -> EscalationDetail {
        try await read { db in try Self.escalationDetail(db, id: id) }
    }

    // MARK: - The outbox

    /// Notifications not yet delivered whose next attempt has come, oldest first.
    public func dueNotifications(at now: Date, limit: Int = 50) async throws(StoreError) -> [(OwnerNotification, EscalationDetail)] {
        try await read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM notification WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
                arguments: [now.unixSeconds, limit])
            return try rows.map { row in
                let notification = try OwnerNotification(row: row)
                return (notification, try Self.escalationDetail(db, id: notification.escalationID))
            }
        }
    }

    /// The channel accepted it: never sent again.
    public func markDelivered(notification id: Int64, at now: Date) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE notification SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                arguments: [now.unixSeconds, id])
        }
    }

    /// The channel refused or failed: try again at `retryAt`.
    public func markFailed(notification id: Int64, error: String, retryAt: Date) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE notification SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                arguments: [error, retryAt.unixSeconds, id])
        }
    }

    static func escalationDetail(_ db: Database, id: Int64) throws -> EscalationDetail {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM escalation WHERE id = ?", arguments: [id]) else {
            throw StoreError(.noEscalation(id))
        }
        return try escalationDetail(db, row: row)
    }

    static func escalation(_ db: Database, row: Row) throws -> Escalation {
        let record = try EscalationRecord(row: row)
        let reasons = try EscalationReasonRecord.fetchAll(
            db, sql: "SELECT kind, detail FROM escalation_reason WHERE escalation_id = ? ORDER BY id", arguments: [record.id]
        ).map { RaisedReason($0.kind, detail: $0.detail) }
        return record.escalation(reasons: reasons)
    }

    static func escalationDetail(_ db: Database, row: Row) throws -> EscalationDetail {
        let escalation = try escalation(db, row: row)
        let notifications = try Row.fetchAll(
            db, sql: "SELECT * FROM notification WHERE escalation_id = ? ORDER BY id", arguments: [escalation.id]
        ).map { try OwnerNotification(row: $0) }
        return EscalationDetail(
            escalation: escalation, callback: try detail(db, id: escalation.callbackID, withHistory: true), notifications: notifications)
    }
}

/// An `escalation` row.
struct EscalationRecord: Decodable, FetchableRecord, TableRecord {
    static let databaseTableName = "escalation"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

    var id: Int64
    var callbackId: Int64
    var reason: EscalationReason
    var state: EscalationState
    var createdAt: Int64
    var acknowledgedBy: String?
    var acknowledgedAt: Int64?
    var resolvedBy: String?
    var resolvedAt: Int64?
    var resolution: String?

    func escalation(reasons: [RaisedReason]) -> Escalation {
        Escalation(
            id: id, callbackID: callbackId, reason: reason, reasons: reasons, state: state,
            createdAt: Date(unixSeconds: createdAt), acknowledgedBy: acknowledgedBy,
            acknowledgedAt: acknowledgedAt.map(Date.init(unixSeconds:)), resolvedBy: resolvedBy,
            resolvedAt: resolvedAt.map(Date.init(unixSeconds:)), resolution: resolution)
    }
}

/// An `escalation_reason` row.
struct EscalationReasonRecord: Decodable, FetchableRecord, TableRecord {
    static let databaseTableName = "escalation_reason"
    var kind: EscalationReason
    var detail: String?
}

/// A `notification` row (the outbox).
struct NotificationRecord: Decodable, FetchableRecord, TableRecord {
    static let databaseTableName = "notification"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

    var id: Int64
    var escalationId: Int64
    var channel: String
    var reason: String
    var attempts: Int
    var nextAttemptAt: Int64
    var deliveredAt: Int64?
    var lastError: String?

    func notification() throws -> OwnerNotification {
        guard let subject = NotificationSubject(rawValue: reason) else {
            throw StoreError("notification #\(id) announces \"\(reason)\", which this version does not know")
        }
        return OwnerNotification(
            id: id, escalationID: escalationId, channel: channel, subject: subject, attempts: attempts,
            nextAttemptAt: Date(unixSeconds: nextAttemptAt), deliveredAt: deliveredAt.map(Date.init(unixSeconds:)),
            lastError: lastError)
    }
}

extension EscalationReason: DatabaseValueConvertible {}
extension EscalationState: DatabaseValueConvertible {}

extension OwnerNotification {
    init(row: Row) throws {
        self = try NotificationRecord(row: row).notification()
    }
}
