import CallbackQueue
import Foundation
import GRDB


extension CallbackStore {
    /// Raises `reason` on the callback: a new escalation, or the reason added to its open
    /// one (never twice). `detail` is what the reason says in words (staff's reason, the
    /// promise missed); it is kept with the reason and shown to the owner. Each new reason
    /// is queued for every notification channel in the same transaction, so it cannot be
    /// lost between here and the outbox.
    func raiseEscalation(_ db: Database, callbackID: Int64, reason: EscalationReason, at now: Date, actor: String, detail: String) throws {
        let escalationID: Int64
        if let open = try Int64.fetchOne(
            db, sql: "SELECT id FROM escalation WHERE callback_id = ? AND state != 'resolved'", arguments: [callbackID])
        {
            let known = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM escalation_reason WHERE escalation_id = ? AND kind = ?", arguments: [open, reason.rawValue]) ?? false
            if known { return }
            escalationID = open
        } else {
            // `reasons` (v2's comma list) is superseded by escalation_reason; it keeps the
            // first reason only because the column cannot be NULL.
            try db.execute(
                sql: "INSERT INTO escalation (callback_id, reason, reasons, state, created_at) VALUES (?, ?, ?, 'open', ?)",
                arguments: [callbackID, reason.rawValue, reason.rawValue, now.unixSeconds])
            escalationID = db.lastInsertedRowID
        }
        try db.execute(
            sql: "INSERT INTO escalation_reason (escalation_id, kind, detail, raised_at, raised_by) VALUES (?, ?, ?, ?, ?)",
            arguments: [escalationID, reason.rawValue, detail, now.unixSeconds, actor])
        try db.execute(sql: "UPDATE callback SET escalated = 1 WHERE id = ?", arguments: [callbackID])
        try Self.appendEvent(db, callbackID: callbackID, at: now, actor: actor, kind: .escalated, note: "\(reason.rawValue): \(detail)")
        try queueNotifications(db, escalationID: escalationID, subject: reason.rawValue, at: now)
    }

    /// One notification per configured channel announcing `subject` (a reason, or
    /// `resolved`); never twice for the same escalation, channel and subject.
    func queueNotifications(_ db: Database, escalationID: Int64, subject: String, at now: Date) throws {
        for channel in notificationChannels {
            try db.execute(
                sql: "INSERT OR IGNORE INTO notification (escalation_id, channel, reason, next_attempt_at) VALUES (?, ?, ?, ?)",
                arguments: [escalationID, channel, subject, now.unixSeconds])
        }
    }

    /// Staff reached the caller: the callback's open escalation is resolved with who did
    /// it and what they noted, and the owner is told through the same channels that
    /// announced it. Fixing it is not enough; the owner must hear it was fixed.
    func resolveOnDone(_ db: Database, callbackID: Int64, by actor: String, note: String?, at now: Date) throws -> Int64? {
        guard let open = try Int64.fetchOne(
            db, sql: "SELECT id FROM escalation WHERE callback_id = ? AND state != 'resolved'", arguments: [callbackID])
        else { return nil }
        let resolution = "done by \(actor)" + (note.map { ": \($0)" } ?? "")
        try db.execute(
            sql: "UPDATE escalation SET state = 'resolved', resolved_by = ?, resolved_at = ?, resolution = ? WHERE id = ?",
            arguments: [actor, now.unixSeconds, resolution, open])
        try db.execute(sql: "UPDATE callback SET escalated = 0 WHERE id = ?", arguments: [callbackID])
        try Self.appendEvent(db, callbackID: callbackID, at: now, actor: actor, kind: .resolved, note: "escalation #\(open) \(resolution)")
        try queueNotifications(db, escalationID: open, subject: OwnerNotification.resolvedSubject, at: now)
        return open
    }

