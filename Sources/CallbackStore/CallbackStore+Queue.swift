import CallbackQueue
import Foundation
import GRDB

extension CallbackStore {
    /// The serving order of docs/reference.md, as SQL over the `callback_serving_order` index.
    static let servingOrder = "escalated DESC, urgent DESC, deadline, first_received_at, id"

    /// Claims the callback to make now for `staff`, atomically: the pick and the claim
    /// happen in one IMMEDIATE transaction, so concurrent callers never get the same one.
    /// A claim whose lease ran out is taken over, and its lapse is recorded.
    public func claimNext(by staff: String, at now: Date, lease: Int) throws(StoreError) -> CallbackDetail? {
        try write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT * FROM callback
                        WHERE status != 'done' AND owner = 0 AND available_at <= ?
                        ORDER BY \(Self.servingOrder) LIMIT 1
                        """,
                    arguments: [now.unixSeconds])
            else { return nil }
            let callback = Callback(row: row)
            if callback.recordedStatus == .claimed, let expired = callback.claimExpiresAt {
                try Self.appendEvent(
                    db, callbackID: callback.id, at: expired, actor: "system", kind: .lapsed,
                    note: "claim by \(callback.claimedBy ?? "someone") lapsed")
            }
            let expires = now.unixSeconds + Int64(lease)
            try db.execute(
                sql: """
                    UPDATE callback SET status = 'claimed', claimed_by = ?, claim_expires_at = ?,
                        available_at = ?
                    WHERE id = ?
                    """,
                arguments: [staff, expires, expires, callback.id])
            try Self.appendEvent(db, callbackID: callback.id, at: now, actor: staff, kind: .claimed, note: nil)
            return try Self.detail(db, id: callback.id, withHistory: true)
        }
    }

    /// The queue in serving order: what `next` would hand out at `now`, first to last.
    /// With `includeAll`, then the claimed and waiting ones (soonest back first), then
    /// the done ones (most recently closed first).
    public func queue(at now: Date, includeAll: Bool, limit: Int? = nil) throws(StoreError) -> [CallbackDetail] {
        try read { db in
            let sql: String
            let t = now.unixSeconds
            if includeAll {
                sql = """
                    SELECT * FROM callback WHERE owner = 0 ORDER BY
                        CASE WHEN status = 'done' THEN 2 WHEN available_at <= \(t) THEN 0 ELSE 1 END,
                        CASE WHEN status != 'done' AND available_at > \(t) THEN available_at END,
                        CASE WHEN status = 'done' THEN -closed_at END,
                        \(Self.servingOrder)
                    """
            } else {
                sql = """
                    SELECT * FROM callback WHERE status != 'done' AND owner = 0 AND available_at <= \(t)
                    ORDER BY \(Self.servingOrder)
                    """
            }
            let callbacks = try Row.fetchAll(db, sql: sql + (limit.map { " LIMIT \($0)" } ?? ""))
                .map(Callback.init(row:))
            let messages = try Self.messages(db, callbackIDs: callbacks.map(\.id))
            return callbacks.map {
                CallbackDetail(callback: $0, messages: messages[$0.id] ?? [], history: [])
            }
        }
    }

    /// One callback with its messages and full history.
    public func detail(id: Int64) throws(StoreError) -> CallbackDetail {
        try read { db in try Self.detail(db, id: id, withHistory: true) }
    }

    /// Closes a callback: the caller was reached. Only the claimer may close a claimed
    /// callback unless `force`; a callback already done refuses.
    public func markDone(id: Int64, by actor: String, note: String?, at now: Date, force: Bool) throws(StoreError) -> CallbackDetail {
        try write { db in
            let callback = try Self.detail(db, id: id, withHistory: false).callback
            try Self.checkOutcomeAllowed(callback, by: actor, at: now, force: force)
            try db.execute(
                sql: """
                    UPDATE callback SET status = 'done', closed_at = ?, available_at = NULL,
                        claim_expires_at = NULL, retry_at = NULL
                    WHERE id = ?
                    """,
                arguments: [now.unixSeconds, id])
            try Self.appendEvent(db, callbackID: id, at: now, actor: actor, kind: .done, note: note)
            return try Self.detail(db, id: id, withHistory: true)
        }
    }

    static func checkOutcomeAllowed(_ callback: Callback, by actor: String, at now: Date, force: Bool) throws(StoreError) {
        switch callback.status(at: now) {
        case .done:
            throw StoreError("callback #\(callback.id) is already done", code: .refused)
        case .claimed where callback.claimedBy != actor && !force:
            throw StoreError(
                "callback #\(callback.id) is claimed by \(callback.claimedBy ?? "someone else"); use --force to record it anyway",
                code: .refused)
        default:
            return
        }
    }

    static func detail(_ db: Database, id: Int64, withHistory: Bool) throws -> CallbackDetail {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM callback WHERE id = ?", arguments: [id]) else {
            throw StoreError("there is no callback #\(id)", code: .notFound)
        }
        let history =
            withHistory
            ? try Row.fetchAll(
                db, sql: "SELECT * FROM callback_event WHERE callback_id = ? ORDER BY id", arguments: [id]
            ).map(CallbackEvent.init(row:)) : []
        return CallbackDetail(
            callback: Callback(row: row), messages: try messages(db, callbackIDs: [id])[id] ?? [],
            history: history)
    }

    static func messages(_ db: Database, callbackIDs: [Int64]) throws -> [Int64: [StoredVoicemail]] {
        guard !callbackIDs.isEmpty else { return [:] }
        let placeholders = databaseQuestionMarks(count: callbackIDs.count)
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT * FROM voicemail WHERE callback_id IN (\(placeholders)) ORDER BY received_at, id",
            arguments: StatementArguments(callbackIDs))
        return Dictionary(grouping: rows.map(StoredVoicemail.init(row:)), by: \.callbackID)
    }
}
