import Domain
import Foundation

/// One message in a replay: when it was left, by whom, and what really happened when the
/// call was made (which no policy sees before the call ends).
public struct Arrival: Sendable, Equatable {
    /// Its line in the file (the header is line 1).
    public var line: Int
    public var receivedAt: Date
    /// Nil for a withheld number.
    public var caller: PhoneNumber?
    public var urgent: Bool
    /// How long the call takes once started.
    public var handlingSeconds: Double
    /// False: nobody answered the first try (a retry is answered).
    public var answered: Bool

    public init(line: Int, receivedAt: Date, caller: PhoneNumber?, urgent: Bool, handlingSeconds: Double, answered: Bool = true) {
        self.line = line
        self.receivedAt = receivedAt
        self.caller = caller
        self.urgent = urgent
        self.handlingSeconds = handlingSeconds
        self.answered = answered
    }
}

/// An arrivals file that cannot be replayed: the file, the line, the column and what is wrong.
public struct ArrivalsError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let line: Int
    public let column: String?
    public let problem: String

    public var description: String {
        "\(file):\(line): " + (column.map { "\($0): " } ?? "") + problem
    }
}

/// `ARRIVALS.csv`: a header, then `received_at,caller_number,urgent,handling_minutes[,answered]`.
public enum ArrivalsFile {
    public static let required = ["received_at", "caller_number", "urgent", "handling_minutes"]
    public static let optional = ["answered"]

    /// Reads every row or none: the first row that cannot be read stops it.
    public static func parse(_ text: String, file: String) throws(ArrivalsError) -> [Arrival] {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        guard let header = lines.first else {
            throw ArrivalsError(file: file, line: 1, column: nil, problem: "is empty; it needs a header: \(required.joined(separator: ","))")
        }
        let names = fields(header).map { $0.lowercased() }
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() {
            guard required.contains(name) || optional.contains(name) else {
                throw ArrivalsError(
                    file: file, line: 1, column: name,
                    problem: "is not a column of an arrivals file (\((required + optional).joined(separator: ", ")))")
            }
            guard index[name] == nil else { throw ArrivalsError(file: file, line: 1, column: name, problem: "is given twice") }
            index[name] = position
        }
        for name in required where index[name] == nil {
            throw ArrivalsError(file: file, line: 1, column: name, problem: "is missing from the header")
        }
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime]
        let isoFraction = ISO8601DateFormatter()
        isoFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var arrivals: [Arrival] = []
        for (offset, text) in lines.enumerated().dropFirst() {
            let line = offset + 1
            if text.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let values = fields(text)
            func value(_ name: String) -> String? {
                guard let position = index[name], position < values.count else { return nil }
                return values[position]
            }
            func wrong(_ name: String, _ problem: String) -> ArrivalsError {
                ArrivalsError(file: file, line: line, column: name, problem: problem)
            }
            guard values.count <= names.count else {
                throw ArrivalsError(file: file, line: line, column: nil, problem: "has \(values.count) values for \(names.count) columns")
            }
            let timeText = value("received_at") ?? ""
            guard let receivedAt = iso.date(from: timeText) ?? isoFraction.date(from: timeText) else {
                throw wrong("received_at", "\"\(timeText)\" is not an ISO 8601 time with an offset, such as 2026-11-23T08:05:00-05:00")
            }
            let numberText = value("caller_number") ?? ""
            var caller: PhoneNumber?
            if !numberText.isEmpty {
                guard let number = PhoneNumber(e164: numberText) else {
                    throw wrong("caller_number", "\"\(numberText)\" is not an E.164 number such as +12125550142 (leave it empty when withheld)")
                }
                caller = number
            }
            guard let urgent = truth(value("urgent") ?? "") else {
                throw wrong("urgent", "\"\(value("urgent") ?? "")\" is not true or false")
            }
            let minutesText = value("handling_minutes") ?? ""
            guard let minutes = Double(minutesText), minutes.isFinite else {
                throw wrong("handling_minutes", minutesText.isEmpty ? "is missing: how long the call took, in minutes" : "\"\(minutesText)\" is not a number of minutes")
            }
            guard minutes >= 0 else { throw wrong("handling_minutes", "\(minutesText) is negative: a call takes 0 minutes or more") }
            var answered = true
            if let answeredText = value("answered"), !answeredText.isEmpty {
                guard let value = truth(answeredText) else { throw wrong("answered", "\"\(answeredText)\" is not true or false") }
                answered = value
            }
            arrivals.append(
                Arrival(line: line, receivedAt: receivedAt, caller: caller, urgent: urgent, handlingSeconds: minutes * 60, answered: answered))
        }
        return arrivals
    }

    /// Comma-separated fields, trimmed; a field in double quotes may hold commas.
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            if character == "\"" {
                quoted.toggle()
            } else if character == ",", !quoted {
                fields.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current.trimmingCharacters(in: .whitespaces))
        return fields
    }

    static func truth(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "1": true
        case "false", "no", "0": false
        default: nil
        }
    }
}
