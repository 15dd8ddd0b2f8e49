// TEMPORARY placeholder until the BusinessTime engine lands; naive minute walking.
import Foundation
public enum Weekday: Int, CaseIterable, Sendable, Hashable { case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday
  public init?(key: String) { guard let d = Weekday.allCases.first(where: { $0.key == key }) else { return nil }; self = d }
  public var key: String { ["mon","tue","wed","thu","fri","sat","sun"][rawValue - 1] } }
public struct ScheduleError: Error, CustomStringConvertible, Sendable, Equatable { public let key: String; public let message: String; public var description: String { "\(key): \(message)" } }
public struct TimeOfDay: Hashable, Comparable, Sendable { public let secondsSinceMidnight: Int
  public init(parsing text: String) throws(ScheduleError) { let p = text.split(separator: ":").compactMap { Int($0) }; guard p.count == 2 else { throw ScheduleError(key: "", message: "bad time \(text)") }; secondsSinceMidnight = p[0]*3600+p[1]*60 }
  public static func < (a: TimeOfDay, b: TimeOfDay) -> Bool { a.secondsSinceMidnight < b.secondsSinceMidnight } }
public struct OpeningInterval: Hashable, Sendable { public let start: TimeOfDay; public let end: TimeOfDay
  public init(parsing text: String) throws(ScheduleError) { let p = text.split(separator: "-"); guard p.count == 2 else { throw ScheduleError(key: "", message: "bad interval \(text)") }; start = try TimeOfDay(parsing: String(p[0])); end = try TimeOfDay(parsing: String(p[1])) } }
public struct LocalDate: Hashable, Comparable, Sendable { public let year: Int, month: Int, day: Int
  public init(parsing text: String) throws(ScheduleError) { let p = text.split(separator: "-").compactMap { Int($0) }; guard p.count == 3 else { throw ScheduleError(key: "", message: "bad date") }; year = p[0]; month = p[1]; day = p[2] }
  public static func < (a: LocalDate, b: LocalDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) } }
public struct BusinessHours: Sendable {
  public let timeZone: TimeZone; let weekly: [Weekday: [OpeningInterval]]
  public init(timeZone: TimeZone, weekly: [Weekday: [OpeningInterval]], holidays: [LocalDate] = [], specialDays: [LocalDate: [OpeningInterval]] = [:]) throws(ScheduleError) { self.timeZone = timeZone; self.weekly = weekly }
  public static func standard(timeZone: TimeZone) -> BusinessHours { let i = try! OpeningInterval(parsing: "09:00-17:00"); return try! BusinessHours(timeZone: timeZone, weekly: [.monday: [i], .tuesday: [i], .wednesday: [i], .thursday: [i], .friday: [i]]) }
  public func isOpen(at instant: Date) -> Bool { var c = Calendar(identifier: .gregorian); c.timeZone = timeZone; let p = c.dateComponents([.weekday, .hour, .minute, .second], from: instant); let wd = Weekday(rawValue: ((p.weekday ?? 1) + 5) % 7 + 1) ?? .monday; let s = (p.hour ?? 0) * 3600 + (p.minute ?? 0) * 60 + (p.second ?? 0); return (weekly[wd] ?? []).contains { s >= $0.start.secondsSinceMidnight && s < $0.end.secondsSinceMidnight } }
  public func deadline(from instant: Date, within seconds: Int) -> Date { var t = Date(timeIntervalSince1970: (instant.timeIntervalSince1970 / 60).rounded(.down) * 60); var left = seconds; while !isOpen(at: t) { t += 60 }; while left > 0 { if isOpen(at: t) { left -= 60 }; t += 60 }; return t }
}
