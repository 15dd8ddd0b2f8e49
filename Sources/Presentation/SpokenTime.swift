import Foundation

/// Times phrased the way people say them on the phone, in the business's time zone.
public struct SpokenTime: Sendable {
    public let timeZone: TimeZone
    let calendar: Calendar

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.locale = Locale(identifier: "en_US_POSIX")
        self.calendar = calendar
    }

    /// When a message was left, seen from `now`: "this morning", "last night",
    /// "yesterday afternoon", "Friday evening", "November 12".
    public func whenLeft(_ date: Date, now: Date) -> String {
        let days = calendar.dateComponents(
            [.day], from: calendar.startOfDay(for: date), to: calendar.startOfDay(for: now)
        ).day ?? 0
        let hour = calendar.component(.hour, from: date)
        switch days {
        case ..<0:
            return "today"
        case 0:
            if hour < 5 { return "last night" }
            return "this " + partOfDay(hour)
        case 1:
            if hour >= 21 { return "last night" }
            return "yesterday " + partOfDay(hour)
        case 2...6:
            return weekdayName(date) + " " + partOfDay(hour)
        default:
            let month = calendar.monthSymbols[calendar.component(.month, from: date) - 1]
            return "\(month) \(calendar.component(.day, from: date))"
        }
    }

    func partOfDay(_ hour: Int) -> String {
        switch hour {
        case ..<5: "night"
        case ..<12: "morning"
        case ..<17: "afternoon"
        case ..<21: "evening"
        default: "night"
        }
    }

    func weekdayName(_ date: Date) -> String {
        calendar.weekdaySymbols[calendar.component(.weekday, from: date) - 1]
    }
}
