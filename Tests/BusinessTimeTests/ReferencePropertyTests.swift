@testable import BusinessTime
import Foundation
import Testing

/// A slow, obviously correct model of business time: every open period of every day is
/// materialised as a pair of instants, found by scanning the zone's offsets through
/// Foundation on a 15-minute grid, and durations are consumed period by period.
struct ReferenceSchedule {
    let timeZone: TimeZone
    let weekly: [Weekday: [OpeningInterval]]
    let holidays: Set<LocalDate>
    let special: [LocalDate: [OpeningInterval]]
    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? timeZone
        return calendar
    }

    func offset(_ instant: Int64) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }

    /// Every zone used here has offsets and transitions on a 15-minute grid, so every
    /// instant showing wall-clock `local` is on that grid too.
    func instant(ofLocal local: Int64) -> Int64 {
        var lastBefore: Int64?
        for step in -72...72 {
            let candidate = local + Int64(step) * 900
            let shown = candidate + offset(candidate)
            if shown == local { return candidate }  // the first occurrence: the scan runs forward
            if shown < local { lastBefore = candidate }
        }
        // Skipped by a spring-forward: carried forward by the gap, with the offset before it.
        return local - offset(lastBefore ?? local)
    }

    /// Open periods belonging to local days `first...last`, merged and sorted.
    func periods(days: ClosedRange<Int>) -> [(Int64, Int64)] {
        var raw: [(Int64, Int64)] = []
        for day in days {
            let date = Date(timeIntervalSince1970: TimeInterval(day) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            guard let local = try? LocalDate(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0) else { continue }
            let weekday = Weekday(rawValue: ((parts.weekday ?? 1) + 5) % 7 + 1) ?? .monday
            let intervals = special[local] ?? (holidays.contains(local) ? [] : weekly[weekday] ?? [])
            for interval in intervals {
                let start = interval.start.secondsSinceMidnight
                var end = interval.end.secondsSinceMidnight
                if end <= start { end += 86_400 }
                let a = instant(ofLocal: Int64(day) * 86_400 + Int64(start))
                let b = instant(ofLocal: Int64(day) * 86_400 + Int64(end))
                if b > a { raw.append((a, b)) }
            }
        }
        raw.sort { $0.0 < $1.0 }
        var merged: [(Int64, Int64)] = []
        for period in raw {
            if let last = merged.last, period.0 <= last.1 {
                merged[merged.count - 1].1 = max(last.1, period.1)
            } else {
                merged.append(period)
            }
        }
        return merged
    }
}

/// A deterministic generator (SplitMix64), so every run checks the same cases.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Business time against a reference")
struct ReferencePropertyTests {
    static let zones = [
        "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo",
        "Pacific/Chatham", "Asia/Kathmandu", "UTC", "Europe/London", "Australia/Sydney",
    ]

    static func randomIntervals(_ random: inout SeededRandom) -> [OpeningInterval] {
        let count = Int.random(in: 0...3, using: &random)
        let cuts = (0..<(count * 2)).map { _ in Int.random(in: 0...96, using: &random) * 900 }.sorted()
        var intervals: [OpeningInterval] = []
        var index = 0
        while index + 1 < cuts.count {
            if cuts[index] < cuts[index + 1], cuts[index] < 86_400,
                let start = try? TimeOfDay(secondsSinceMidnight: cuts[index]),
                let end = try? TimeOfDay(secondsSinceMidnight: cuts[index + 1]),
                let interval = try? OpeningInterval(start: start, end: end)
            {
                intervals.append(interval)
            }
            index += 2
        }
        // Sometimes a last interval that runs past midnight.
        if Bool.random(using: &random), let last = cuts.last, last >= 72_000, last < 86_400,
            let start = try? TimeOfDay(secondsSinceMidnight: last),
            let end = try? TimeOfDay(secondsSinceMidnight: Int.random(in: 1...16, using: &random) * 900),
            let overnight = try? OpeningInterval(start: start, end: end)
        {
            if intervals.allSatisfy({ $0.end.secondsSinceMidnight <= last && !$0.runsPastMidnight }) {
                intervals.append(overnight)
            }
        }
        return intervals
    }

    @Test("deadline, isOpen, nextChange and businessSeconds agree with the reference to the second")
    func agreesWithReference() throws {
        var random = SeededRandom(state: 20_261_122)
        var checked = 0
        // 2024-01-01 … 2026-06-30, as day numbers.
        let firstDay = 19_723
        let lastDay = 20_634
        for _ in 0..<400 {
            let timeZone = zone(Self.zones[Int.random(in: 0..<Self.zones.count, using: &random)])
            var weekly: [Weekday: [OpeningInterval]] = [:]
            for day in Weekday.allCases { weekly[day] = Self.randomIntervals(&random) }
            let holidays = (0..<Int.random(in: 0...30, using: &random)).map { _ in
                LocalDate(dayNumber: Int.random(in: firstDay...(lastDay + 120), using: &random))
            }
            var special: [LocalDate: [OpeningInterval]] = [:]
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                special[LocalDate(dayNumber: Int.random(in: firstDay...(lastDay + 120), using: &random))] = Self.randomIntervals(&random)
            }
            guard let engine = try? BusinessHours(timeZone: timeZone, weekly: weekly, holidays: holidays, specialDays: special)
            else { continue }  // overlapping or empty: refused, as the validation tests show
            let reference = ReferenceSchedule(
                timeZone: timeZone, weekly: weekly, holidays: Set(holidays), special: special)

            let windowStart = Int.random(in: firstDay...lastDay, using: &random)
            let periods = reference.periods(days: (windowStart - 1)...(windowStart + 110))
            let open = periods.reduce(Int64(0)) { $0 + $1.1 - $1.0 }
            guard open > 0 else { continue }
            let horizon = Int64(windowStart + 100) * 86_400

            for _ in 0..<20 {
                let t = Int64(windowStart) * 86_400 + Int64.random(in: 0..<(30 * 86_400), using: &random)
                let within = Int64(
                    Bool.random(using: &random)
                        ? Int.random(in: 0...(8 * 3600), using: &random)
                        : Int.random(in: 0...(open > 200 * 3600 ? 200 * 3600 : Int(open / 3)), using: &random))
                let date = Date(timeIntervalSince1970: TimeInterval(t))
                let context = "\(timeZone.identifier) from \(iso(date, timeZone)) within \(within)s"

                // Reference deadline: consume periods in order.
                var remaining = within
                var expected: Int64?
                for (a, b) in periods where b > t {
                    let from = max(a, t)
                    if b - from >= remaining {
                        expected = from + remaining
                        break
                    }
                    remaining -= b - from
                }
                if let expected, expected < horizon {
                    let actual = Int64(engine.deadline(from: date, within: Int(within)).timeIntervalSince1970)
                    #expect(actual == expected, "deadline \(context)")
                    let spent = engine.businessSeconds(from: date, to: Date(timeIntervalSince1970: TimeInterval(expected)))
                    #expect(Int64(spent) == within, "businessSeconds \(context)")
                }

                let isOpen = periods.contains { $0.0 <= t && t < $0.1 }
                #expect(engine.isOpen(at: date) == isOpen, "isOpen \(context)")

                let change = periods.lazy.compactMap { period -> Int64? in
                    if period.0 > t { return period.0 }
                    if period.1 > t { return period.1 }
                    return nil
                }.first
                if let change, change < horizon {
                    #expect(engine.nextChange(after: date).map { Int64($0.timeIntervalSince1970) } == change, "nextChange \(context)")
                }
                checked += 1
            }
        }
        #expect(checked > 4000, "checked \(checked) cases")
    }
}
