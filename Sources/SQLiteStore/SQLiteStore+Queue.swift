import Domain
import Foundation
import GRDB

extension SQLiteStore {
    /// The serving order of docs/reference.md, as SQL over the `callback_serving_order` index.
    static let servingOrder = "escalated DESC, urgent DESC, COALESCE(promised_by, deadline), first_received_at, id"

    /// A viewer's `Visibility` (decided in the domain) as a condition on `callback` rows.
    static func visible(_ visibility: Visibility) -> String {
        var conditions: [String] = []
        if !visibility.ownerLine { conditions.append("owner = 0") }
        if !visibility.blockedCallers {
            conditions.append("(caller_number IS NULL OR caller_number NOT IN (SELECT number FROM blocked_number))")
        }
        return conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")
    }

    /// Whether `number` is on the block list.
    static func isBlocked(_ db: Database, _ number: PhoneNumber?) throws -> Bool {
        guard let number else { return false }
        return try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM blocked_number WHERE number = ?"), arguments: [number.e164]) ?? false
    }

    /// Claims the callback to make now for `staff`, atomically: the pick and the claim
    /// happen in one IMMEDIATE transaction, so concurrent callers never get the same one.
    /// A claim whose lease ran out is taken over, and its lapse is recorded.
    public func claimNext(by staff: String, at now: Date, lease: Int) async throws(StoreError) -> CallbackDetail? {
        try await write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT * FROM callback
                        WHERE status != 'done' AND \(Self.visible(.staff)) AND available_at <= ?
                        ORDER BY \(Self.servingOrder) LIMIT 1
                        """,
                    arguments: [now.unixSeconds])
            else { return nil }
            let callback = try Callback(row: row)
            try self.apply(db, Decide.claim(callback, by: staff, lease: lease, at: now))
            return try Self.detail(db, id: callback.id, withHistory: true)
        }
    }

    /// When nothing can be served at `now`: the callback that comes back first (a retry
    /// time or a claim's lease end), if any.
    public func nextToReturn(at now: Date) async throws(StoreError) -> CallbackDetail? {
        try await read { db in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM callback WHERE status != 'done' AND \(Self.visible(.staff)) AND available_at > ?
                    ORDER BY available_at, \(Self.servingOrder) LIMIT 1
                    """,
                arguments: [now.unixSeconds])
            else { return nil }
            let callback = try Callback(row: row)
            return CallbackDetail(callback: callback, messages: try Self.messages(db, callbackIDs: [callback.id])[callback.id] ?? [], history: [])
        }
    }

    /// The queue in serving order: what `next` would hand out at `now`, first to last.
    /// With `includeAll`, then the claimed and waiting ones (soonest back first), then
    /// the done ones (most recently closed first). Only what `visibility` admits.
    public func queue(at now: Date, includeAll: Bool, limit: Int? = nil, visibility: Visibility) async throws(StoreError) -> [CallbackDetail] {
        try await read { db in
            let sql: String
            if includeAll {
                sql = """
                    SELECT * FROM callback WHERE \(Self.visible(visibility)) ORDER BY
                        CASE WHEN status = 'done' THEN 2 WHEN available_at <= :now THEN 0 ELSE 1 END,
                        CASE WHEN status != 'done' AND available_at > :now THEN available_at END,
                        CASE WHEN status = 'done' THEN -closed_at END,
                        \(Self.servingOrder)
                    """
            } else {
                sql = """
                    SELECT * FROM callback WHERE status != 'done' AND \(Self.visible(visibility)) AND available_at <= :now
                    ORDER BY \(Self.servingOrder)
                    """
            }
            // SQLite reads a negative LIMIT as none.
            let callbacks = try Row.fetchAll(db, sql: sql + " LIMIT :limit", arguments: ["now": now.unixSeconds, "limit": limit ?? -1])
                .map(Callback.init(row:))
            let messages = try Self.messages(db, callbackIDs: callbacks.map(\.id))
            return callbacks.map {
                CallbackDetail(callback: $0, messages: messages[$0.id] ?? [], history: [])
            }
        }
    }

    /// One callback with its messages and full history, if `person` may see it.
    public func detail(id: Int64, for person: Acting) async throws(StoreError) -> CallbackDetail {
        try await read { db in try Self.detail(db, id: id, withHistory: true, for: person) }
    }

    /// The callback, unless it is from the owner's line and `person` is not the owner:
    /// then, to them, it does not exist.
    static func detail(_ db: Database, id: Int64, withHistory: Bool, for person: Acting) throws -> CallbackDetail {
        let detail = try detail(db, id: id, withHistory: withHistory)
        guard detail.callback.isVisible(to: person) else { throw StoreError(.noCallback(id)) }
        return detail
    }

    static func detail(_ db: Database, id: Int64, withHistory: Bool) throws -> CallbackDetail {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM callback WHERE id = ?", arguments: [id]) else {
            throw StoreError(.noCallback(id))
        }
        let history =
            withHistory
            ? try Row.fetchAll(
                db, sql: "SELECT * FROM callback_event WHERE callback_id = ? ORDER BY id", arguments: [id]
            ).map { try CallbackEvent(row: $0) } : []
        var callback = try Callback(row: row)
        callback.callerBlocked = try isBlocked(db, callback.caller.number)
        return CallbackDetail(callback: callback, messages: try messages(db, callbackIDs: [id])[id] ?? [], history: history)
    }

    static func messages(_ db: Database, callbackIDs: [Int64]) throws -> [Int64: [StoredVoicemail]] {
        guard !callbackIDs.isEmpty else { return [:] }
        let placeholders = databaseQuestionMarks(count: callbackIDs.count)
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT * FROM voicemail WHERE callback_id IN (\(placeholders)) ORDER BY received_at, id",
            arguments: StatementArguments(callbackIDs))
        return Dictionary(grouping: try rows.map { try StoredVoicemail(row: $0) }, by: \.callbackID)
    }

    public func staffQueue() async throws(StoreError) -> [Callback] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM callback WHERE status != 'done' AND \(Self.visible(.staff))").map(Callback.init(row:))
        }
    }

    public func keepPromises(_ promises: [Int64: Date]) async throws(StoreError) -> Int {
        guard !promises.isEmpty else { return 0 }
        return try await write { db in
            let statement = try db.cachedStatement(sql: "UPDATE callback SET promised_by = ? WHERE id = ? AND promised_by IS NULL")
            var written = 0
            for (id, promise) in promises {
                try statement.execute(arguments: [promise.unixSeconds, id])
                written += db.changesCount
            }
            return written
        }
    }

    public func handlingSamples(endedIn period: ClosedRange<Date>) async throws(StoreError) -> [HandlingSample] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.at AS ended, o.kind AS kind, p.kind AS before_kind, p.at AS started, c.urgent AS urgent
                    FROM callback_event o JOIN callback c ON c.id = o.callback_id JOIN callback_event p ON p.id = (
                        SELECT MAX(q.id) FROM callback_event q
                        WHERE q.callback_id = o.callback_id AND q.id < o.id
                            AND q.kind IN ('claimed', 'done', 'attempted', 'released', 'lapsed', 'reopened', 'assigned'))
                    WHERE o.kind IN ('done', 'attempted') AND o.at >= ? AND o.at <= ?
                    """,
                arguments: [period.lowerBound.unixSeconds, period.upperBound.unixSeconds]
            ).compactMap { row -> HandlingSample? in
                let before: String = row["before_kind"]
                guard before == CallbackEvent.Kind.claimed.rawValue else { return nil }
                let ended: Int64 = row["ended"]
                let started: Int64 = row["started"]
                let kind: String = row["kind"]
                let urgent: Bool = row["urgent"]
                return HandlingSample(
                    endedAt: Date(unixSeconds: ended), seconds: Double(ended - started), answered: kind == CallbackEvent.Kind.done.rawValue,
                    urgent: urgent)
            }
        }
    }
}
