import Domain
import Foundation
import Logging
internal import PostgresNIO

/// Instants are stored as Unix seconds, as in the SQLite store.
extension Date {
    var unixSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
    init(unixSeconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(unixSeconds)) }
}

let queryLogger = Logger(label: "afterhours.postgres.query")

extension PostgresConnection {
    /// Every row of `query`, read to the end (the connection is free again afterwards).
    ///
    /// The query is handed to the connection on its own event loop, after checking there
    /// that the connection is still open: postgres-nio (1.33) writes a query to its channel
    /// without a promise, so a query written after the channel closed (the server ended the
    /// session: restarted, or a FATAL error) is dropped and never answered, and whoever
    /// awaits it waits forever. On the event loop the check and the write cannot be
    /// separated by the close; a connection that closes later fails the query it holds.
    func all(_ query: PostgresQuery) async throws -> [PostgresRandomAccessRow] {
        let result = try await eventLoop.flatSubmit { () -> EventLoopFuture<PostgresQueryResult> in
            guard !self.isClosed else { return self.eventLoop.makeFailedFuture(ConnectionClosed()) }
            return self.query(query, logger: queryLogger)
        }.get()
        return result.rows.map { $0.makeRandomAccess() }
    }

    func one(_ query: PostgresQuery) async throws -> PostgresRandomAccessRow? {
        try await all(query).first
    }

    /// Runs a statement, reading (and dropping) whatever it returns; returns the row count
    /// (use RETURNING to count changed rows).
    @discardableResult
    func run(_ query: PostgresQuery) async throws -> Int {
        try await all(query).count
    }
}

/// A statement not sent: the connection had closed (the server ended the session).
struct ConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the connection to the database was closed" }
}

/// Column reads that name the column when a value is missing or of the wrong type.
extension PostgresRandomAccessRow {
    /// The decoder's scores, when the transcriber gave any.
    static func confidence(_ avgLogprob: Double?, _ noSpeechProb: Double?) -> TranscriptConfidence? {
        avgLogprob == nil && noSpeechProb == nil ? nil : TranscriptConfidence(avgLogprob: avgLogprob, noSpeechProb: noSpeechProb)
    }