    /// Escalates every callback whose deadline has passed without the caller being
    /// reached, once each. Cheap when there is nothing to do: one indexed read.
    @discardableResult
    public func sweepBreaches(at now: Date, timeZone: TimeZone) async throws(StoreError) -> Int {
        let due = try await read { db in
            try Int64.fetchAll(
                db, sql: "SELECT id FROM callback WHERE status != 'done' AND breached = 0 AND deadline <= ?",
                arguments: [now.unixSeconds])
        }
        guard !due.isEmpty else { return 0 }
        return try await write { db in
            var raised = 0
            for id in due {
                // Re-checked inside the transaction: another process may have swept first.
                guard let seconds = try Int64.fetchOne(
                    db, sql: "SELECT deadline FROM callback WHERE id = ? AND status != 'done' AND breached = 0", arguments: [id])
                else { continue }
                try db.execute(sql: "UPDATE callback SET breached = 1 WHERE id = ?", arguments: [id])
                let deadline = Date(unixSeconds: seconds)
                try self.raiseEscalation(
                    db, callbackID: id, reason: .breach, at: now, actor: "system",
                    detail: "promised by \(ReadableTime.format(deadline, in: timeZone, reference: now))")
                raised += 1
            }
            return raised
        }
    }

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

    /// The owner has seen it.
    public func acknowledge(escalation id: Int64, by actor: String, at now: Date) async throws(StoreError) -> EscalationDetail {
        try await write { db in
            let current = try Self.escalationDetail(db, id: id).escalation
            guard current.state == .open else {
                throw StoreError("escalation #\(id) is already \(current.state.rawValue)", code: .refused)
            }
            try db.execute(
                sql: "UPDATE escalation SET state = 'acknowledged', acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
                arguments: [actor, now.unixSeconds, id])
            try Self.appendEvent(db, callbackID: current.callbackID, at: now, actor: actor, kind: .noted, note: "escalation #\(id) acknowledged")
            return try Self.escalationDetail(db, id: id)
        }
    }

    /// The owner dealt with it: the note is the resolution, kept on the escalation and in
    /// the callback's history. A callback from the owner's line is closed with it; a
    /// staff callback stays in the queue, no longer marked escalated.
    public func resolve(escalation id: Int64, by actor: String, note: String, at now: Date) async throws(StoreError) -> EscalationDetail {
        try await write { db in
            let current = try Self.escalationDetail(db, id: id)
            guard current.escalation.state != .resolved else {
                throw StoreError("escalation #\(id) is already resolved", code: .refused)
            }
            let callbackID = current.escalation.callbackID
            try db.execute(
                sql: "UPDATE escalation SET state = 'resolved', resolved_by = ?, resolved_at = ?, resolution = ? WHERE id = ?",
                arguments: [actor, now.unixSeconds, note, id])
            try db.execute(sql: "UPDATE callback SET escalated = 0 WHERE id = ?", arguments: [callbackID])
            try Self.appendEvent(db, callbackID: callbackID, at: now, actor: actor, kind: .resolved, note: note)
            let owner = try Bool.fetchOne(db, sql: "SELECT owner FROM callback WHERE id = ?", arguments: [callbackID]) ?? false
            if owner, current.callback.callback.status(at: now) != .done {
                try db.execute(
                    sql: "UPDATE callback SET status = 'done', closed_at = ?, closed_by = ?, available_at = NULL, claim_expires_at = NULL, retry_at = NULL WHERE id = ?",
                    arguments: [now.unixSeconds, actor, callbackID])
                try Self.appendEvent(db, callbackID: callbackID, at: now, actor: actor, kind: .done, note: nil)
            }
            return try Self.escalationDetail(db, id: id)
        }
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
            throw StoreError("there is no escalation #\(id)", code: .notFound)
        }
        return try escalationDetail(db, row: row)
    }

    static func escalationDetail(_ db: Database, row: Row) throws -> EscalationDetail {
        let record = try EscalationRecord(row: row)
        let reasons = try EscalationReasonRecord.fetchAll(
            db, sql: "SELECT kind, detail FROM escalation_reason WHERE escalation_id = ? ORDER BY id", arguments: [record.id]
        ).map { RaisedReason($0.kind, detail: $0.detail) }
        let escalation = record.escalation(reasons: reasons)
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
