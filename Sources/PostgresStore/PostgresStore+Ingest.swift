import Domain
import Foundation
internal import PostgresNIO
import UseCases

/// Ingest: synchronous, as `IngestRepository` asks. Ingest runs on its own DispatchQueue
/// threads, never Swift's cooperative pool, so each call blocks its thread on a semaphore
/// while the work runs asynchronously on `StoreExecutor` (see `blocking`).
extension PostgresStore {
    /// Stores a batch in one transaction. Several nodes may store at once: the identity's
    /// unique constraint stores a message once (the loser reports a duplicate), and the
    /// one-open-callback-per-caller index makes a node that loses the race to open a
    /// caller's callback join it instead. A deadlock between two batches (callers locked
    /// in opposite orders) retries the batch.
    public func record(_ recordings: [Recording], at now: Date, actor: String, rules: EscalationRules = EscalationRules())
        throws(StoreError) -> [Result<RecordOutcome, StoreError>]
    {
        try blocking { () async throws(StoreError) -> [Result<RecordOutcome, StoreError>] in
            try await self.recordAsync(recordings, at: now, actor: actor, rules: rules)
        }
    }

    /// The same, for callers already in a task (`storage copy`, benchmarks).
    ///
    /// First the whole batch as it is: three statements for a message from a new caller.
    /// If one message fails, that transaction is rolled back and the batch stored again with
    /// each message alone in a savepoint (two statements more each), so the others are
    /// stored and the failure is that message's alone.
    public func recordAsync(_ recordings: [Recording], at now: Date, actor: String, rules: EscalationRules = EscalationRules())
        async throws(StoreError) -> [Result<RecordOutcome, StoreError>]
    {
        do {
            let outcomes: [RecordOutcome] = try await write { connection in
                var outcomes: [RecordOutcome] = []
                outcomes.reserveCapacity(recordings.count)
                for recording in recordings {
                    do {
                        outcomes.append(try await self.insert(connection, recording, at: now, actor: actor, rules: rules))
                    } catch {
                        if Self.isRetryable(error) || Self.isConnectionLost(error) { throw error }
                        throw Self.oneMessageFailed
                    }
                }
                return outcomes
            }
            return outcomes.map { .success($0) }
        } catch where error == Self.oneMessageFailed {
            return try await recordEachAlone(recordings, at: now, actor: actor, rules: rules)
        }
    }

    /// Ends the first try of a batch in which a message failed.
    static let oneMessageFailed = StoreError("a message of the batch could not be stored; storing each alone")

    /// The batch with each message alone in a savepoint.
    private func recordEachAlone(_ recordings: [Recording], at now: Date, actor: String, rules: EscalationRules)
        async throws(StoreError) -> [Result<RecordOutcome, StoreError>]
    {
        let outcomes: [StoredOutcome] = try await write { connection in
            var outcomes: [StoredOutcome] = []
            outcomes.reserveCapacity(recordings.count)
            for recording in recordings {
                try await connection.run("SAVEPOINT message")
                do {
                    let outcome = try await self.insert(connection, recording, at: now, actor: actor, rules: rules)
                    try await connection.run("RELEASE SAVEPOINT message")
                    outcomes.append(StoredOutcome(result: .success(outcome)))
                } catch {
                    // A deadlock aborts the batch, which `write` runs again; a lost
                    // connection ends it (nothing more can be sent on it).
                    if Self.isRetryable(error) || Self.isConnectionLost(error) { throw error }
                    try await connection.run("ROLLBACK TO SAVEPOINT message")
                    outcomes.append(
                        StoredOutcome(
                            result: .failure(
                                StoreError("could not store \(recording.voicemail.identity): \(Self.describe(error))"))))
                }
            }
            return outcomes
        }
        return outcomes.map(\.result)
    }

    struct StoredOutcome: Sendable {
        var result: Result<RecordOutcome, StoreError>
    }

