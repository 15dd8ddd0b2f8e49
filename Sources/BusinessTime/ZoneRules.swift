import Foundation

/// A time zone's UTC offsets as a sorted table of changes, read once from the system's
/// zone data, so converting between wall-clock and instants costs a binary search.
///
/// Local wall-clock times are "local seconds": seconds since 1970-01-01T00:00 on the
/// zone's own calendar (an instant plus the offset in force).
struct ZoneRules: Sendable {
    let timeZone: TimeZone
    /// Instants at which the offset changes, and the offset from each on.
    private let changes: [Int64]
    private let offsets: [Int64]
    /// Instants the table covers; outside it, Foundation is asked directly.
    private let covered: ClosedRange<Int64>

    /// 2000 to 2060 covers every realistic message and costs about a millisecond to build;
    /// dates outside are still exact, only slower (Foundation is asked each time).
    static let coverage: ClosedRange<Int64> = 946_684_800...2_840_140_800

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var changes: [Int64] = []
        var offsets: [Int64] = []
        func offset(_ instant: Int64) -> Int64 {
            Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
        }
        // Daylight-saving transitions come from the zone data; a standard-offset change that
        // is not flagged as one (a country moving zones) is caught by sampling twice a year
        // and bisecting to the second. (Sampling is what start-up pays for: keep it sparse.)
        var cursor = Self.coverage.lowerBound
        changes.append(Int64.min)
        offsets.append(offset(cursor))
        var nextTransition = timeZone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: TimeInterval(cursor)))
        let step: Int64 = 182 * 86_400
        while cursor < Self.coverage.upperBound {
            var next = min(cursor + step, Self.coverage.upperBound)
            if let transition = nextTransition, Int64(transition.timeIntervalSince1970) <= next {
                next = Int64(transition.timeIntervalSince1970)
                nextTransition = timeZone.nextDaylightSavingTimeTransition(after: transition)
            }
            let after = offset(next)
            if after != offsets[offsets.count - 1] {
                // Bisect to the first second with the new offset.
                var low = cursor
                var high = next
                while high - low > 1 {
                    let middle = low + (high - low) / 2
                    if offset(middle) == after { high = middle } else { low = middle }
                }
                changes.append(high)
                offsets.append(after)
            }
            cursor = next
        }
        self.changes = changes
        self.offsets = offsets
        covered = Self.coverage
    }

    /// The UTC offset in force at `instant`.
    @inline(__always)
    func offset(at instant: Int64) -> Int64 {
        guard covered.contains(instant) else {
            return Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
        }
        var low = 0
        var high = changes.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if changes[middle] <= instant { low = middle } else { high = middle - 1 }
        }
        return offsets[low]
    }

    /// Wall-clock local seconds of `instant`.
    @inline(__always)
    func local(_ instant: Int64) -> Int64 { instant + offset(at: instant) }

    /// The instant of wall-clock `local`. A time skipped by a spring-forward transition
    /// moves forward by the gap; a time repeated by a fall-back one takes its first
    /// occurrence.
    func instant(ofLocal local: Int64) -> Int64 {
        // Offsets change at most once in a day around any wall-clock time.
        let before = offset(at: local - 86_400)
        let after = offset(at: local + 86_400)
        if before == after { return local - before }
        let early = local - before
        let late = local - after
        let earlyValid = offset(at: early) == before
        let lateValid = offset(at: late) == after
        switch (earlyValid, lateValid) {
        case (true, true): return min(early, late)
        case (true, false): return early
        case (false, true): return late
        // In the gap: the offset before the jump carries it forward by the gap's length.
        case (false, false): return early
        }
    }

    /// The offset in force from a day before to three days after local midnight
    /// `midnight` — every instant of that day's intervals, overnight ones included, in
    /// any zone — or nil if it changes in between.
    @inline(__always)
    func uniformOffset(around midnight: Int64) -> Int64? {
        let before = offset(at: midnight - 86_400)
        return before == offset(at: midnight + 3 * 86_400) ? before : nil
    }
}

extension ZoneRules {
    /// Local days in `[from, to)` whose intervals a UTC-offset change may touch: the day
    /// of each change and its neighbours.
    func irregularDays(from: Int, to: Int) -> [Int] {
        let first = Int64(from - 2) * 86_400
        let last = Int64(to + 2) * 86_400
        var days: [Int] = []
        var instant = first
        while let change = nextChange(after: instant), change < last {
            let day = Int((change + offset(at: change)) / 86_400)
            for candidate in (day - 1)...(day + 1) where candidate >= from && candidate < to && days.last ?? Int.min < candidate {
                days.append(candidate)
            }
            instant = change
        }
        return days
    }

    /// The first offset change strictly after `instant`, if the table knows one.
    func nextChange(after instant: Int64) -> Int64? {
        if !covered.contains(instant) {
            return timeZone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: TimeInterval(instant)))
                .map { Int64($0.timeIntervalSince1970) }
        }
        var low = 0
        var high = changes.count
        while low < high {
            let middle = (low + high) / 2
            if changes[middle] <= instant { low = middle + 1 } else { high = middle }
        }
        if low < changes.count { return changes[low] }
        // Past the table: the zone data knows what comes after.
        return timeZone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: TimeInterval(covered.upperBound)))
            .map { Int64($0.timeIntervalSince1970) }
    }
}
