import Domain
import Foundation
internal import PostgresNIO
import UseCases

extension PostgresStore {
    /// The serving order of DESIGN §5, as SQL over the `callback_serving_order` index.
    static let servingOrder = "escalated DESC, urgent DESC, COALESCE(promised_by, deadline), first_received_at, id"

    /// A viewer's `Visibility` (decided in the domain) as a condition on `callback` rows.
    static func visible(_ visibility: Visibility) -> String {
        var conditions: [String] = []
        if !visibility.ownerLine { conditions.append("NOT owner") }
        if !visibility.blockedCallers {
            conditions.append("(caller_number IS NULL OR caller_number NOT IN (SELECT number FROM blocked_number))")
        }
        return conditions.isEmpty ? "TRUE" : conditions.joined(separator: " AND ")
    }

    /// Whether `number` is on the block list.
    static func isBlocked(_ connection: PostgresConnection, _ number: PhoneNumber?) async throws -> Bool {
        guard let number else { return false }
        return try await connection.one("SELECT 1 AS blocked FROM blocked_number WHERE number = \(number.e164)") != nil
    }

    /// Claims the callback to make now for `staff`: one statement picks the first servable
    /// callback in serving order that no other transaction holds (`FOR UPDATE SKIP
    /// LOCKED`), claims it and writes its history (the lapsed claim it takes over, if any,
    /// then the claim, in that order: their ids order the history). Nodes claiming together
    /// never wait on each other and never get the same callback.
    ///
    /// One statement is one round trip and its own transaction (no BEGIN and COMMIT), and
    /// the row lock lasts only as long as it. The history and the messages are read after
    /// it, on the same connection.
    public func claimNext(by staff: String, at now: Date, lease: Int) async throws(StoreError) -> CallbackDetail? {
        let (now, expires) = (now.unixSeconds, now.unixSeconds + Int64(lease))
        return try await statement("could not claim a callback") { connection in
            guard
                let row = try await connection.one(
                    """
                    WITH picked AS (
                        SELECT id, status, claimed_by, claim_expires_at FROM callback
                        WHERE status <> 'done' AND \(unescaped: Self.visible(.staff)) AND available_at <= \(now)
                        ORDER BY \(unescaped: Self.servingOrder)
                        LIMIT 1 FOR UPDATE SKIP LOCKED
                    ), claimed AS (
                        UPDATE callback c SET status = 'claimed', claimed_by = \(staff), claim_expires_at = \(expires),
                            available_at = \(expires)
                        FROM picked WHERE c.id = picked.id
                        RETURNING c.*, picked.status AS old_status, picked.claimed_by AS old_claimed_by,
                            picked.claim_expires_at AS old_expires
                    ), history AS (
                        INSERT INTO callback_event (callback_id, at, actor, kind, note)
                        SELECT id, at, actor, kind, note FROM (
                            SELECT id, old_expires AS at, \(Decide.system) AS actor, \(CallbackEvent.Kind.lapsed.rawValue) AS kind,
                                \(Decide.lapsedNoteParts.before) || COALESCE(old_claimed_by, \(Decide.lapsedNoteParts.unknownHolder))
                                    || \(Decide.lapsedNoteParts.after) AS note, 0 AS step
                            FROM claimed WHERE old_status = \(CallbackStatus.claimed.rawValue) AND old_expires IS NOT NULL
                            UNION ALL
                            SELECT id, \(now), \(staff), \(CallbackEvent.Kind.claimed.rawValue), NULL, 1 FROM claimed
                        ) events ORDER BY step
                    )
                    SELECT * FROM claimed
                    """)
            else { return nil }
            let callback = try row.callback
            do {
                let history = try await connection.all(
                    "SELECT * FROM callback_event WHERE callback_id = \(callback.id) ORDER BY id"
                ).map { try $0.event }
                return CallbackDetail(
                    callback: callback, messages: try await Self.messages(connection, callbackIDs: [callback.id])[callback.id] ?? [],
                    history: history)
            } catch {
                // The claim is made: it must not be tried again (that would claim another).
                throw StoreError("callback #\(callback.id) is claimed for \(staff), but could not be read back: \(Self.describe(error))")
            }
        }
    }

