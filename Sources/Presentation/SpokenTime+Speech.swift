import Foundation

extension SpokenTime {
    /// `date` as a person says it on the phone, seen from `now`, never leaving a listener to
    /// guess morning or evening, or which midnight: "ten o'clock tomorrow morning", "one
    /// thirty this afternoon", "noon today", "ten o'clock tonight", "one thirty tonight",
    /// "midnight on Saturday night", "Monday at nine in the morning", "Saturday at ten at
    /// night", "Monday, December twenty-eighth, at nine in the morning".
    public func spoken(_ date: Date, now: Date) -> String {
        phrase(date, now: now).words
    }

    /// The same with the preposition it needs after "open again": "at eight o'clock
    /// tomorrow morning", "at noon today", "at midnight on Saturday night", "on Monday at
    /// nine in the morning".
    public func spokenWithPreposition(_ date: Date, now: Date) -> String {
        let phrase = phrase(date, now: now)
        return (phrase.dayFirst ? "on " : "at ") + phrase.words
    }

    /// Before five, people still call it the night before: "one thirty tonight", "Saturday
    /// night".
    static let nightEnds = 5

    func phrase(_ date: Date, now: Date) -> (words: String, dayFirst: Bool) {
        let days = dayDistance(from: now, to: date)
        let hour = calendar.component(.hour, from: date)
        let minute = calendar.component(.minute, from: date)
        let clock = Self.clockWords(hour: hour, minute: minute)
        let oClock = minute == 0 ? "\(clock) o'clock" : clock
        // Said in the small hours, "tonight" is the night still going on (the one that began
        // the day before), and "tomorrow" could mean either of two days, so it is not said.
        let smallHours = calendar.component(.hour, from: now) < Self.nightEnds
        let tonight = smallHours ? -1 : 0
        let tomorrow: Int? = smallHours ? nil : 1

        if hour == 0, minute == 0 {
            // Midnight is said as the end of the night it closes: "Sunday at midnight" leaves
            // a listener unsure whether that is the start or the end of Sunday.
            let night = days - 1
            if night == tonight { return ("midnight tonight", false) }
            if night == tomorrow { return ("midnight tomorrow night", false) }
            let evening = calendar.date(byAdding: .day, value: -1, to: date) ?? date
            if (0...6).contains(night) { return ("midnight on \(weekdayName(evening)) night", false) }
            return ("midnight on the night of \(dayWords(evening, days: night))", false)
        }
        if hour == 12, minute == 0 {
            if days == 0 { return ("noon today", false) }
            if days == tomorrow { return ("noon tomorrow", false) }
            return (onDay(date, days: days, at: "noon"), true)
        }
        if hour < Self.nightEnds {
            if days - 1 == tonight { return ("\(oClock) tonight", false) }
            return (onDay(date, days: days, at: "\(clock) in the morning"), true)
        }
        let part = partOfDay(hour)
        if part == "night" {
            if days == tonight { return ("\(oClock) tonight", false) }
            if days == tomorrow { return ("\(oClock) tomorrow night", false) }
            return (onDay(date, days: days, at: "\(clock) at night"), true)
        }
        if days == 0 { return ("\(oClock) this \(part)", false) }
        if days == tomorrow { return ("\(oClock) tomorrow \(part)", false) }
        return (onDay(date, days: days, at: "\(clock) in the \(part)"), true)
    }

    /// "Saturday at ten at night"; beyond the coming week, with the date: "Monday,
    /// December twenty-eighth, at nine in the morning".
    func onDay(_ date: Date, days: Int, at time: String) -> String {
        "\(dayWords(date, days: days))\((0...6).contains(days) ? "" : ",") at \(time)"
    }

    /// The weekday within the coming week, else the weekday and the date.
    func dayWords(_ date: Date, days: Int) -> String {
        if (0...6).contains(days) { return weekdayName(date) }
        let month = calendar.monthSymbols[calendar.component(.month, from: date) - 1]
        return "\(weekdayName(date)), \(month) \(Self.ordinalWords(calendar.component(.day, from: date)))"
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
