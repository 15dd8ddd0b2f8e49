import Foundation

/// When the business is open, and the arithmetic of business time: how much of it lies
/// between two instants, and when a given amount of it has elapsed (docs/reference.md).
///
/// Business time is real elapsed seconds inside open intervals. Intervals are wall-clock
/// `[start, end)` in the business's zone, mapped to instants with the zone's rules. Cost
/// does not grow with the duration: whole weeks are skipped at once, corrected for
/// holidays, special days and daylight-saving transitions.
public struct BusinessHours: Sendable {
    public let timeZone: TimeZone
    let zone: ZoneRules
    /// Local ranges per weekday (Monday = 0), sorted, seconds from the day's midnight.
    let weekly: [[LocalSpan]]
    let weeklyLength: [Int64]
    /// Business seconds in a week without holidays or transitions.
    let weekLength: Int64
    /// Dates with their own hours (empty for a holiday), by day number.
    let overrides: [Int: [LocalSpan]]
    let overrideDays: [Int]
    /// Running sum of (actual − weekly) business seconds over `overrideDays`.
    let overrideDeltaPrefix: [Int64]

    /// Search no further than this for open time (a schedule may close for good, e.g.
    /// only special days in the past).
    static let horizonDays = 3660

    public init(
        timeZone: TimeZone, weekly: [Weekday: [OpeningInterval]], holidays: [LocalDate] = [],
        specialDays: [LocalDate: [OpeningInterval]] = [:]
    ) throws(ScheduleError) {
        self.timeZone = timeZone
        zone = ZoneRules(timeZone: timeZone)
        var days: [[LocalSpan]] = []
        for day in Weekday.allCases {
            days.append(try Self.validated(weekly[day] ?? [], key: "hours.\(day.key)"))
        }
        for day in Weekday.allCases {
            let next = Weekday.allCases[day.rawValue % 7]
            if let tail = days[day.rawValue - 1].last, tail.end > 86_400,
                let first = days[next.rawValue - 1].first, first.start < tail.end - 86_400
            {
                throw ScheduleError(
                    key: "hours.\(day.key)",
                    message: "\(tail) runs past midnight into \(next.key)'s \(first)")
            }
        }
        var overrides: [Int: [LocalSpan]] = [:]
        for date in holidays { overrides[date.dayNumber] = [] }
        for (date, intervals) in specialDays {
            overrides[date.dayNumber] = try Self.validated(intervals, key: "holidays", date: date)
        }
        // A date's own hours may run into the next day, or the day before may run into it.
        func spansOf(_ day: Int) -> [LocalSpan] { overrides[day] ?? days[CivilDays.weekdayIndex(ofDay: day)] }
        for day in overrides.keys.sorted() {
            for (earlier, later) in [(day - 1, day), (day, day + 1)] {
                if let tail = spansOf(earlier).last, tail.end > 86_400,
                    let first = spansOf(later).first, first.start < tail.end - 86_400
                {
                    throw ScheduleError(
                        key: "holidays",
                        message: "\(LocalDate(dayNumber: earlier)): \(tail) runs past midnight into \(LocalDate(dayNumber: later))'s \(first)",
                        date: LocalDate(dayNumber: day))
                }
            }
        }
        guard days.contains(where: { !$0.isEmpty }) || overrides.values.contains(where: { !$0.isEmpty }) else {
            throw ScheduleError(key: "hours", message: "there is no open time at all: every day is closed")
        }
        self.weekly = days
        weeklyLength = days.map { $0.reduce(0) { $0 + Int64($1.end - $1.start) } }
        weekLength = weeklyLength.reduce(0, +)
        self.overrides = overrides
        overrideDays = overrides.keys.sorted()
        var prefix: [Int64] = [0]
        prefix.reserveCapacity(overrideDays.count + 1)
        let partial = Self.partiallyBuilt(timeZone: timeZone, zone: zone, weekly: days, weeklyLength: weeklyLength, overrides: overrides)
        for day in overrideDays {
            prefix.append(prefix[prefix.count - 1] + partial.actualLength(ofDay: day) - partial.nominalLength(ofDay: day))
        }
        overrideDeltaPrefix = prefix
    }

    private init(timeZone: TimeZone, zone: ZoneRules, weekly: [[LocalSpan]], weeklyLength: [Int64], overrides: [Int: [LocalSpan]]) {
        self.timeZone = timeZone
        self.zone = zone
        self.weekly = weekly
        self.weeklyLength = weeklyLength
        weekLength = weeklyLength.reduce(0, +)
        self.overrides = overrides
        overrideDays = []
        overrideDeltaPrefix = [0]
    }

    private static func partiallyBuilt(
        timeZone: TimeZone, zone: ZoneRules, weekly: [[LocalSpan]], weeklyLength: [Int64], overrides: [Int: [LocalSpan]]
    ) -> BusinessHours {
        BusinessHours(timeZone: timeZone, zone: zone, weekly: weekly, weeklyLength: weeklyLength, overrides: overrides)
    }