    func value<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        do {
            return try self[column].decode(T.self)
        } catch {
            throw StoreError("the database returned an unreadable \(column): \(error)")
        }
    }

    func int(_ column: String) throws -> Int { try value(column) }
    func int64(_ column: String) throws -> Int64 { try value(column) }
    func string(_ column: String) throws -> String { try value(column) }
    func bool(_ column: String) throws -> Bool { try value(column) }
    func optionalString(_ column: String) throws -> String? { try value(column) }
    func optionalInt64(_ column: String) throws -> Int64? { try value(column) }
    func date(_ column: String) throws -> Date { Date(unixSeconds: try int64(column)) }
    func optionalDate(_ column: String) throws -> Date? { try optionalInt64(column).map(Date.init(unixSeconds:)) }

    func enumValue<T: RawRepresentable>(_ column: String, as type: T.Type = T.self) throws -> T where T.RawValue == String {
        let raw = try string(column)
        guard let value = T(rawValue: raw) else { throw StoreError("the database holds an unknown \(column) \"\(raw)\"") }
        return value
    }

    var callback: Callback {
        get throws {
            let number = try optionalString("caller_number")
            return Callback(
                id: try int64("id"),
                caller: Caller(
                    name: try optionalString("caller_name"), number: number.flatMap(PhoneNumber.init(e164:)),
                    rawNumber: try optionalString("caller_raw")),
                recordedStatus: try enumValue("status"), deadline: try date("deadline"), urgent: try bool("urgent"),
                escalated: try bool("escalated"), claimedBy: try optionalString("claimed_by"),
                claimExpiresAt: try optionalDate("claim_expires_at"), retryAt: try optionalDate("retry_at"),
                attempts: try int("attempts"), firstReceivedAt: try date("first_received_at"),
                closedAt: try optionalDate("closed_at"), closedBy: try optionalString("closed_by"),
                availableAt: try optionalDate("available_at"), ownerLine: try bool("owner"),
                breached: (try? bool("breached")) ?? false, promisedBy: (try? optionalDate("promised_by")) ?? nil)
        }
    }

    var storedVoicemail: StoredVoicemail {
        get throws {
            let format = try optionalString("format")
            var audio: AudioSummary?
            if let format {
                audio = AudioSummary(
                    format: format, sampleRate: try value("sample_rate", as: Int?.self) ?? 0,
                    channels: try value("channels", as: Int?.self) ?? 0, frames: try optionalInt64("frames") ?? 0,
                    durationSeconds: try value("duration_seconds", as: Double?.self) ?? 0,
                    peak: try value("peak", as: Double?.self) ?? 0, rms: try value("rms", as: Double?.self) ?? 0,
                    speechSeconds: try value("speech_seconds", as: Double?.self) ?? 0,
                    silent: try value("silent", as: Bool?.self) ?? false)
            }
            let number = try optionalString("caller_number")
            return StoredVoicemail(
                id: try int64("id"), callbackID: try optionalInt64("callback_id") ?? 0,
                voicemail: Voicemail(
                    identity: try string("identity"), receivedAt: try date("received_at"), mailbox: try string("mailbox"),
                    context: try string("context"), folder: try string("folder"), urgent: try bool("urgent"),
                    caller: Caller(
                        name: try optionalString("caller_name"), number: number.flatMap(PhoneNumber.init(e164:)),
                        rawNumber: try optionalString("caller_raw")),
                    pbxMessageID: try optionalString("pbx_message_id"), audio: audio, audioError: try optionalString("audio_error")),
                audioPath: try optionalString("audio_path"), quarantinePath: try optionalString("quarantine_path"),
                transcript: MessageTranscript(
                    status: try enumValue("transcript_status"), text: try optionalString("transcript"),
                    error: try optionalString("transcript_error"),
                    rules: try optionalString("transcript_rules").map { $0.split(separator: "\n").map(String.init) } ?? [],
                    spokenNumber: try optionalString("spoken_number").flatMap(PhoneNumber.init(e164:)),
                    cutShort: try bool("transcript_cut_short"),
                    confidence: try Self.confidence(
                        try value("transcript_avg_logprob", as: Double?.self), try value("transcript_no_speech_prob", as: Double?.self))),
                blocked: try bool("blocked"))
        }
    }

    var event: CallbackEvent {
        get throws {
            CallbackEvent(at: try date("at"), actor: try string("actor"), kind: try enumValue("kind"), note: try optionalString("note"))
        }
    }

    func escalation(reasons: [RaisedReason]) throws -> Escalation {
        Escalation(
            id: try int64("id"), callbackID: try int64("callback_id"), reason: try enumValue("reason"), reasons: reasons,
            state: try enumValue("state"), createdAt: try date("created_at"), acknowledgedBy: try optionalString("acknowledged_by"),
            acknowledgedAt: try optionalDate("acknowledged_at"), resolvedBy: try optionalString("resolved_by"),
            resolvedAt: try optionalDate("resolved_at"), resolution: try optionalString("resolution"))
    }

    var notification: OwnerNotification {
        get throws {
            let id = try int64("id")
            let reason = try string("reason")
            guard let subject = NotificationSubject(rawValue: reason) else {
                throw StoreError("notification #\(id) announces \"\(reason)\", which this version does not know")
            }
            return OwnerNotification(
                id: id, escalationID: try int64("escalation_id"), channel: try string("channel"), subject: subject,
                attempts: try int("attempts"), nextAttemptAt: try date("next_attempt_at"), deliveredAt: try optionalDate("delivered_at"),
                lastError: try optionalString("last_error"))
        }
    }

    var person: Person {
        get throws {
            Person(id: try int64("id"), name: try string("name"), role: try enumValue("role"), createdAt: try date("created_at"))
        }
    }
}
