import Foundation

/// A moment as people read it in notes, history and lists: "Mon Nov 23 10:00" in the
/// business's time zone, with the year when it is not the reference moment's year.
public struct ReadableTime: Sendable {
    private let calendar: Calendar
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public init(timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// "Mon Nov 23", or "Fri Nov 20 2026" seen from another year.
    public func day(_ date: Date, reference: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
        let weekday = Self.weekdays[((parts.weekday ?? 1) - 1 + 7) % 7]
        let month = Self.months[((parts.month ?? 1) - 1 + 12) % 12]
        let year = parts.year.flatMap { $0 == calendar.component(.year, from: reference) ? nil : " \($0)" } ?? ""
        return "\(weekday) \(month) \(parts.day ?? 0)\(year)"
    }

    /// "09:05".
    public func clock(_ date: Date) -> String {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }

    /// "Mon Nov 23 10:00".
    public func format(_ date: Date, reference: Date) -> String { "\(day(date, reference: reference)) \(clock(date))" }

    public static func format(_ date: Date, in timeZone: TimeZone, reference: Date? = nil) -> String {
        ReadableTime(timeZone: timeZone).format(date, reference: reference ?? date)
    }
}

/// Spans of wall-clock time in words, for notes people read: "24 hours", "90 minutes".
public enum DurationWords {
    public static func hours(_ seconds: Int) -> String {
        if seconds % 3600 == 0 { return seconds == 3600 ? "1 hour" : "\(seconds / 3600) hours" }
        let minutes = seconds / 60
        return minutes == 1 ? "1 minute" : "\(minutes) minutes"
    }
}
