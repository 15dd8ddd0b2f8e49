import Foundation

/// The time every command works with: `CALLBACKS_NOW` when set (tests, demos, replaying
/// a day), else the system clock.
public enum CommandClock {
    public static func now(environment: [String: String]) throws(ClockError) -> Date {
        guard let text = environment["CALLBACKS_NOW"], !text.isEmpty else { return Date() }
        guard let date = ISO8601.parse(text) else {
            throw ClockError(message: "CALLBACKS_NOW=\(text) is not an ISO 8601 time with an offset, such as 2026-11-23T08:00:00-05:00")
        }
        return date
    }
}

public struct ClockError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// ISO 8601 instants with an explicit offset, as the command line reads and writes them.
/// Format styles are values, cheap to make and safe to share, unlike formatters.
public enum ISO8601 {
    /// Parses `2026-11-23T08:00:00-05:00`, `…Z`, with or without fractional seconds.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }

    /// `date` written with `timeZone`'s offset at that instant, to the second.
    public static func format(_ date: Date, in timeZone: TimeZone) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZoneSeparator: .colon, timeZone: timeZone))
    }
}