    private func insert(
        _ connection: PostgresConnection, _ recording: Recording, at now: Date, actor: String, rules: EscalationRules
    ) async throws -> RecordOutcome {
        let voicemail = recording.voicemail
        let audio = voicemail.audio
        let number = voicemail.caller.number?.e164
        // The message first: the unique identity decides, across nodes, who stores it.
        guard
            let inserted = try await connection.one(
                """
                INSERT INTO voicemail (identity, received_at, context, mailbox, folder,
                    urgent, pbx_message_id, caller_name, caller_number, caller_raw, format,
                    sample_rate, channels, frames, duration_seconds, peak, rms, speech_seconds,
                    silent, audio_error, ingested_at)
                VALUES (\(voicemail.identity), \(voicemail.receivedAt.unixSeconds), \(voicemail.context), \(voicemail.mailbox),
                    \(voicemail.folder), \(voicemail.urgent), \(voicemail.pbxMessageID), \(voicemail.caller.name), \(number),
                    \(voicemail.caller.rawNumber), \(audio?.format), \(audio?.sampleRate), \(audio?.channels), \(audio?.frames),
                    \(audio?.durationSeconds), \(audio?.peak), \(audio?.rms), \(audio?.speechSeconds), \(audio?.silent),
                    \(voicemail.audioError), \(now.unixSeconds))
                ON CONFLICT (identity) DO NOTHING
                RETURNING id
                """)
        else {
            guard let existing = try await connection.one("SELECT id, audio_path FROM voicemail WHERE identity = \(voicemail.identity)")
            else { throw StoreError("\(voicemail.identity) is stored and yet cannot be read") }
            return .duplicate(voicemailID: try existing.int64("id"), audioPath: try existing.optionalString("audio_path"))
        }
        let voicemailID = try inserted.int64("id")
        let audioPath = recording.audioPath(voicemailID)
        let transcript = MessageTranscript.initial(for: voicemail, audioKept: audioPath != nil)

        // A blocked number's messages are stored and counted, never queued for staff.
        var blocked = false
        if let number {
            blocked = try await connection.one("SELECT 1 AS blocked FROM blocked_number WHERE number = \(number)") != nil
        }
        let (callbackID, joined) = try await place(connection, recording, callerBlocked: blocked, rules: rules, at: now)
        guard let callbackID else {
            try await connection.run(
                """
                UPDATE voicemail SET audio_path = \(audioPath), transcript_status = \(transcript.status.rawValue),
                    transcript_error = \(transcript.error), blocked = \(blocked)
                WHERE id = \(voicemailID)
                """)
            return .stored(voicemailID: voicemailID, callbackID: nil, joinedExisting: false)
        }
        // The message placed on its callback, the callback's history, and how often this
        // caller rang lately (this message included), in one statement.
        let received = voicemail.receivedAt.unixSeconds
        // The history line (the note does not depend on the count the statement reads).
        let note = Decide.arrival(of: voicemail, id: voicemailID, joined: joined, notes: recording.notes, recentFromCaller: 0, rules: rules).note
        let counted = try await connection.one(
            """
            WITH placed AS (
                UPDATE voicemail SET callback_id = \(callbackID), audio_path = \(audioPath),
                    transcript_status = \(transcript.status.rawValue), transcript_error = \(transcript.error)
                WHERE id = \(voicemailID)
            ), history AS (
                INSERT INTO callback_event (callback_id, at, actor, kind, note)
                VALUES (\(callbackID), \(now.unixSeconds), \(actor), \(CallbackEvent.Kind.ingested.rawValue), \(note))
            )
            SELECT COUNT(*) AS recent FROM voicemail
            WHERE caller_number = \(number) AND received_at > \(received - Int64(rules.repeatWindow)) AND received_at <= \(received)
            """)
        let recent = number == nil ? 0 : try counted?.int("recent") ?? 0
        let arrival = Decide.arrival(of: voicemail, id: voicemailID, joined: joined, notes: recording.notes, recentFromCaller: recent, rules: rules)
        for raised in arrival.raises {
            try await raiseEscalation(
                connection, callbackID: callbackID, reason: raised.kind, at: now, actor: Decide.system, detail: raised.detail ?? "")
        }
        return .stored(voicemailID: voicemailID, callbackID: callbackID, joinedExisting: joined)
    }

