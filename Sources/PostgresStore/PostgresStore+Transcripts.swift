import Domain
import Foundation
internal import PostgresNIO
import UseCases

// Transcripts and the block list on PostgreSQL: the same behaviour as the SQLite store;
// work is handed out with `SKIP LOCKED`, so transcribers on several nodes never hear the
// same message at once.
extension PostgresStore: TranscriptRepository {
    public func leaseTranscriptions(limit: Int, only: Int64?, at now: Date, leaseSeconds: Int) async throws(StoreError) -> [TranscriptJob] {
        try await write { connection in
            let rows = try await connection.all(
                """
                UPDATE voicemail v SET transcript_leased_until = \(now.unixSeconds + Int64(leaseSeconds))
                FROM (
                    SELECT id FROM voicemail
                    WHERE transcript_status = 'pending'
                        AND (transcript_leased_until IS NULL OR transcript_leased_until <= \(now.unixSeconds))
                        AND (\(only)::BIGINT IS NULL OR id = \(only))
                    ORDER BY id LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED
                ) picked
                WHERE v.id = picked.id
                RETURNING v.id, v.callback_id, v.audio_path, v.duration_seconds, v.transcript_attempts,
                    (SELECT c.caller_number IS NULL FROM callback c WHERE c.id = v.callback_id) AS needs_number
                """)
            var jobs: [TranscriptJob] = []
            for row in rows {
                let id = try row.int64("id")
                guard let path = try row.optionalString("audio_path") else {
                    try await connection.run(
                        "UPDATE voicemail SET transcript_status = 'skipped', transcript_error = 'no audio was kept', transcript_leased_until = NULL WHERE id = \(id)")
                    continue
                }
                jobs.append(
                    TranscriptJob(
                        voicemailID: id, callbackID: try row.optionalInt64("callback_id"), audioPath: path,
                        durationSeconds: try row.value("duration_seconds", as: Double?.self) ?? 0,
                        attempts: try row.int("transcript_attempts"),
                        needsNumber: try row.value("needs_number", as: Bool?.self) ?? false))
            }
            return jobs.sorted { $0.voicemailID < $1.voicemailID }
        }
    }

    public func saveTranscript(voicemail id: Int64, findings: TranscriptFindings, rules: [String], at now: Date) async throws(StoreError) {
        try await write { connection in
            guard let row = try await connection.one("SELECT callback_id FROM voicemail WHERE id = \(id) FOR UPDATE") else {
                throw StoreError(.noMessage(id))
            }
            try await connection.run(
                """
                UPDATE voicemail SET transcript_status = 'done', transcript = \(findings.text), transcript_error = NULL,
                    transcript_rules = \(rules.isEmpty ? nil : rules.joined(separator: "\n")), transcript_leased_until = NULL,
                    transcribed_at = \(now.unixSeconds), transcript_attempts = transcript_attempts + 1,
                    transcript_cut_short = \(findings.cutShort), transcript_avg_logprob = \(findings.confidence?.avgLogprob),
                    transcript_no_speech_prob = \(findings.confidence?.noSpeechProb)
                WHERE id = \(id)
                """)
            if let number = findings.spokenNumber {
                try await connection.run("UPDATE voicemail SET spoken_number = \(number.e164) WHERE id = \(id)")
            }
            guard let callbackID = try row.optionalInt64("callback_id") else { return }
            var records = try await Self.records(connection, callbackID: callbackID)
            if let number = findings.spokenNumber {
                records.spokenNumberHolder = try await Self.openCallback(
                    connection, number: number, ownerLine: records.callback.ownerLine, besides: callbackID)
            }
            let (transition, urgent) = Decide.transcribed(records, voicemail: id, findings: findings, at: now)
            if urgent { try await connection.run("UPDATE voicemail SET urgent = TRUE WHERE id = \(id)") }
            try await self.apply(connection, transition)
        }
    }

    public func failTranscript(voicemail id: Int64, error: String, giveUp: Bool, at now: Date) async throws(StoreError) {
        try await write { connection in
            try await connection.run(
                """
                UPDATE voicemail SET transcript_status = \(giveUp ? "failed" : "pending"), transcript_error = \(error),
                    transcript_leased_until = NULL, transcript_attempts = transcript_attempts + 1
                WHERE id = \(id)
                """)
        }
    }

