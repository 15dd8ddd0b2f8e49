import Foundation

extension SpokenTime {
    /// `date` as a person says it on the phone, seen from `now`: "ten o'clock tomorrow
    /// morning", "one thirty this afternoon", "noon today", "Monday at nine",
    /// "Monday, December twenty-eighth, at nine".
    public func spoken(_ date: Date, now: Date) -> String {
        let days = dayDistance(from: now, to: date)
        let hour = calendar.component(.hour, from: date)
        let minute = calendar.component(.minute, from: date)
        let clock = Self.clockWords(hour: hour, minute: minute)
        let isNoonOrMidnight = minute == 0 && (hour == 12 || hour == 0)
        switch days {
        case 0:
            if isNoonOrMidnight { return hour == 12 ? "noon today" : "midnight tonight" }
            return (minute == 0 ? "\(clock) o'clock" : clock) + " " + (partOfDay(hour) == "night" ? "tonight" : "this \(partOfDay(hour))")
        case 1:
            if isNoonOrMidnight { return hour == 12 ? "noon tomorrow" : "midnight tomorrow" }
            return (minute == 0 ? "\(clock) o'clock" : clock) + " tomorrow " + (partOfDay(hour) == "night" ? "night" : partOfDay(hour))
        case 2...6:
            return "\(weekdayName(date)) at \(isNoonOrMidnight ? (hour == 12 ? "noon" : "midnight") : clock)"
        default:
            let month = calendar.monthSymbols[calendar.component(.month, from: date) - 1]
            let day = Self.ordinalWords(calendar.component(.day, from: date))
            return "\(weekdayName(date)), \(month) \(day), at \(isNoonOrMidnight ? (hour == 12 ? "noon" : "midnight") : clock)"
        }
    }

    /// The same with the preposition it needs after "open again": "at eight o'clock
    /// tomorrow morning", "at noon today", "on Monday at nine".
    public func spokenWithPreposition(_ date: Date, now: Date) -> String {
        (dayDistance(from: now, to: date) >= 2 ? "on " : "at ") + spoken(date, now: now)
    }

    func dayDistance(from now: Date, to date: Date) -> Int {
        calendar.dateComponents([.day], from: calendar.startOfDay(for: now), to: calendar.startOfDay(for: date)).day ?? 0
    }

    /// "nine", "nine thirty", "nine oh five", on a 12-hour clock.
    static func clockWords(hour: Int, minute: Int) -> String {
        let twelve = hour % 12 == 0 ? 12 : hour % 12
        let hourWord = numberWords(twelve)
        switch minute {
        case 0: return hourWord
        case 1...9: return "\(hourWord) oh \(numberWords(minute))"
        default: return "\(hourWord) \(numberWords(minute))"
        }
    }

    static let ones = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
    static let tens = ["", "", "twenty", "thirty", "forty", "fifty"]

    static func numberWords(_ number: Int) -> String {
        if number < 20 { return ones[number] }
        let ten = tens[min(number / 10, 5)]
        return number % 10 == 0 ? ten : "\(ten)-\(ones[number % 10])"
    }

    /// "first" … "thirty-first".
    public static func ordinalWords(_ number: Int) -> String {
        let special = [1: "first", 2: "second", 3: "third", 5: "fifth", 8: "eighth", 9: "ninth", 12: "twelfth"]
        if let word = special[number] { return word }
        if number % 10 == 0, number >= 20 { return String(numberWords(number).dropLast()) + "ieth" }
        if number > 20, let last = special[number % 10] { return "\(tens[number / 10])-\(last)" }
        if number > 20 { return "\(tens[number / 10])-\(ones[number % 10])th" }
        return numberWords(number) + "th"
    }
}
