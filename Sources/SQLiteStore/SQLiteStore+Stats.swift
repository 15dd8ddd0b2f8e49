import Domain
import Foundation
import GRDB


extension SQLiteStore {
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