    public func requestTranscripts(voicemail id: Int64?) async throws(StoreError) -> Int {
        try await write { connection in
            let changed = try await connection.all(
                """
                UPDATE voicemail SET transcript_status = 'pending', transcript_leased_until = NULL, transcript_attempts = 0
                WHERE transcript_status <> 'skipped' AND (\(id)::BIGINT IS NULL OR id = \(id))
                RETURNING id
                """
            ).count
            if let id, changed == 0 {
                guard let row = try await connection.one("SELECT transcript_error FROM voicemail WHERE id = \(id)") else {
                    throw StoreError(.noMessage(id))
                }
                throw StoreError(
                    "message #\(id) has nothing to transcribe: \(try row.optionalString("transcript_error") ?? "no audio")", code: .refused)
            }
            return changed
        }
    }

    public func transcriptBacklog() async throws(StoreError) -> TranscriptBacklog {
        try await read { connection in
            var backlog = TranscriptBacklog()
            for row in try await connection.all("SELECT transcript_status, COUNT(*) AS n FROM voicemail GROUP BY transcript_status") {
                backlog.add(try row.int("n"), status: try row.string("transcript_status"))
            }
            return backlog
        }
    }

    public func callbacks(matchingTranscript text: String) async throws(StoreError) -> Set<Int64> {
        try await read { connection in
            // plainto_tsquery: what people type is words, never query syntax.
            Set(
                try await connection.all(
                    """
                    SELECT DISTINCT callback_id FROM voicemail
                    WHERE callback_id IS NOT NULL
                        AND to_tsvector('english', COALESCE(transcript, '')) @@ plainto_tsquery('english', \(text))
                    """
                ).map { try $0.int64("callback_id") })
        }
    }

    public func block(_ number: PhoneNumber, reason: String, by actor: String, at now: Date) async throws(StoreError) -> BlockChange {
        try await write { connection in
            var previous: BlockedNumber?
            if let row = try await connection.one("SELECT * FROM blocked_number WHERE number = \(number.e164)") {
                previous = BlockedNumber(
                    number: number, reason: try row.string("reason"), blockedBy: try row.string("blocked_by"),
                    blockedAt: try row.date("blocked_at"), heldMessages: [])
            }
            if previous?.reason != reason {
                try await connection.run(
                    """
                    INSERT INTO blocked_number (number, reason, blocked_by, blocked_at) VALUES (\(number.e164), \(reason), \(actor), \(now.unixSeconds))
                    ON CONFLICT (number) DO UPDATE SET reason = EXCLUDED.reason, blocked_by = EXCLUDED.blocked_by
                    """)
            }
            // Locked like every change to a callback, so a claim or an outcome in flight on
            // another node either finishes first or sees the block.
            var closed: [Int64] = []
            for row in try await connection.all(
                "SELECT id FROM callback WHERE caller_number = \(number.e164) AND status <> 'done' ORDER BY id FOR UPDATE")
            {
                let id = try row.int64("id")
                guard let transition = Decide.block(try await Self.records(connection, callbackID: id), by: actor, reason: reason, at: now)
                else { continue }
                try await self.apply(connection, transition)
                closed.append(id)
            }
            let entry = BlockedNumber.blocking(number, reason: reason, by: actor, at: now, previous: previous)
            return BlockChange(entry: entry, previous: previous, closed: closed)
        }
    }

    public func unblock(_ number: PhoneNumber) async throws(StoreError) -> Bool {
        try await write { connection in
            try await connection.all("DELETE FROM blocked_number WHERE number = \(number.e164) RETURNING number").count > 0
        }
    }

    public func blockedNumbers() async throws(StoreError) -> [BlockedNumber] {
        try await read { connection in
            var blocked: [BlockedNumber] = []
            for row in try await connection.all("SELECT * FROM blocked_number ORDER BY blocked_at, number") {
                guard let number = PhoneNumber(e164: try row.string("number")) else { continue }
                let held = try await connection.all(
                    "SELECT * FROM voicemail WHERE caller_number = \(number.e164) AND blocked ORDER BY received_at, id"
                ).map { try $0.storedVoicemail }
                blocked.append(
                    BlockedNumber(
                        number: number, reason: try row.string("reason"), blockedBy: try row.string("blocked_by"),
                        blockedAt: try row.date("blocked_at"), heldMessages: held))
            }
            return blocked
        }
    }
}
