import Foundation

/// One interval of a day with how many people take callbacks in it: `08:00-12:00 2`.
public struct StaffedInterval: Hashable, Sendable, CustomStringConvertible {
    public let interval: OpeningInterval
    public let people: Int

    public init(_ interval: OpeningInterval, people: Int) throws(ScheduleError) {
        guard people >= 1 else {
            throw ScheduleError(key: "", message: "\(interval) has \(people) people; leave an interval out when nobody takes callbacks")
        }
        self.interval = interval
        self.people = people
    }

    /// `08:00-12:00 2`; `08:00-12:00` alone is one person.
    public init(parsing text: String) throws(ScheduleError) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard (1...2).contains(parts.count) else {
            throw ScheduleError(key: "", message: "\"\(text)\" is not a staffed interval (write HH:MM-HH:MM COUNT, e.g. 08:00-12:00 2)")
        }
        let interval = try OpeningInterval(parsing: String(parts[0]))
        var people = 1
        if parts.count == 2 {
            guard let count = Int(parts[1]), parts[1].allSatisfy(\.isASCIIDigit) else {
                throw ScheduleError(key: "", message: "\"\(parts[1])\" in \"\(text)\" is not a number of people (write e.g. 08:00-12:00 2)")
            }
            people = count
        }
        try self.init(interval, people: people)
    }

    public var description: String { "\(interval) \(people)" }
}

/// Who takes callbacks when (DESIGN §10): per weekday, intervals with a number of people,
/// closed on the business's holidays. Kept as lanes: lane `k` is open whenever at least
/// `k + 1` people are on shift, so each lane is a `BusinessHours` with its arithmetic
/// (time zones, daylight saving, holidays) and a lane is one person's working time.
public struct Staffing: Sendable {
    public let timeZone: TimeZone
    /// Lane `k`: when at least `k + 1` people take callbacks. Never empty.
    public let lanes: [BusinessHours]

    /// `weekly` over the days off of `hours`: its holidays close every lane; a special day
    /// (its own hours) has one person during those hours.
    public init(weekly: [Weekday: [StaffedInterval]], hours: BusinessHours) throws(ScheduleError) {
        let most = weekly.values.flatMap { $0 }.map(\.people).max() ?? 0
        guard most > 0 else {
            throw ScheduleError(key: "staffing", message: "nobody takes callbacks on any day; give at least one interval")
        }
        var lanes: [BusinessHours] = []
        for lane in 0..<most {
            let laneWeekly = weekly.mapValues { intervals in intervals.filter { $0.people > lane }.map(\.interval) }
            do {
                lanes.append(try hours.sameDaysOff(weekly: laneWeekly, specialDays: lane == 0))
            } catch {
                // The lanes' schedules are the staffing's: name its keys, not the hours'.
                throw ScheduleError(key: error.key.replacingOccurrences(of: "hours", with: "staffing"), message: error.message, date: error.date)
            }
        }
        timeZone = hours.timeZone
        self.lanes = lanes
    }

    /// The default: one person whenever the business is open.
    public init(onePersonDuring hours: BusinessHours) {
        timeZone = hours.timeZone
        lanes = [hours]
    }

    /// How many take callbacks at `instant`.
    public func people(at instant: Date) -> Int {
        lanes.prefix { $0.isOpen(at: instant) }.count
    }

    /// `instant` if someone is on shift then, else when someone next is.
    public func nextStaffed(atOrAfter instant: Date) -> Date {
        lanes[0].nextOpening(atOrAfter: instant)
    }

    /// The staff time on offer from `now`, as a curve that can be read both ways.
    public func capacity(from now: Date) -> CapacityCurve {
        CapacityCurve(staffing: self, from: now)
    }
}

/// Staff-seconds on offer from a starting instant: how many have been worked by a given
/// time, and by when a given number will have been (the fluid view of several people
/// taking calls from one queue). Extends itself as far as it is asked.
public struct CapacityCurve: Sendable {
    public let start: Date
    let staffing: Staffing
    /// Pieces of constant staffing, in order, from `start`: [from, to) with `people` on.
    private(set) var pieces: [(from: Double, to: Double, people: Int)] = []
    /// Staff-seconds before each piece.
    private(set) var before: [Double] = []
    /// Built up to here (seconds since 1970).
    private var builtUntil: Double
    /// Never look further than ten years ahead (a schedule may close for good).
    private let horizon: Double

    init(staffing: Staffing, from start: Date) {
        self.start = start
        self.staffing = staffing
        builtUntil = start.timeIntervalSince1970
        horizon = start.timeIntervalSince1970 + 3660 * 86_400
    }

    /// Builds at least `days` further.
    private mutating func extend(days: Double) {
        let from = builtUntil
        let until = min(horizon, from + days * 86_400)
        guard until > from else { return }
        var edges: [(Double, Int)] = []
        for lane in staffing.lanes {
            for stretch in lane.openStretches(from: Date(timeIntervalSince1970: from), until: Date(timeIntervalSince1970: until)) {
                edges.append((stretch.lowerBound.timeIntervalSince1970, 1))
                edges.append((stretch.upperBound.timeIntervalSince1970, -1))
            }
        }
        edges.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var people = 0
        var at = from
        var index = 0
        while index < edges.count {
            let time = edges[index].0
            if time > at, people > 0 { append(from: at, to: time, people: people) }
            while index < edges.count, edges[index].0 == time {
                people += edges[index].1
                index += 1
            }
            at = max(at, time)
        }
        builtUntil = until
    }

    private mutating func append(from: Double, to: Double, people: Int) {
        let total = (before.last ?? 0) + (pieces.last.map { ($0.to - $0.from) * Double($0.people) } ?? 0)
        pieces.append((from, to, people))
        before.append(total)
    }

    private var total: Double {
        (before.last ?? 0) + (pieces.last.map { ($0.to - $0.from) * Double($0.people) } ?? 0)
    }

    /// Staff-seconds worked from `start` until `instant`.
    public mutating func staffSeconds(until instant: Date) -> Double {
        let t = instant.timeIntervalSince1970
        while builtUntil < t, builtUntil < horizon { extend(days: 28) }
        var low = 0
        var high = pieces.count
        while low < high {
            let middle = (low + high) / 2
            if pieces[middle].to <= t { low = middle + 1 } else { high = middle }
        }
        guard low < pieces.count else { return total }
        let piece = pieces[low]
        return before[low] + max(0, t - piece.from) * Double(piece.people)
    }

    /// The instant by which `seconds` staff-seconds will have been worked: inside a staffed
    /// piece, never at its end (work that fills a day to closing starts the next one).
    /// `Date.distantFuture` if the staffing never offers that much.
    public mutating func instant(afterStaffSeconds seconds: Double) -> Date {
        let wanted = max(0, seconds)
        while total <= wanted, builtUntil < horizon { extend(days: 28) }
        guard total > wanted else { return .distantFuture }
        var low = 0
        var high = pieces.count
        // The first piece whose end offers more than `wanted`.
        while low < high {
            let middle = (low + high) / 2
            let end = before[middle] + (pieces[middle].to - pieces[middle].from) * Double(pieces[middle].people)
            if end <= wanted { low = middle + 1 } else { high = middle }
        }
        let piece = pieces[low]
        return Date(timeIntervalSince1970: piece.from + (wanted - before[low]) / Double(piece.people))
    }
}
