import Foundation

/// What a sidecar JSON file (or a push's `metadata` part) says; every field optional.
///
/// PBXs and scripts write these loosely: a mailbox as a number, `"urgent": "yes"` or `1`,
/// `received_at` with a space for the `T` or as Unix seconds. All of that is read. A field
/// that still cannot be read is ignored, never the message: `warnings` says which, for
/// the message's history and the push's answer. The spool and push ingest both read
/// metadata here and nowhere else.
public struct SidecarMetadata: Sendable, Equatable {
    public var callerNumber: String?
    public var callerName: String?
    /// `received_at` as written (a number as its digits); `receivedAt(in:)` reads it.
    public var receivedAt: String?
    public var mailbox: String?
    public var urgent: Bool?
    /// Fields that could not be read and were ignored, one sentence each.
    public var warnings: [String] = []

    public init(callerNumber: String? = nil, callerName: String? = nil, receivedAt: String? = nil, mailbox: String? = nil, urgent: Bool? = nil) {
        self.callerNumber = callerNumber
        self.callerName = callerName
        self.receivedAt = receivedAt
        self.mailbox = mailbox
        self.urgent = urgent
    }

    /// The file is not a JSON object at all: nothing in it can be read.
    public struct NotAnObject: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Reads `data`, a JSON object; only a body that is not one is refused.
    public static func read(_ data: Data) throws(NotAnObject) -> SidecarMetadata {
        let fields: [String: JSONValue]
        do {
            fields = try JSONDecoder().decode([String: JSONValue].self, from: data)
        } catch {
            throw NotAnObject(description: "not a JSON object")
        }
        var metadata = SidecarMetadata()
        metadata.callerNumber = metadata.text(fields, "caller_number", numbers: true, example: "\"+14155550123\"")
        metadata.callerName = metadata.text(fields, "caller_name", numbers: false, example: "\"Dana Smith\"")
        metadata.mailbox = metadata.text(fields, "mailbox", numbers: true, example: "\"1001\"")
        metadata.receivedAt = metadata.text(fields, "received_at", numbers: true, example: "\"2026-11-23T08:00:00-05:00\"")
        if let value = fields["urgent"] {
            switch value {
            case .null: break
            case .bool(let flag): metadata.urgent = flag
            case .integer(let number) where number == 0 || number == 1: metadata.urgent = number == 1
            case .text(let text) where Self.flags[text.trimmingCharacters(in: .whitespaces).lowercased()] != nil:
                metadata.urgent = Self.flags[text.trimmingCharacters(in: .whitespaces).lowercased()]
            default:
                metadata.warnings.append("urgent \(value) is not true or false (nor yes/no, 1/0); ignored")
            }
        }
        return metadata
    }

    static let flags: [String: Bool] = [
        "true": true, "false": false, "yes": true, "no": false, "1": true, "0": false, "y": true, "n": false, "on": true, "off": false,
    ]

    /// A text field: a string, or (where a number means the same) a whole number.
    private mutating func text(_ fields: [String: JSONValue], _ name: String, numbers: Bool, example: String) -> String? {
        switch fields[name] {
        case nil, .null?: return nil
        case .text(let text)?: return text
        case .integer(let number)? where numbers: return String(number)
        case .real(let number)? where numbers && name == "received_at": return String(number)
        case let value?:
            warnings.append("\(name) \(value) is not text such as \(example); ignored")
            return nil
        }
    }

    /// When the message was left, read from `receivedAt`: RFC 3339 / ISO 8601 with an
    /// offset (a space for the `T` too), without one (read in `timeZone`, with a note), or
    /// Unix seconds. Nil when there is no `received_at`; `.unreadable` when it cannot be read.
    public func receivedAt(in timeZone: TimeZone) -> ReceivedAt? {
        guard let raw = receivedAt else { return nil }
        let text = raw.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text), text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            // Unix seconds; thirteen digits are milliseconds (as JavaScript counts them).
            let value = text.prefix(while: { $0 != "." }).count >= 13 ? seconds / 1000 : seconds
            return .read(Date(timeIntervalSince1970: value), note: nil)
        }
        var withT = text
        if let match = text.firstMatch(of: #/^\d{4}-\d{2}-\d{2}( +)\d/#) {
            withT.replaceSubrange(match.1.startIndex..<match.1.endIndex, with: "T")
        }
        if let date = try? Date.ISO8601FormatStyle().parse(withT) { return .read(date, note: nil) }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(withT) { return .read(date, note: nil) }
        if let date = Self.local(withT, in: timeZone) {
            // A script that forgot the offset meant the business's own clock.
            return .read(date, note: "received_at \"\(raw)\" has no offset; read in \(timeZone.identifier)")
        }
        return .unreadable("received_at \"\(raw)\" is not a time such as 2026-11-23T08:00:00-05:00 or Unix seconds; ignored")
    }

    public enum ReceivedAt: Sendable, Equatable {
        case read(Date, note: String?)
        case unreadable(String)
    }

    /// `2026-11-23T08:00:00` (or `…T08:00`, fractions of a second dropped) as a wall-clock time in `timeZone`.
    static func local(_ text: String, in timeZone: TimeZone) -> Date? {
        guard let match = text.wholeMatch(of: #/(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?/#) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = DateComponents(
            year: Int(match.1), month: Int(match.2), day: Int(match.3), hour: Int(match.4), minute: Int(match.5),
            second: match.6.flatMap { Int($0) } ?? 0)
        guard let date = calendar.date(from: parts), calendar.dateComponents([.day], from: date).day == parts.day else { return nil }
        return date
    }

    /// The fields as read, in one fixed order and spelling (a time as Unix seconds): the
    /// same message written loosely or strictly reads the same (push ingest's fingerprint
    /// is made of it).
    public func canonical(in timeZone: TimeZone) -> String {
        let time: String?
        switch receivedAt(in: timeZone) {
        case .read(let date, _)?: time = String(date.timeIntervalSince1970)
        case .unreadable?: time = receivedAt.map { "unreadable " + $0 }
        case nil: time = nil
        }
        let fields: [(String, String?)] = [
            ("caller_name", callerName), ("caller_number", callerNumber), ("mailbox", mailbox), ("received_at", time),
            ("urgent", urgent.map { $0 ? "true" : "false" }),
        ]
        return fields.map { "\($0.0)=\($0.1.map { "\"\($0)\"" } ?? "null")" }.joined(separator: "\n")
    }
}

/// One JSON value as a sidecar holds it.
enum JSONValue: Decodable, Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case integer(Int64)
    case real(Double)
    case text(String)
    case other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Int64.self) {
            self = .integer(number)
        } else if let number = try? container.decode(Double.self) {
            self = .real(number)
        } else if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .other
        }
    }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .integer(let number): return String(number)
        case .real(let number): return String(number)
        case .text(let text): return "\"\(text)\""
        case .other: return "(a list or an object)"
        }
    }
}
