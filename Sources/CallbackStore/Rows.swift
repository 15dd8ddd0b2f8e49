import CallbackQueue
import Foundation
import GRDB

/// Mapping between table rows and domain values. Instants are stored as Unix seconds.
extension Date {
    var unixSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
    init(unixSeconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(unixSeconds)) }
}

extension Callback {
    init(row: Row) {
        let claimExpires: Int64? = row["claim_expires_at"]
        let retry: Int64? = row["retry_at"]
        let closed: Int64? = row["closed_at"]
        let available: Int64? = row["available_at"]
        let number: String? = row["caller_number"]
        let status: String = row["status"]
        self.init(
            id: row["id"],
            caller: Caller(
                name: row["caller_name"], number: number.flatMap(PhoneNumber.init(e164:)),
                rawNumber: row["caller_raw"]),
            recordedStatus: CallbackStatus(rawValue: status) ?? .open,
            deadline: Date(unixSeconds: row["deadline"]),
            urgent: row["urgent"],
            escalated: row["escalated"],
            claimedBy: row["claimed_by"],
            claimExpiresAt: claimExpires.map(Date.init(unixSeconds:)),
            retryAt: retry.map(Date.init(unixSeconds:)),
            attempts: row["attempts"],
            firstReceivedAt: Date(unixSeconds: row["first_received_at"]),
            closedAt: closed.map(Date.init(unixSeconds:)),
            closedBy: row["closed_by"],
            availableAt: available.map(Date.init(unixSeconds:)),
            ownerLine: row["owner"])
    }
}

extension StoredVoicemail {
    init(row: Row) {
        let number: String? = row["caller_number"]
        let format: String? = row["format"]
        let audio = format.map { format in
            AudioSummary(
                format: format, sampleRate: row["sample_rate"] ?? 0, channels: row["channels"] ?? 0,
                frames: row["frames"] ?? 0, durationSeconds: row["duration_seconds"] ?? 0,
                peak: row["peak"] ?? 0, rms: row["rms"] ?? 0,
                speechSeconds: row["speech_seconds"] ?? 0, silent: row["silent"] ?? false)
        }
        self.init(
            id: row["id"],
            callbackID: row["callback_id"] ?? 0,
            voicemail: Voicemail(
                identity: row["identity"],
                receivedAt: Date(unixSeconds: row["received_at"]),
                mailbox: row["mailbox"], context: row["context"], folder: row["folder"],
                urgent: row["urgent"],
                caller: Caller(
                    name: row["caller_name"], number: number.flatMap(PhoneNumber.init(e164:)),
                    rawNumber: row["caller_raw"]),
                pbxMessageID: row["pbx_message_id"], audio: audio, audioError: row["audio_error"]),
            audioPath: row["audio_path"], quarantinePath: row["quarantine_path"])
    }
}

extension CallbackEvent {
    init(row: Row) {
        let kind: String = row["kind"]
        self.init(
            at: Date(unixSeconds: row["at"]), actor: row["actor"],
            kind: Kind(rawValue: kind) ?? .noted, note: row["note"])
    }
}