    /// Mon–Fri 09:00–17:00: the built-in default.
    public static func standard(timeZone: TimeZone) -> BusinessHours {
        let nineToFive = [LocalSpan(start: 32_400, end: 61_200)]
        let weekly = (0..<7).map { $0 < 5 ? nineToFive : [] }
        return BusinessHours(
            timeZone: timeZone, zone: ZoneRules(timeZone: timeZone), weekly: weekly,
            weeklyLength: weekly.map { $0.isEmpty ? 0 : 28_800 }, overrides: [:])
    }

    private static func validated(_ intervals: [OpeningInterval], key: String, date: LocalDate? = nil) throws(ScheduleError) -> [LocalSpan] {
        let spans = intervals.map { LocalSpan(start: $0.localRange.start, end: $0.localRange.end) }
            .sorted { $0.start < $1.start }
        for (earlier, later) in zip(spans, spans.dropFirst()) where later.start < earlier.end {
            let prefix = date.map { "\($0): " } ?? ""
            throw ScheduleError(key: key, message: "\(prefix)intervals \(earlier) and \(later) overlap", date: date)
        }
        return spans
    }

    // MARK: - Queries

    /// Whether the business is open at `instant`.
    public func isOpen(at instant: Date) -> Bool {
        let t = Self.seconds(instant)
        let today = day(of: t)
        for day in (today - 1)...today {
            for span in spans(ofDay: day) {
                let (start, end) = instants(of: span, day: day)
                if start <= t && t < end { return true }
            }
        }
        return false
    }

    /// The instant itself if open, else the next opening (or `Date.distantFuture` if the
    /// business never opens again).
    public func nextOpening(atOrAfter instant: Date) -> Date {
        deadline(from: instant, within: 0)
    }

    /// The next instant after `instant` at which the business opens or closes; nil if it
    /// never changes again (open around the clock, or closed for good).
    public func nextChange(after instant: Date) -> Date? {
        let t = Self.seconds(instant)
        let open = isOpen(at: instant)
        var day = self.day(of: t) - 1
        var boundary: Int64?  // the end of the open stretch we are in, when open
        let limit = day + Self.horizonDays
        while day <= limit {
            for span in spans(ofDay: day) {
                let (start, end) = instants(of: span, day: day)
                if end <= t || end <= start { continue }
                if !open { return Self.date(start) }
                if let current = boundary {
                    if start > current { return Self.date(current) }
                    boundary = max(current, end)
                } else if start <= t {
                    boundary = end
                } else {
                    return Self.date(start)
                }
            }
            day += 1
        }
        return nil
    }

    /// The instant at which `seconds` of business time have elapsed since `instant`.
    /// Left while closed, counting starts at the next opening; a count that ends exactly
    /// at a closing time ends there, not at the next opening; zero is `instant` itself if
    /// open, else the next opening. `Date.distantFuture` if the schedule closes for good.
    public func deadline(from instant: Date, within seconds: Int) -> Date {
        let t = Self.seconds(instant)
        var remaining = Int64(max(seconds, 0))
        let firstDay = day(of: t)
        var day = firstDay - 1
        var lastOverride = overrideDays.last ?? Int.min
        if lastOverride < firstDay { lastOverride = Int.min }
        var closedDays = 0
        while closedDays <= Self.horizonDays {
            // Past the partial first days, whole weeks go by at once.
            if day > firstDay, weekLength > 0, remaining > weekLength {
                var weeks = Int((remaining - 1) / weekLength)
                while weeks > 0 {
                    let total = businessSeconds(weeks: weeks, fromDay: day)
                    if total < remaining {
                        remaining -= total
                        day += 7 * weeks
                        break
                    }
                    weeks /= 2
                }
            }
            let spans = spans(ofDay: day)
            closedDays = spans.isEmpty ? closedDays + 1 : 0
            for span in spans {
                let (start, end) = instants(of: span, day: day)
                if end <= t || end <= start { continue }
                let from = max(start, t)
                if remaining == 0 { return Self.date(from) }
                let available = end - from
                if available >= remaining { return Self.date(from + remaining) }
                remaining -= available
            }
            if weekLength == 0 && day > lastOverride { break }
            day += 1
        }
        return .distantFuture
    }

    /// Business seconds in `[from, to)`; zero if `to` is not after `from`.
    public func businessSeconds(from: Date, to: Date) -> Int {
        let start = Self.seconds(from)
        let end = Self.seconds(to)
        guard end > start else { return 0 }
        let firstDay = day(of: start)
        let lastDay = day(of: end)
        var total: Int64 = 0
        var day = firstDay - 1
        while day <= lastDay {
            if day > firstDay, lastDay - day > 8 {
                let weeks = (lastDay - 1 - day) / 7
                if weeks > 0 {
                    total += businessSeconds(weeks: weeks, fromDay: day)
                    day += 7 * weeks
                    continue
                }
            }
            for span in spans(ofDay: day) {
                let (open, close) = instants(of: span, day: day)
                let overlap = min(close, end) - max(open, start)
                if overlap > 0 { total += overlap }
            }
            day += 1
        }
        return Int(total)
    }