    /// When nothing can be served at `now`: the callback that comes back first, if any.
    public func nextToReturn(at now: Date) async throws(StoreError) -> CallbackDetail? {
        try await read { connection in
            guard
                let row = try await connection.one(
                    """
                    SELECT * FROM callback WHERE status <> 'done' AND \(unescaped: Self.visible(.staff)) AND available_at > \(now.unixSeconds)
                    ORDER BY available_at, \(unescaped: Self.servingOrder) LIMIT 1
                    """)
            else { return nil }
            let callback = try row.callback
            return CallbackDetail(
                callback: callback, messages: try await Self.messages(connection, callbackIDs: [callback.id])[callback.id] ?? [],
                history: [])
        }
    }

    /// The queue in serving order; with `includeAll`, then the claimed and waiting ones
    /// (soonest back first), then the done ones (most recently closed first).
    public func queue(at now: Date, includeAll: Bool, limit: Int? = nil, visibility: Visibility) async throws(StoreError) -> [CallbackDetail] {
        let t = now.unixSeconds
        return try await read { connection in
            let query: PostgresQuery
            if includeAll {
                query = """
                    SELECT * FROM callback WHERE \(unescaped: Self.visible(visibility)) ORDER BY
                        CASE WHEN status = 'done' THEN 2 WHEN available_at <= \(t) THEN 0 ELSE 1 END,
                        CASE WHEN status <> 'done' AND available_at > \(t) THEN available_at END,
                        CASE WHEN status = 'done' THEN -closed_at END,
                        \(unescaped: Self.servingOrder)
                    LIMIT \(limit)
                    """
            } else {
                query = """
                    SELECT * FROM callback WHERE status <> 'done' AND \(unescaped: Self.visible(visibility)) AND available_at <= \(t)
                    ORDER BY \(unescaped: Self.servingOrder)
                    LIMIT \(limit)
                    """
            }
            let callbacks = try await connection.all(query).map { try $0.callback }
            let messages = try await Self.messages(connection, callbackIDs: callbacks.map(\.id))
            return callbacks.map { CallbackDetail(callback: $0, messages: messages[$0.id] ?? [], history: []) }
        }
    }

    public func detail(id: Int64, for person: Acting) async throws(StoreError) -> CallbackDetail {
        try await read { connection in try await Self.detail(connection, id: id, withHistory: true, for: person) }
    }

    /// The callback, unless it is from the owner's line and `person` is not the owner.
    /// With `lock`, its row is locked until the transaction ends: every change to a
    /// callback takes this lock first, so changes from several nodes queue up.
    static func detail(
        _ connection: PostgresConnection, id: Int64, withHistory: Bool, for person: Acting, lock: Bool = false
    ) async throws -> CallbackDetail {
        let detail = try await detail(connection, id: id, withHistory: withHistory, lock: lock)
        guard detail.callback.isVisible(to: person) else { throw StoreError(.noCallback(id)) }
        return detail
    }

    static func detail(_ connection: PostgresConnection, id: Int64, withHistory: Bool, lock: Bool = false) async throws -> CallbackDetail {
        guard
            let row = try await connection.one(
                "SELECT * FROM callback WHERE id = \(id) \(unescaped: lock ? "FOR UPDATE" : "")")
        else {
            throw StoreError(.noCallback(id))
        }
        let history =
            withHistory
            ? try await connection.all("SELECT * FROM callback_event WHERE callback_id = \(id) ORDER BY id").map { try $0.event }
            : []
        var callback = try row.callback
        callback.callerBlocked = try await isBlocked(connection, callback.caller.number)
        return CallbackDetail(callback: callback, messages: try await messages(connection, callbackIDs: [id])[id] ?? [], history: history)
    }

    static func messages(_ connection: PostgresConnection, callbackIDs: [Int64]) async throws -> [Int64: [StoredVoicemail]] {
        guard !callbackIDs.isEmpty else { return [:] }
        let rows = try await connection.all(
            "SELECT * FROM voicemail WHERE callback_id = ANY(\(callbackIDs)) ORDER BY received_at, id")
        return Dictionary(grouping: try rows.map { try $0.storedVoicemail }, by: \.callbackID)
    }

    static func appendEvent(
        _ connection: PostgresConnection, callbackID: Int64, at: Date, actor: String, kind: CallbackEvent.Kind, note: String?
    ) async throws {
        try await connection.run(
            """
            INSERT INTO callback_event (callback_id, at, actor, kind, note)
            VALUES (\(callbackID), \(at.unixSeconds), \(actor), \(kind.rawValue), \(note))
            """)
    }
}

