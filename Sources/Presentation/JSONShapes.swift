import Domain
import Foundation
import Runtime

/// The `--json` shapes of docs/reference.md. Fields may be added, never renamed; absent values
/// are written as `null`, not left out, so consumers can rely on every key.
public struct JSONShapes: Sendable {
    public let timeZone: TimeZone
    public let now: Date
    /// For the HTTP API: `audio` is the message's audio address on the API, not the
    /// server's file path, and `quarantine` (a folder on the server) is null.
    public var remote = false

    public init(timeZone: TimeZone, now: Date) {
        self.timeZone = timeZone
        self.now = now
    }

    /// Where a remote reader fetches the message's audio, when the server has it.
    func remoteAudio(_ stored: StoredVoicemail) -> JSONValue {
        stored.audioPath != nil || stored.quarantinePath != nil ? .string("/api/v1/voicemails/\(stored.id)/audio") : .null
    }

    func time(_ date: Date?) -> JSONValue {
        date.map { .string(ISO8601.format($0, in: timeZone)) } ?? .null
    }

    public func callback(_ detail: CallbackDetail, withHistory: Bool = false) -> JSONValue {
        let callback = detail.callback
        var fields: [(String, JSONValue)] = [
            ("id", .int(callback.id)),
            ("status", .string(callback.status(at: now).rawValue)),
            ("caller", .object([
                ("number", callback.caller.number.map { .string($0.e164) } ?? .null),
                ("name", callback.caller.name.map(JSONValue.string) ?? .null),
            ])),
            ("deadline", time(callback.deadline)),
            ("promised_by", time(callback.promisedBy)),
            ("at_risk", .bool(detail.atRisk != nil)),
            ("forecast_at", time(detail.atRisk)),
            ("urgent", .bool(callback.urgent)),
            ("escalated", .bool(callback.escalated)),
            ("claimed_by", callback.status(at: now) == .claimed ? callback.claimedBy.map(JSONValue.string) ?? .null : .null),
            ("attempts", .int(Int64(callback.attempts))),
            ("messages", .array(detail.messages.map(message))),
            ("anonymous", .bool(callback.caller.isAnonymous)),
            ("claim_expires_at", callback.status(at: now) == .claimed ? time(callback.claimExpiresAt) : .null),
            ("available_at", time(callback.availableAt)),
            ("done_at", callback.recordedStatus == .done ? time(callback.closedAt) : .null),
            ("done_by", callback.recordedStatus == .done ? callback.closedBy.map(JSONValue.string) ?? .null : .null),
            ("number_source", detail.numberSource.map { .string($0.rawValue) } ?? .null),
        ]
        if withHistory {
            fields.append(("history", .array(detail.history.map(event))))
        }
        return .object(fields)
    }

    public func escalation(_ detail: EscalationDetail) -> JSONValue {
        let escalation = detail.escalation
        return .object([
            ("id", .int(escalation.id)),
            ("reason", .string(escalation.reason.rawValue)),
            ("reasons", .array(escalation.reasons.map { reason in
                .object([("kind", .string(reason.kind.rawValue)), ("detail", reason.detail.map(JSONValue.string) ?? .null)])
            })),
            ("state", .string(escalation.state.rawValue)),
            ("created_at", time(escalation.createdAt)),
            ("acknowledged_at", time(escalation.acknowledgedAt)),
            ("acknowledged_by", escalation.acknowledgedBy.map(JSONValue.string) ?? .null),
            ("resolved_at", time(escalation.resolvedAt)),
            ("resolution", escalation.resolution.map(JSONValue.string) ?? .null),
            ("resolved_by", escalation.resolvedBy.map(JSONValue.string) ?? .null),
            ("callback", callback(detail.callback, withHistory: true)),
            ("notifications", .array(detail.notifications.map { notification in
                .object([
                    ("channel", .string(notification.channel)),
                    ("reason", .string(notification.subject.rawValue)),
                    ("delivered_at", time(notification.deliveredAt)),
                    ("attempts", .int(Int64(notification.attempts))),
                    ("last_error", notification.lastError.map(JSONValue.string) ?? .null),
                ])
            })),
        ])
    }

    public func message(_ stored: StoredVoicemail) -> JSONValue {
        let voicemail = stored.voicemail
        let audio = voicemail.audio
        let audioFile: JSONValue = remote ? remoteAudio(stored) : stored.audioPath.map(JSONValue.string) ?? .null
        let quarantine: JSONValue = remote ? .null : stored.quarantinePath.map(JSONValue.string) ?? .null
        let fields: [(String, JSONValue)] = [
            ("id", .int(stored.id)),
            ("received_at", time(voicemail.receivedAt)),
            ("mailbox", .string(voicemail.mailbox)),
            ("urgent", .bool(voicemail.urgent)),
            ("duration_seconds", audio.map { .double($0.durationSeconds) } ?? .null),
            ("silent", .bool(audio?.silent ?? false)),
            ("audio", audioFile),
            ("format", audio.map { .string($0.format) } ?? .null),
            ("sample_rate", audio.map { .int(Int64($0.sampleRate)) } ?? .null),
            ("channels", audio.map { .int(Int64($0.channels)) } ?? .null),
            ("error", voicemail.audioError.map(JSONValue.string) ?? .null),
            ("quarantine", quarantine),
            // A machine transcript: null until transcribed (or when there is nothing to hear).
            ("transcript", stored.transcript.text.map(JSONValue.string) ?? .null),
            ("transcript_status", .string(stored.transcript.status.rawValue)),
            ("transcript_error", stored.transcript.error.map(JSONValue.string) ?? .null),
            ("transcript_cut_short", .bool(stored.transcript.cutShort)),
            ("transcript_low_confidence", .bool(stored.transcript.lowConfidence)),
            ("content_rules", .array(stored.transcript.rules.map(JSONValue.string))),
            ("number_source", stored.numberSource.map { .string($0.rawValue) } ?? .null),
            ("spoken_number", stored.transcript.spokenNumber.map { .string($0.e164) } ?? .null),
            ("blocked", .bool(stored.blocked)),
        ]
        return .object(fields)
    }

    public func blocked(_ entry: BlockedNumber) -> JSONValue {
        .object([
            ("number", .string(entry.number.e164)),
            ("reason", .string(entry.reason)),
            ("blocked_by", .string(entry.blockedBy)),
            ("blocked_at", time(entry.blockedAt)),
            ("messages", .array(entry.heldMessages.map(message))),
        ])
    }

    public func event(_ event: CallbackEvent) -> JSONValue {
        .object([
            ("at", time(event.at)),
            ("actor", .string(event.actor)),
            ("kind", .string(event.kind.rawValue)),
            ("note", event.note.map(JSONValue.string) ?? .null),
        ])
    }
}

/// A JSON document with its keys in a fixed order, so output is stable and readable.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.rendered() == b.rendered() }

    /// Pretty-printed with two-space indentation.
    public func rendered(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value):
            // Two decimals are enough for seconds of audio; keep whole numbers readable.
            return value.isFinite ? String(format: "%.2f", value) : "null"
        case .string(let value): return Self.quote(value)
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            return "{\n"
                + fields.map { inner + Self.quote($0.0) + ": " + $0.1.rendered(indent: inner) }.joined(separator: ",\n")
                + "\n\(indent)}"
        }
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // Valid JSON either way; escaped so a terminal showing it raw is not steered.
            case _ where scalar.value < 0x20 || TerminalText.isUnsafe(scalar):
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