    // MARK: - Internals

    /// The business seconds of the intervals belonging to the `weeks * 7` days from
    /// `fromDay`: the weekly total, corrected for special days and transitions.
    func businessSeconds(weeks: Int, fromDay: Int) -> Int64 {
        let endDay = fromDay + 7 * weeks
        var total = Int64(weeks) * weekLength
        let low = lowerBound(overrideDays, fromDay)
        let high = lowerBound(overrideDays, endDay)
        total += overrideDeltaPrefix[high] - overrideDeltaPrefix[low]
        for day in zone.irregularDays(from: fromDay, to: endDay) where overrides[day] == nil {
            total += actualLength(ofDay: day) - nominalLength(ofDay: day)
        }
        return total
    }

    @inline(__always)
    func spans(ofDay day: Int) -> [LocalSpan] {
        if !overrides.isEmpty, let special = overrides[day] { return special }
        return weekly[CivilDays.weekdayIndex(ofDay: day)]
    }

    func actualLength(ofDay day: Int) -> Int64 {
        spans(ofDay: day).reduce(0) { total, span in
            let (start, end) = instants(of: span, day: day)
            return total + max(0, end - start)
        }
    }

    func nominalLength(ofDay day: Int) -> Int64 { weeklyLength[CivilDays.weekdayIndex(ofDay: day)] }

    @inline(__always)
    func instants(of span: LocalSpan, day: Int) -> (Int64, Int64) {
        let midnight = Int64(day) * 86_400
        // Most days have no offset change anywhere near: one lookup converts both ends.
        if let offset = zone.uniformOffset(around: midnight) {
            return (midnight + Int64(span.start) - offset, midnight + Int64(span.end) - offset)
        }
        return (zone.instant(ofLocal: midnight + Int64(span.start)), zone.instant(ofLocal: midnight + Int64(span.end)))
    }

    @inline(__always)
    func day(of instant: Int64) -> Int {
        let local = zone.local(instant)
        return Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }

    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }
    static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    private func lowerBound(_ values: [Int], _ target: Int) -> Int {
        var low = 0
        var high = values.count
        while low < high {
            let middle = (low + high) / 2
            if values[middle] < target { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// Local opening time within a day, in seconds from its midnight; `end` past 86 400 runs
/// into the next day.
struct LocalSpan: Hashable, Sendable, CustomStringConvertible {
    let start: Int
    let end: Int

    var description: String {
        func clock(_ s: Int) -> String {
            let wrapped = s > 86_400 ? s - 86_400 : s
            return String(format: "%02d:%02d", wrapped / 3600, wrapped % 3600 / 60)
        }
        return "\(clock(start))-\(clock(end))"
    }
}

extension BusinessHours {
    /// The open stretches in `[from, until)`, in order, clipped to the range; touching
    /// intervals (12:00 end, 12:00 start) are one stretch.
    public func openStretches(from: Date, until: Date) -> [Range<Date>] {
        let start = Self.seconds(from)
        let end = Self.seconds(until)
        guard end > start else { return [] }
        var stretches: [(Int64, Int64)] = []
        for day in (day(of: start) - 1)...(day(of: end)) {
            for span in spans(ofDay: day) {
                var (open, close) = instants(of: span, day: day)
                open = max(open, start)
                close = min(close, end)
                guard close > open else { continue }
                if let last = stretches.last, last.1 >= open {
                    stretches[stretches.count - 1].1 = max(last.1, close)
                } else {
                    stretches.append((open, close))
                }
            }
        }
        return stretches.map { Self.date($0.0)..<Self.date($0.1) }
    }

    /// These hours' holidays and special days over another weekly schedule (staffing is
    /// closed when the business is, and special days keep their own hours only where
    /// `specialDays` says so: elsewhere they are closed).
    public func sameDaysOff(weekly: [Weekday: [OpeningInterval]], specialDays keep: Bool) throws(ScheduleError) -> BusinessHours {
        var holidays: [LocalDate] = []
        var special: [LocalDate: [OpeningInterval]] = [:]
        for (day, spans) in overrides {
            let date = LocalDate(dayNumber: day)
            guard keep, !spans.isEmpty else {
                holidays.append(date)
                continue
            }
            var intervals: [OpeningInterval] = []
            for span in spans {
                intervals.append(
                    try OpeningInterval(
                        start: TimeOfDay(secondsSinceMidnight: span.start), end: TimeOfDay(secondsSinceMidnight: span.end % 86_400)))
            }
            special[date] = intervals
        }
        return try BusinessHours(timeZone: timeZone, weekly: weekly, holidays: holidays, specialDays: special)
    }
}
