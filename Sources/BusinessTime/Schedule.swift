import Foundation

/// A day of the week, in ISO order.
public enum Weekday: Int, CaseIterable, Sendable, Hashable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    /// From the configuration's keys: `mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`.
    public init?(key: String) {
        guard let day = Weekday.allCases.first(where: { $0.key == key }) else { return nil }
        self = day
    }

    public var key: String { ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][rawValue - 1] }
}

/// A wall-clock time of day, `00:00` to `24:00` (the end of the day, valid only as an end).
public struct TimeOfDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let secondsSinceMidnight: Int

    public init(secondsSinceMidnight: Int) throws(ScheduleError) {
        guard (0...86_400).contains(secondsSinceMidnight) else {
            throw ScheduleError(key: "", message: "\(secondsSinceMidnight) seconds is not a time of day")
        }
        self.secondsSinceMidnight = secondsSinceMidnight
    }

    /// `HH:MM` or `HH:MM:SS`; `24:00` is the latest.
    public init(parsing text: String) throws(ScheduleError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let numbers = parts.map { part in part.count == 2 && part.allSatisfy(\.isASCIIDigit) ? Int(part) : nil }
        guard (2...3).contains(parts.count), numbers.allSatisfy({ $0 != nil }) else {
            throw ScheduleError(key: "", message: "\"\(text)\" is not a time of day (write HH:MM, e.g. 08:30)")
        }
        let hour = numbers[0] ?? 0
        let minute = numbers[1] ?? 0
        let second = parts.count == 3 ? numbers[2] ?? 0 : 0
        let total = hour * 3600 + minute * 60 + second
        guard hour <= 24, minute < 60, second < 60, total <= 86_400 else {
            throw ScheduleError(key: "", message: "\"\(text)\" is not a time of day (24:00 is the latest, as an end)")
        }
        secondsSinceMidnight = total
    }

    public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool { a.secondsSinceMidnight < b.secondsSinceMidnight }

    public var description: String {
        let s = secondsSinceMidnight
        let base = String(format: "%02d:%02d", s / 3600, s % 3600 / 60)
        return s % 60 == 0 ? base : base + String(format: ":%02d", s % 60)
    }
}

/// Local opening hours `[start, end)`. An end before the start runs past midnight and
/// belongs to the day it starts on.
public struct OpeningInterval: Hashable, Sendable, CustomStringConvertible {
    public let start: TimeOfDay
    public let end: TimeOfDay

    public init(start: TimeOfDay, end: TimeOfDay) throws(ScheduleError) {
        guard start.secondsSinceMidnight < 86_400 else {
            throw ScheduleError(key: "", message: "an interval cannot start at 24:00")
        }
        guard start != end else {
            throw ScheduleError(key: "", message: "\(start)-\(end) is empty")
        }
        self.start = start
        self.end = end
    }

    /// `08:00-12:00`, `22:00-02:00`, `00:00-24:00`.
    public init(parsing text: String) throws(ScheduleError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw ScheduleError(key: "", message: "\"\(text)\" is not an interval (write HH:MM-HH:MM, e.g. 08:00-17:00)")
        }
        let start = try TimeOfDay(parsing: parts[0].trimmingCharacters(in: .whitespaces))
        let end = try TimeOfDay(parsing: parts[1].trimmingCharacters(in: .whitespaces))
        try self.init(start: start, end: end)
    }

    public var runsPastMidnight: Bool { end < start }

    /// Seconds from the start of its own day: the end is past 86 400 when it runs past midnight.
    var localRange: (start: Int, end: Int) {
        (start.secondsSinceMidnight, end.secondsSinceMidnight + (runsPastMidnight ? 86_400 : 0))
    }

    public var description: String { "\(start)-\(end)" }
}

/// A calendar date in the business's time zone.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    public init(year: Int, month: Int, day: Int) throws(ScheduleError) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...CivilDays.daysIn(month: month, year: year)).contains(day)
        else {
            throw ScheduleError(key: "", message: String(format: "%04d-%02d-%02d is not a date", year, month, day))
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// `YYYY-MM-DD`.
    public init(parsing text: String) throws(ScheduleError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else {
            throw ScheduleError(key: "", message: "\"\(text)\" is not a date (write YYYY-MM-DD)")
        }
        try self.init(year: year, month: month, day: day)
    }

    init(dayNumber: Int) {
        (year, month, day) = CivilDays.date(ofDay: dayNumber)
    }

    /// Days since 1970-01-01.
    var dayNumber: Int { CivilDays.day(year: year, month: month, day: day) }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }
}

/// A schedule that cannot be used: the key (relative to `business:`) and what is wrong.
public struct ScheduleError: Error, CustomStringConvertible, Sendable, Equatable {
    public let key: String
    public let message: String
    /// The holiday or special day at fault, so the configuration can point at its entry
    /// rather than at the whole `holidays` list.
    public let date: LocalDate?

    public init(key: String, message: String, date: LocalDate? = nil) {
        self.key = key
        self.message = message
        self.date = date
    }

    public var description: String { key.isEmpty ? message : "\(key): \(message)" }
}

/// Proleptic Gregorian day numbers (days since 1970-01-01), after Howard Hinnant's
/// `days_from_civil`, so date arithmetic needs no Calendar.
enum CivilDays {
    static func day(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func date(ofDay number: Int) -> (Int, Int, Int) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
    static func weekdayIndex(ofDay number: Int) -> Int { ((number % 7) + 7 + 3) % 7 }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