    /// Where the message goes, as the domain decides it (`Decide.placement`), written: a new
    /// callback tried first (most messages are from callers with nothing open), refused by
    /// the partial unique index when the caller has one (across nodes); then decided again
    /// with that one, locked, and joined.
    private func place(
        _ connection: PostgresConnection, _ recording: Recording, callerBlocked blocked: Bool, rules: EscalationRules, at now: Date
    ) async throws -> (id: Int64?, joined: Bool) {
        let voicemail = recording.voicemail
        let number = voicemail.caller.number?.e164
        let owner = rules.isOwnerLine(voicemail)
        var callbackID: Int64?
        var joined = false
        var open: Callback?
        var tries = 0
        while callbackID == nil {
            tries += 1
            switch Decide.placement(of: recording, callerBlocked: blocked, open: open, rules: rules, at: now) {
            case .none:
                break
            case .open(let callback):
                // Tried first, as most messages are from callers with nothing open; the
                // partial unique index refuses it when the caller has one (across nodes).
                if let created = try await connection.one(
                    """
                    INSERT INTO callback (caller_number, caller_name, caller_raw, status, deadline,
                        urgent, first_received_at, available_at, created_at, owner, breached)
                    VALUES (\(callback.caller.number?.e164), \(callback.caller.name), \(callback.caller.rawNumber), 'open',
                        \(callback.deadline.unixSeconds), \(callback.urgent), \(callback.firstReceivedAt.unixSeconds),
                        \(callback.availableAt?.unixSeconds), \(now.unixSeconds), \(callback.ownerLine), \(callback.breached))
                    ON CONFLICT (caller_number, owner) WHERE status <> 'done' AND caller_number IS NOT NULL DO NOTHING
                    RETURNING id
                    """)
                {
                    callbackID = try created.int64("id")
                } else if let number {
                    // The caller has one: decided again with it, locked.
                    open = try await connection.one(
                        """
                        SELECT * FROM callback WHERE caller_number = \(number) AND status <> 'done' AND owner = \(owner)
                        ORDER BY id LIMIT 1 FOR UPDATE
                        """
                    ).map { try $0.callback }
                }
            case .join(let callback):
                try await connection.run(
                    """
                    UPDATE callback SET deadline = \(callback.deadline.unixSeconds), urgent = \(callback.urgent),
                        caller_name = \(callback.caller.name), first_received_at = \(callback.firstReceivedAt.unixSeconds)
                    WHERE id = \(callback.id)
                    """)
                callbackID = callback.id
                joined = true
            }
            if callbackID != nil || !recording.queue || blocked { break }
            // Otherwise the caller's callback was closed or opened by another node a
            // moment ago: try again.
            if tries >= 5 { throw StoreError("could not open or join a callback for \(number ?? "an unknown number")") }
        }

        return (callbackID, joined)
    }

    public func identities(prefix: String) throws(StoreError) -> [String] {
        try blocking { () async throws(StoreError) -> [String] in
            try await self.read { connection in
                try await connection.all(
                    """
                    SELECT identity FROM voicemail
                    WHERE identity COLLATE "C" >= \(prefix) AND identity COLLATE "C" < \(prefix + "\u{10FFFF}")
                    ORDER BY identity COLLATE "C"
                    """
                ).map { try $0.string("identity") }
            }
        }
    }

    public func hasLegacyIdentities() throws(StoreError) -> Bool {
        try blocking { () async throws(StoreError) -> Bool in
            try await self.read { connection in
                try await connection.one("SELECT last_voicemail_id > 0 AS legacy FROM legacy_identity")?.bool("legacy") ?? false
            }
        }
    }

    public func hasVoicemails() throws(StoreError) -> Bool {
        try blocking { () async throws(StoreError) -> Bool in
            try await self.read { connection in
                try await connection.one("SELECT EXISTS (SELECT 1 FROM voicemail) AS stored")?.bool("stored") ?? false
            }
        }
    }

    public func setAudioPath(voicemail id: Int64, _ path: String) throws(StoreError) {
        try blocking { () async throws(StoreError) in
            try await self.write { connection in
                try await connection.run("UPDATE voicemail SET audio_path = \(path) WHERE id = \(id)")
                return ()
            }
        }
    }

    public func setQuarantinePath(voicemail id: Int64, _ path: String) throws(StoreError) {
        try blocking { () async throws(StoreError) in
            try await self.write { connection in
                try await connection.run("UPDATE voicemail SET quarantine_path = \(path) WHERE id = \(id)")
                return ()
            }
        }
    }

    public func voicemail(identityPrefix: String) throws(StoreError) -> Int64? {
        try blocking { () async throws(StoreError) -> Int64? in
            try await self.read { connection in
                try await connection.one(
                    """
                    SELECT id FROM voicemail
                    WHERE identity COLLATE "C" >= \(identityPrefix) AND identity COLLATE "C" < \(identityPrefix + "\u{10FFFF}")
                    ORDER BY identity COLLATE "C" LIMIT 1
                    """)?.int64("id")
            }
        }
    }
}
