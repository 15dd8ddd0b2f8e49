import Foundation

/// The time every command works with: `CALLBACKS_NOW` when set (tests, demos, replaying
/// a day), else the system clock.
public enum CommandClock {
    /// The instant a one-shot command runs at: `CALLBACKS_NOW` itself, or the system clock.
    public static func now(environment: [String: String]) throws(ClockError) -> Date {
        try start(environment: environment) ?? MachineClock.now()
    }

    /// A clock that runs, for `callbacks serve`: with `CALLBACKS_NOW` it starts at that
    /// instant and then advances with the machine's monotonic clock, so retries, backoff,
    /// leases and breaches still happen in order; without it, the system clock.
    public static func running(environment: [String: String]) throws(ClockError) -> @Sendable () -> Date {
        guard let start = try start(environment: environment) else { return { MachineClock.now() } }
        // Tests that compare the service's answers with a command's stop it at that instant.
        if environment["CALLBACKS_CLOCK"] == "stopped" { return { start } }
        let origin = ContinuousClock.now
        return {
            let elapsed = ContinuousClock.now - origin
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return start.addingTimeInterval(seconds)
        }
    }

    private static func start(environment: [String: String]) throws(ClockError) -> Date? {
        guard let text = environment["CALLBACKS_NOW"], !text.isEmpty else { return nil }
        guard let date = ISO8601.parse(text) else {
            throw ClockError(message: "CALLBACKS_NOW=\(text) is not an ISO 8601 time with an offset, such as 2026-11-23T08:00:00-05:00")
        }
        return date
    }
}

/// The machine's clock: the only place Afterhours reads it (a test checks that no other
/// source file does).
///
/// `AFTERHOURS_TEST_CLOCK_SHIFT` (seconds, from the process's environment) moves what
/// this clock reports, so `make test` can run the whole suite as if on another date and
/// prove that nothing depends on today's. libfaketime cannot do it here: it stalls every
/// Swift `Task.sleep`.
public enum MachineClock {
    static let shift: TimeInterval = ProcessInfo.processInfo.environment["AFTERHOURS_TEST_CLOCK_SHIFT"].flatMap(TimeInterval.init) ?? 0

    /// Now, for business time when `CALLBACKS_NOW` is not set.
    public static func now() -> Date { Date().addingTimeInterval(shift) }

    /// Now, as the file system stamps files: for judging how long ago a file last
    /// changed. Never shifted, since the files' own times are not.
    public static func fileTime() -> Date { Date() }
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

    /// `2026-11-23T08:00:00` (or `…T08:00`, or a space for `T`) with no offset, read as a
    /// wall-clock time in `timeZone`.
    public static func parseLocal(_ text: String, in timeZone: TimeZone) -> Date? {
        guard let match = text.wholeMatch(of: #/(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?/#) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = DateComponents(
            year: Int(match.1), month: Int(match.2), day: Int(match.3), hour: Int(match.4), minute: Int(match.5),
            second: match.6.flatMap { Int($0) } ?? 0)
        guard calendar.dateComponents([.month, .day], from: calendar.date(from: parts) ?? .distantPast).day == parts.day else { return nil }
        return calendar.date(from: parts)
    }

    /// `date` written with `timeZone`'s offset at that instant, to the second.
    public static func format(_ date: Date, in timeZone: TimeZone) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZoneSeparator: .colon, timeZone: timeZone))
    }
}
