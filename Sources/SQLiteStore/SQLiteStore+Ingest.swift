import Domain
import Foundation
import GRDB



extension SQLiteStore {
    /// Stores a message and queues it, in one transaction: a message from a number with a
    /// callback not yet done joins it, which keeps the earliest deadline; anything else
    /// opens a callback of its own. `audioPath` names the archive path for the new
    /// message's id, so the row says where its audio will be before the file moves.
    public func record(
        _ voicemail: Voicemail, deadline: Date, queue: Bool, at now: Date, actor: String,
        rules: EscalationRules = EscalationRules(), audioPath: @escaping @Sendable (Int64) -> String?
    ) throws(StoreError) -> RecordOutcome {
        let recording = Recording(voicemail: voicemail, deadline: deadline, queue: queue, audioPath: audioPath)
        return try write { db in try insert(db, recording, at: now, actor: actor, rules: rules) }
    }

    /// Stores several messages in one transaction, each in a savepoint of its own: one
    /// that fails is rolled back alone and reported, the others are kept. One commit for
    /// the batch is what lets ingest keep up with a backlog. Throws only when the
    /// transaction itself fails, and then nothing was stored.
    public func record(
        _ recordings: [Recording], at now: Date, actor: String, rules: EscalationRules = EscalationRules()
    ) throws(StoreError) -> [Result<RecordOutcome, StoreError>] {
        try write { db in
            var outcomes: [Result<RecordOutcome, StoreError>] = []
            outcomes.reserveCapacity(recordings.count)
            for recording in recordings {
                var outcome: RecordOutcome?
                do {
                    try db.inSavepoint {
                        outcome = try insert(db, recording, at: now, actor: actor, rules: rules)
                        return .commit
                    }
                    if let outcome { outcomes.append(.success(outcome)) }
                } catch {
                    outcomes.append(.failure(StoreError("could not store \(recording.voicemail.identity): \(Self.describe(error))")))
                }
            }
            return outcomes
        }
    }