// MARK: - Counts

extension PostgresStore {
    public func stats(at now: Date, startOfToday: Date, period: ClosedRange<Date>, visibility: Visibility) async throws(StoreError) -> QueueStats {
        let t = now.unixSeconds
        let today = startOfToday.unixSeconds
        let from = period.lowerBound.unixSeconds
        let to = period.upperBound.unixSeconds
        return try await read { connection in
            var stats = QueueStats()
            guard
                let row = try await connection.one(
                    """
                    SELECT
                        COUNT(*) FILTER (WHERE status <> 'done' AND available_at <= \(t)) AS open,
                        COUNT(*) FILTER (WHERE status = 'claimed' AND available_at > \(t)) AS claimed,
                        COUNT(*) FILTER (WHERE status = 'waiting' AND available_at > \(t)) AS waiting,
                        COUNT(*) FILTER (WHERE status = 'done' AND closed_at >= \(today)) AS done_today,
                        COUNT(*) FILTER (WHERE status <> 'done' AND deadline < \(t)) AS overdue,
                        COUNT(*) FILTER (WHERE deadline BETWEEN \(from) AND \(to)
                            OR (status = 'done' AND closed_at BETWEEN \(from) AND \(to) AND closed_at <= deadline)) AS due,
                        COUNT(*) FILTER (WHERE status = 'done' AND closed_at <= deadline
                            AND (deadline BETWEEN \(from) AND \(to) OR closed_at BETWEEN \(from) AND \(to))) AS kept,
                        MIN(CASE WHEN status <> 'done' AND deadline < \(t) THEN deadline END) AS oldest
                    FROM callback WHERE \(unescaped: Self.visible(visibility))
                    """)
            else { return stats }
            stats.open = try row.int("open")
            stats.claimed = try row.int("claimed")
            stats.waiting = try row.int("waiting")
            stats.doneToday = try row.int("done_today")
            stats.overdue = try row.int("overdue")
            stats.dueInPeriod = try row.int("due")
            stats.doneByDeadlineInPeriod = try row.int("kept")
            stats.oldestOverdueDeadline = try row.optionalDate("oldest")
            return stats
        }
    }

    public func staffQueue() async throws(StoreError) -> [Callback] {
        try await read { connection in
            try await connection.all("SELECT * FROM callback WHERE status <> 'done' AND \(unescaped: Self.visible(.staff))").map { try $0.callback }
        }
    }

    public func keepPromises(_ promises: [Int64: Date]) async throws(StoreError) -> Int {
        guard !promises.isEmpty else { return 0 }
        let ids = promises.keys.sorted()
        let times = ids.map { promises[$0]?.unixSeconds ?? 0 }
        return try await statement("could not keep the promises") { connection in
            try await connection.run(
                """
                UPDATE callback c SET promised_by = p.promise
                FROM unnest(\(ids)::bigint[], \(times)::bigint[]) AS p(id, promise)
                WHERE c.id = p.id AND c.promised_by IS NULL RETURNING c.id
                """)
        }
    }

    public func handlingSamples(endedIn period: ClosedRange<Date>) async throws(StoreError) -> [HandlingSample] {
        let (from, to) = (period.lowerBound.unixSeconds, period.upperBound.unixSeconds)
        return try await read { connection in
            try await connection.all(
                """
                SELECT o.at AS ended, o.kind AS kind, p.kind AS before_kind, p.at AS started, c.urgent AS urgent
                FROM callback_event o JOIN callback c ON c.id = o.callback_id JOIN callback_event p ON p.id = (
                    SELECT MAX(q.id) FROM callback_event q
                    WHERE q.callback_id = o.callback_id AND q.id < o.id
                        AND q.kind IN ('claimed', 'done', 'attempted', 'released', 'lapsed', 'reopened', 'assigned'))
                WHERE o.kind IN ('done', 'attempted') AND o.at >= \(from) AND o.at <= \(to)
                """
            ).compactMap { row -> HandlingSample? in
                guard try row.string("before_kind") == CallbackEvent.Kind.claimed.rawValue else { return nil }
                let ended = try row.int64("ended")
                return HandlingSample(
                    endedAt: Date(unixSeconds: ended), seconds: Double(ended - (try row.int64("started"))),
                    answered: try row.string("kind") == CallbackEvent.Kind.done.rawValue, urgent: try row.bool("urgent"))
            }
        }
    }
}
