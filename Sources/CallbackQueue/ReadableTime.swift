import Foundation

/// A moment as people read it in notes and history: "Mon Nov 23 10:00" in the business's
/// time zone, with the year when it is not `reference`'s year.
public enum ReadableTime {
    public static func format(_ date: Date, in timeZone: TimeZone, reference: Date? = nil) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute], from: date)
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[((parts.weekday ?? 1) - 1 + 7) % 7]
        let month = months[((parts.month ?? 1) - 1 + 12) % 12]
        var text = "\(weekday) \(month) \(parts.day ?? 0)"
        if let year = parts.year, year != calendar.component(.year, from: reference ?? date) { text += " \(year)" }
        return text + String(format: " %02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
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