    /// One message, inside the caller's transaction: stored once, placed where the domain
    /// says (`Decide.placement`), and its arrival written (`Decide.arrival`). Hot statements
    /// are cached: a batch runs them once per message.
    private func insert(_ db: Database, _ recording: Recording, at now: Date, actor: String, rules: EscalationRules) throws -> RecordOutcome {
        let voicemail = recording.voicemail
        if let existing = try VoicemailRecord.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM voicemail WHERE identity = ?"), arguments: [voicemail.identity])
        {
            return .duplicate(voicemailID: existing.id, audioPath: existing.audioPath)
        }
        let blocked = try Self.isBlocked(db, voicemail.caller.number)
        var open: Callback?
        if recording.queue, !blocked, let number = voicemail.caller.number {
            open = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM callback WHERE caller_number = ? AND status != 'done' AND owner = ? ORDER BY id LIMIT 1"),
                arguments: [number.e164, rules.isOwnerLine(voicemail)]
            ).map(Callback.init(row:))
        }
        let placement = Decide.placement(of: recording, callerBlocked: blocked, open: open, rules: rules, at: now)
        let callbackID = try Self.place(db, placement, at: now)
        let voicemailID = try Self.insertVoicemail(db, recording, callbackID: callbackID, blocked: blocked, at: now)
        guard let callbackID else { return .stored(voicemailID: voicemailID, callbackID: nil, joinedExisting: false) }
        var joined = false
        if case .join = placement { joined = true }
        try arrive(db, recording, voicemailID: voicemailID, callbackID: callbackID, joined: joined, actor: actor, rules: rules, at: now)
        return .stored(voicemailID: voicemailID, callbackID: callbackID, joinedExisting: joined)
    }

    /// Writes where the message goes: the caller's callback as joined, or a new one. Its id.
    private static func place(_ db: Database, _ placement: Decide.Placement, at now: Date) throws -> Int64? {
        switch placement {
        case .none:
            return nil
        case .join(let callback):
            try db.cachedStatement(
                sql: "UPDATE callback SET deadline = ?, urgent = ?, caller_name = ?, first_received_at = ? WHERE id = ?"
            ).execute(
                arguments: [
                    callback.deadline.unixSeconds, callback.urgent, callback.caller.name, callback.firstReceivedAt.unixSeconds, callback.id,
                ])
            return callback.id
        case .open(let callback):
            try db.cachedStatement(
                sql: """
                    INSERT INTO callback (caller_number, caller_name, caller_raw, status, deadline,
                        urgent, first_received_at, available_at, created_at, owner, breached)
                    VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    callback.caller.number?.e164, callback.caller.name, callback.caller.rawNumber, callback.deadline.unixSeconds,
                    callback.urgent, callback.firstReceivedAt.unixSeconds, callback.availableAt?.unixSeconds, now.unixSeconds,
                    callback.ownerLine, callback.breached,
                ])
            return db.lastInsertedRowID
        }
    }

    /// The message's row, with where its audio will be and what transcription it waits for.
    private static func insertVoicemail(_ db: Database, _ recording: Recording, callbackID: Int64?, blocked: Bool, at now: Date) throws -> Int64 {
        let voicemail = recording.voicemail
        let audio = voicemail.audio
        try db.cachedStatement(
            sql: """
                INSERT INTO voicemail (identity, callback_id, received_at, context, mailbox, folder,
                    urgent, pbx_message_id, caller_name, caller_number, caller_raw, format,
                    sample_rate, channels, frames, duration_seconds, peak, rms, speech_seconds,
                    silent, audio_error, ingested_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                voicemail.identity, callbackID, voicemail.receivedAt.unixSeconds,
                voicemail.context, voicemail.mailbox, voicemail.folder, voicemail.urgent,
                voicemail.pbxMessageID, voicemail.caller.name, voicemail.caller.number?.e164,
                voicemail.caller.rawNumber, audio?.format, audio?.sampleRate, audio?.channels,
                audio?.frames, audio?.durationSeconds, audio?.peak, audio?.rms,
                audio?.speechSeconds, audio?.silent, voicemail.audioError, now.unixSeconds,
            ])
        let voicemailID = db.lastInsertedRowID
        let path = recording.audioPath(voicemailID)
        let transcript = MessageTranscript.initial(for: voicemail, audioKept: path != nil)
        try db.cachedStatement(
            sql: "UPDATE voicemail SET audio_path = ?, transcript_status = ?, transcript_error = ?, blocked = ? WHERE id = ?"
        ).execute(arguments: [path, transcript.status, transcript.error, blocked, voicemailID])
        return voicemailID
    }

    /// The callback's history line for the message, and the reasons it raises by itself.
    private func arrive(
        _ db: Database, _ recording: Recording, voicemailID: Int64, callbackID: Int64, joined: Bool, actor: String, rules: EscalationRules,
        at now: Date
    ) throws {
        let voicemail = recording.voicemail
        var recent = 0
        if let number = voicemail.caller.number?.e164 {
            recent = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM voicemail WHERE caller_number = ? AND received_at > ? AND received_at <= ?"),
                arguments: [number, voicemail.receivedAt.unixSeconds - Int64(rules.repeatWindow), voicemail.receivedAt.unixSeconds]) ?? 0
        }
        let arrival = Decide.arrival(of: voicemail, id: voicemailID, joined: joined, notes: recording.notes, recentFromCaller: recent, rules: rules)
        try Self.appendEvent(db, callbackID: callbackID, at: now, actor: actor, kind: .ingested, note: arrival.note)
        for raised in arrival.raises {
            try raiseEscalation(db, callbackID: callbackID, reason: raised.kind, at: now, actor: Decide.system, detail: raised.detail ?? "")
        }
    }

    static func appendEvent(
        _ db: Database, callbackID: Int64, at: Date, actor: String, kind: CallbackEvent.Kind,
        note: String?
    ) throws {
        try db.cachedStatement(sql: "INSERT INTO callback_event (callback_id, at, actor, kind, note) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [callbackID, at.unixSeconds, actor, kind.rawValue, note])
    }
}

extension SQLiteStore {
    /// Every stored identity that starts with `prefix` (one message's place and time).
    public func identities(prefix: String) throws(StoreError) -> [String] {
        try read { db in
            try String.fetchAll(
                db.cachedStatement(sql: "SELECT identity FROM voicemail WHERE identity >= ? AND identity < ? ORDER BY identity"),
                arguments: [prefix, prefix + "\u{10FFFF}"])
        }
    }

    /// Whether messages were stored before hashes named their scheme (recorded when the
    /// schema learned it, so start-up reads one row instead of every identity).
    public func hasLegacyIdentities() throws(StoreError) -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT last_voicemail_id > 0 FROM legacy_identity") ?? false }
    }

    public func hasVoicemails() throws(StoreError) -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM voicemail)") ?? false }
    }

    /// Where a stored message's audio now is: the spool while a move waits, then the archive.
    public func setAudioPath(voicemail id: Int64, _ path: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE voicemail SET audio_path = ? WHERE id = ?", arguments: [path, id])
        }
    }

    /// Where a stored message's unreadable audio now is.
    public func setQuarantinePath(voicemail id: Int64, _ path: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE voicemail SET quarantine_path = ? WHERE id = ?", arguments: [path, id])
        }
    }

    /// The id of a stored message whose identity starts with `identityPrefix` (context,
    /// mailbox, PBX id and time, without the audio hash), if any.
    public func voicemail(identityPrefix: String) throws(StoreError) -> Int64? {
        try read { db in
            // A range on the unique index: every identity with the prefix sorts between the
            // prefix itself and the prefix followed by the highest code point.
            try Int64.fetchOne(
                db, sql: "SELECT id FROM voicemail WHERE identity >= ? AND identity < ? ORDER BY identity LIMIT 1",
                arguments: [identityPrefix, identityPrefix + "\u{10FFFF}"])
        }
    }
}
