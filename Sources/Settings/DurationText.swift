import Foundation

/// Durations as people write them in the configuration and on the command line:
/// `90s`, `45m`, `2h`, `1h30m`. No days: people read "1d" as a business day.
public enum DurationText {
    /// Seconds in `text`, or a sentence saying what is wrong with it.
    public static func seconds(in text: String) -> Result<Int, DurationError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "0" { return .success(0) }
        var total = 0
        var digits = ""
        var lastUnitRank = Int.max
        for character in trimmed {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            let rank: Int
            let unit: Int
            switch character {
            case "h": (rank, unit) = (2, 3600)
            case "m": (rank, unit) = (1, 60)
            case "s": (rank, unit) = (0, 1)
            case "d", "w":
                return .failure(DurationError(text: text, problem: "days and weeks are not accepted; write hours of business time, e.g. 48h"))
            default:
                return .failure(DurationError(text: text, problem: "use hours, minutes and seconds such as 90s, 45m, 2h or 1h30m"))
            }
            guard let value = Int(digits), rank < lastUnitRank else {
                return .failure(DurationError(text: text, problem: "use hours, minutes and seconds such as 90s, 45m, 2h or 1h30m"))
            }
            let (product, overflow) = value.multipliedReportingOverflow(by: unit)
            guard !overflow, total <= Int(Int32.max) else {
                return .failure(DurationError(text: text, problem: "is too long"))
            }
            total += product
            digits = ""
            lastUnitRank = rank
        }
        guard digits.isEmpty, lastUnitRank != Int.max else {
            return .failure(DurationError(text: text, problem: "needs a unit: h, m or s (e.g. 2h)"))
        }
        return .success(total)
    }

    /// The shortest spelling of `seconds`: `1h30m`, `45m`, `0s`.
    public static func format(_ seconds: Int) -> String {
        if seconds == 0 { return "0s" }
        let parts = [(seconds / 3600, "h"), (seconds % 3600 / 60, "m"), (seconds % 60, "s")]
        return parts.filter { $0.0 > 0 }.map { "\($0.0)\($0.1)" }.joined()
    }
}

/// A duration that could not be read.
public struct DurationError: Error, CustomStringConvertible, Sendable, Equatable {
    public let text: String
    public let problem: String
    public var description: String { "\"\(text)\" is not a duration: \(problem)" }
}
