@testable import BusinessTime
import Foundation

func zone(_ name: String) -> TimeZone {
    TimeZone(identifier: name) ?? TimeZone(secondsFromGMT: 0) ?? .current
}

/// `2024-03-10T01:30:00-05:00` as a Date (tests are written with explicit offsets).
func at(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: text) else { preconditionFailure("bad test time \(text)") }
    return date
}

/// A Date written in `timeZone`'s offset, for readable failure messages.
func iso(_ date: Date, _ timeZone: TimeZone) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    formatter.timeZone = timeZone
    return formatter.string(from: date)
}

func hours(
    _ name: String, _ weekly: [Weekday: [String]], holidays: [String] = [], special: [String: [String]] = [:]
) throws -> BusinessHours {
    try BusinessHours(
        timeZone: zone(name),
        weekly: weekly.mapValues { try $0.map { try OpeningInterval(parsing: $0) } },
        holidays: holidays.map { try LocalDate(parsing: $0) },
        specialDays: Dictionary(uniqueKeysWithValues: special.map { (try LocalDate(parsing: $0.key), try $0.value.map { try OpeningInterval(parsing: $0) }) }))
}

let weekdays: [Weekday] = [.monday, .tuesday, .wednesday, .thursday, .friday]

func everyWeekday(_ intervals: [String]) -> [Weekday: [String]] {
    Dictionary(uniqueKeysWithValues: weekdays.map { ($0, intervals) })
}

let allWeek: [Weekday: [String]] = Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0, ["00:00-24:00"]) })
