import CallbackQueue
import Foundation
import GRDB

/// Queue health for `callbacks stats`.
public struct QueueStats: Sendable, Equatable {
    public var open = 0
    public var claimed = 0
    public var waiting = 0
    public var doneToday = 0
    /// Not done, deadline passed.
    public var overdue = 0
    /// Over the period: callbacks whose deadline fell in it, and how many of those were
    /// done by their deadline.
    public var dueInPeriod = 0
    public var doneByDeadlineInPeriod = 0
}

extension CallbackStore {
    /// Gives a claim back: the callback returns to the queue at once.
    public func release(id: Int64, by actor: String, at now: Date, force: Bool) throws(StoreError) -> CallbackDetail {
        try write { db in
            let callback = try Self.detail(db, id: id, withHistory: false).callback
            guard callback.status(at: now) == .claimed else {
                throw StoreError("callback #\(id) is not claimed (it is \(callback.status(at: now).rawValue))", code: .refused)
            }
            try Self.checkOutcomeAllowed(callback, by: actor, at: now, force: force)
            try db.execute(
                sql: """
                    UPDATE callback SET status = 'open', claimed_by = NULL, claim_expires_at = NULL,
                        available_at = ? WHERE id = ?
                    """,
                arguments: [now.unixSeconds, id])
            try Self.appendEvent(db, callbackID: id, at: now, actor: actor, kind: .released, note: nil)
            return try Self.detail(db, id: id, withHistory: true)
        }
    }

    /// Records a call that did not reach the caller: one more attempt, and the callback
    /// waits until `retryAt`. Reaching `maxAttempts` escalates it.
    public func recordNoAnswer(
        id: Int64, by actor: String, note: String?, at now: Date, retryAt: Date, maxAttempts: Int, force: Bool
    ) throws(StoreError) -> CallbackDetail {
        try write { db in
            let callback = try Self.detail(db, id: id, withHistory: false).callback
            try Self.checkOutcomeAllowed(callback, by: actor, at: now, force: force)
            let attempts = callback.attempts + 1
            try db.execute(
                sql: """
                    UPDATE callback SET status = 'waiting', attempts = ?, retry_at = ?, available_at = ?,
                        claimed_by = NULL, claim_expires_at = NULL
                    WHERE id = ?
                    """,
                arguments: [attempts, retryAt.unixSeconds, retryAt.unixSeconds, id])
            try Self.appendEvent(
                db, callbackID: id, at: now, actor: actor, kind: .attempted,
                note: note ?? "no answer (attempt \(attempts) of \(maxAttempts))")
            if attempts >= maxAttempts {
                try raiseEscalation(db, callbackID: id, reason: .maxAttempts, at: now, actor: "system", note: "max attempts reached (\(attempts))")
            }
            return try Self.detail(db, id: id, withHistory: true)
        }
    }

    /// Hands the callback to the owner; it stays in the queue, served first.
    public func escalate(id: Int64, by actor: String, reason: String, at now: Date) throws(StoreError) -> CallbackDetail {
        try write { db in
            let callback = try Self.detail(db, id: id, withHistory: false).callback
            if callback.status(at: now) == .done {
                throw StoreError("callback #\(id) is already done", code: .refused)
            }
            try raiseEscalation(db, callbackID: id, reason: .staff, at: now, actor: actor, note: reason)
            return try Self.detail(db, id: id, withHistory: true)
        }
    }

    /// Counts for `callbacks stats`: the queue now, done since `startOfToday`, and the
    /// share of callbacks due in `period` that were done by their deadline.
    public func stats(at now: Date, startOfToday: Date, period: ClosedRange<Date>) throws(StoreError) -> QueueStats {
        try read { db in
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
                        SUM(deadline BETWEEN :from AND :to),
                        SUM(deadline BETWEEN :from AND :to AND status = 'done' AND closed_at <= deadline)
                    FROM callback WHERE owner = 0
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
            return stats
        }
    }
}
