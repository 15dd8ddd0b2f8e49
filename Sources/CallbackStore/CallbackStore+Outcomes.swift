import CallbackQueue
import Foundation
import GRDB


extension CallbackStore {
    /// Gives a claim back: the callback returns to the queue at once.
    public func release(id: Int64, by person: Acting, at now: Date, force: Bool) async throws(StoreError) -> CallbackDetail {
        try await write { db in
            let callback = try Self.detail(db, id: id, withHistory: false, for: person).callback
            guard callback.status(at: now) == .claimed else {
                throw StoreError("callback #\(id) is not claimed (it is \(callback.status(at: now).rawValue))", code: .refused)
            }
            let forced = try callback.checkOutcomeAllowed(by: person, at: now, force: force)
            try db.execute(
                sql: """
                    UPDATE callback SET status = 'open', claimed_by = NULL, claim_expires_at = NULL,
                        available_at = ? WHERE id = ?
                    """,
                arguments: [now.unixSeconds, id])
            try Self.appendEvent(db, callbackID: id, at: now, actor: person.name, kind: .released, note: Callback.withForce(nil, forced))
            return try Self.detail(db, id: id, withHistory: true)
        }
    }

    /// Records a call that did not reach the caller: one more attempt, and the callback
    /// waits until `retryAt`. Reaching `maxAttempts` escalates it.
    public func recordNoAnswer(
        id: Int64, by person: Acting, note: String?, at now: Date, retryAt: Date, maxAttempts: Int, force: Bool
    ) async throws(StoreError) -> CallbackDetail {
        try await write { db in
            let callback = try Self.detail(db, id: id, withHistory: false, for: person).callback
            let forced = try callback.checkOutcomeAllowed(by: person, at: now, force: force)
            let attempts = callback.attempts + 1
            try db.execute(
                sql: """
                    UPDATE callback SET status = 'waiting', attempts = ?, retry_at = ?, available_at = ?,
                        claimed_by = NULL, claim_expires_at = NULL
                    WHERE id = ?
                    """,
                arguments: [attempts, retryAt.unixSeconds, retryAt.unixSeconds, id])
            try Self.appendEvent(
                db, callbackID: id, at: now, actor: person.name, kind: .attempted,
                note: Callback.withForce(note ?? "no answer (attempt \(attempts) of \(maxAttempts))", forced))
            if attempts >= maxAttempts {
                try self.raiseEscalation(
                    db, callbackID: id, reason: .maxAttempts, at: now, actor: "system", detail: "\(attempts) attempts without reaching the caller")
            }
            return try Self.detail(db, id: id, withHistory: true)
        }
    }

    /// Hands the callback to the owner; it stays in the queue, served first. Like every
    /// outcome, it respects a colleague's claim unless `force`.
    public func escalate(id: Int64, by person: Acting, reason: String, at now: Date, force: Bool) async throws(StoreError) -> CallbackDetail {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw StoreError("say why the owner should take callback #\(id) (--reason)", code: .refused) }
        return try await write { db in
            let callback = try Self.detail(db, id: id, withHistory: false, for: person).callback
            let forced = try callback.checkOutcomeAllowed(by: person, at: now, force: force)
            try self.raiseEscalation(db, callbackID: id, reason: .staff, at: now, actor: person.name, detail: Callback.withForce(reason, forced) ?? reason)
            return try Self.detail(db, id: id, withHistory: true)
        }
    }

    /// Counts for `callbacks stats`: the queue now, done since `startOfToday`, and the
    /// share of callbacks due in `period` that were done by their deadline.
    public func stats(at now: Date, startOfToday: Date, period: ClosedRange<Date>, visibility: Visibility) async throws(StoreError) -> QueueStats {
        try await read { db in
            let t = now.unixSeconds
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT
                        SUM(status != 'done' AND available_at <= :now),
                        SUM(status = 'claimed' AND available_at > :now),
                        SUM(status = 'waiting' AND available_at > :now),
                        SUM(status = 'done' AND closed_at >= :today),
                        SUM(status != 'done' AND deadline < :now),
                        -- Due in the period: its deadline fell in it, or it was done in it
                        -- before its deadline (a promise kept the moment it is done).
                        SUM(deadline BETWEEN :from AND :to
                            OR (status = 'done' AND closed_at BETWEEN :from AND :to AND closed_at <= deadline)),
                        SUM(status = 'done' AND closed_at <= deadline
                            AND (deadline BETWEEN :from AND :to OR closed_at BETWEEN :from AND :to)),
                        MIN(CASE WHEN status != 'done' AND deadline < :now THEN deadline END)
                    FROM callback WHERE \(Self.visible(visibility))
                    """,
                arguments: [
                    "now": t, "today": startOfToday.unixSeconds, "from": period.lowerBound.unixSeconds,
                    "to": period.upperBound.unixSeconds,
                ])
            var stats = QueueStats()
            guard let row else { return stats }
            stats.open = row[0] ?? 0
            stats.claimed = row[1] ?? 0
            stats.waiting = row[2] ?? 0
            stats.doneToday = row[3] ?? 0
            stats.overdue = row[4] ?? 0
            stats.dueInPeriod = row[5] ?? 0
            stats.doneByDeadlineInPeriod = row[6] ?? 0
            stats.oldestOverdueDeadline = (row[7] as Int64?).map(Date.init(unixSeconds:))
            return stats
        }
    }
}
