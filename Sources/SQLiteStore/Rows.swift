import Domain
import Foundation
import GRDB

/// Mapping between table rows and domain values. Instants are stored as Unix seconds.
extension Date {
    var unixSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
    init(unixSeconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(unixSeconds)) }
}

/// A `callback` row. Decoded, never subscripted: a NULL where a value belongs, or a status
/// the domain does not know, is a thrown error naming the column, not a trap or a default.
struct CallbackRecord: Decodable, FetchableRecord, TableRecord {
    static let databaseTableName = "callback"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

    var id: Int64
    var callerNumber: String?
    var callerName: String?
    var callerRaw: String?
    var status: CallbackStatus
    var deadline: Int64
    var urgent: Bool
    var escalated: Bool
    var claimedBy: String?
    var claimExpiresAt: Int64?
    var retryAt: Int64?
    var attempts: Int
    var firstReceivedAt: Int64
    var availableAt: Int64?
    var closedAt: Int64?
    var closedBy: String?
    var owner: Bool
    var breached: Bool?
    var promisedBy: Int64?

    enum Columns {
        static let id = Column("id")
        static let status = Column("status")
        static let callerNumber = Column("caller_number")
        static let availableAt = Column("available_at")
        static let owner = Column("owner")
    }

    var callback: Callback {
        Callback(
            id: id,
            caller: Caller(name: callerName, number: callerNumber.flatMap(PhoneNumber.init(e164:)), rawNumber: callerRaw),
            recordedStatus: status, deadline: Date(unixSeconds: deadline), urgent: urgent, escalated: escalated,
            claimedBy: claimedBy, claimExpiresAt: claimExpiresAt.map(Date.init(unixSeconds:)),
            retryAt: retryAt.map(Date.init(unixSeconds:)), attempts: attempts,
            firstReceivedAt: Date(unixSeconds: firstReceivedAt), closedAt: closedAt.map(Date.init(unixSeconds:)),
            closedBy: closedBy, availableAt: availableAt.map(Date.init(unixSeconds:)), ownerLine: owner,
            breached: breached ?? false, promisedBy: promisedBy.map(Date.init(unixSeconds:)))
    }
}

/// A `voicemail` row.
struct VoicemailRecord: Decodable, FetchableRecord, TableRecord {
    static let databaseTableName = "voicemail"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

    var id: Int64
    var identity: String
    var callbackId: Int64?
    var receivedAt: Int64
    var context: String
    var mailbox: String
    var folder: String
    var urgent: Bool
    var pbxMessageId: String?
    var callerName: String?
    var callerNumber: String?
    var callerRaw: String?
    var format: String?
    var sampleRate: Int?
    var channels: Int?
    var frames: Int64?
    var durationSeconds: Double?
    var peak: Double?
    var rms: Double?
    var speechSeconds: Double?
    var silent: Bool?
    var audioError: String?
    var audioPath: String?
    var quarantinePath: String?
    var transcriptStatus: MessageTranscript.Status
    var transcript: String?
    var transcriptError: String?
    var transcriptRules: String?
    var spokenNumber: String?
    var transcriptCutShort: Bool
    var transcriptAvgLogprob: Double?
    var transcriptNoSpeechProb: Double?
    var blocked: Bool

    enum Columns {
        static let callbackID = Column("callback_id")
        static let receivedAt = Column("received_at")
        static let id = Column("id")
    }

    var stored: StoredVoicemail {
        let audio = format.map { format in
            AudioSummary(
                format: format, sampleRate: sampleRate ?? 0, channels: channels ?? 0, frames: frames ?? 0,
                durationSeconds: durationSeconds ?? 0, peak: peak ?? 0, rms: rms ?? 0,
                speechSeconds: speechSeconds ?? 0, silent: silent ?? false)
        }
        return StoredVoicemail(
            id: id, callbackID: callbackId ?? 0,
            voicemail: Voicemail(
                identity: identity, receivedAt: Date(unixSeconds: receivedAt), mailbox: mailbox, context: context,
                folder: folder, urgent: urgent,
                caller: Caller(name: callerName, number: callerNumber.flatMap(PhoneNumber.init(e164:)), rawNumber: callerRaw),
                pbxMessageID: pbxMessageId, audio: audio, audioError: audioError),
            audioPath: audioPath, quarantinePath: quarantinePath,
            transcript: MessageTranscript(
                status: transcriptStatus, text: transcript, error: transcriptError,
                rules: transcriptRules.map { $0.split(separator: "\n").map(String.init) } ?? [],
                spokenNumber: spokenNumber.flatMap(PhoneNumber.init(e164:)), cutShort: transcriptCutShort,
                confidence: transcriptAvgLogprob == nil && transcriptNoSpeechProb == nil
                    ? nil : TranscriptConfidence(avgLogprob: transcriptAvgLogprob, noSpeechProb: transcriptNoSpeechProb)),
            blocked: blocked)
    }
}

/// A `callback_event` row.
struct CallbackEventRecord: Decodable, FetchableRecord, TableRecord {
    static let databaseTableName = "callback_event"

    var at: Int64
    var actor: String
    var kind: CallbackEvent.Kind
    var note: String?

    enum Columns {
        static let callbackID = Column("callback_id")
        static let id = Column("id")
    }

    var event: CallbackEvent { CallbackEvent(at: Date(unixSeconds: at), actor: actor, kind: kind, note: note) }
}

extension CallbackStatus: DatabaseValueConvertible {}
extension MessageTranscript.Status: DatabaseValueConvertible {}
extension CallbackEvent.Kind: DatabaseValueConvertible {}

extension Callback {
    init(row: Row) throws {
        self = try CallbackRecord(row: row).callback
    }
}

extension StoredVoicemail {
    init(row: Row) throws {
        self = try VoicemailRecord(row: row).stored
    }
}

extension CallbackEvent {
    init(row: Row) throws {
        self = try CallbackEventRecord(row: row).event
    }
}
