import Domain
import Foundation
import GRDB
import UseCases

extension SQLiteStore: TranscriptRepository {
    public func leaseTranscriptions(limit: Int, only: Int64?, at now: Date, leaseSeconds: Int) async throws(StoreError) -> [TranscriptJob] {
        try await write { db in
            // Pending, and not held by a transcriber whose lease is still running.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT v.id, v.callback_id, v.audio_path, v.duration_seconds, v.transcript_attempts,
                        c.caller_number IS NULL AND c.id IS NOT NULL AS needs_number
                    FROM voicemail v LEFT JOIN callback c ON c.id = v.callback_id
                    WHERE v.transcript_status = 'pending' AND (v.transcript_leased_until IS NULL OR v.transcript_leased_until <= ?)
                        \(only == nil ? "" : "AND v.id = ?")
                    ORDER BY v.id LIMIT ?
                    """,
                arguments: StatementArguments([now.unixSeconds] + (only.map { [$0] } ?? []) + [Int64(limit)]))
            var jobs: [TranscriptJob] = []
            for row in rows {
                let id: Int64 = row["id"]
                guard let path: String = row["audio_path"] else {
                    try db.execute(
                        sql: "UPDATE voicemail SET transcript_status = 'skipped', transcript_error = 'no audio was kept' WHERE id = ?",
                        arguments: [id])
                    continue
                }
                try db.execute(
                    sql: "UPDATE voicemail SET transcript_leased_until = ? WHERE id = ?",
                    arguments: [now.unixSeconds + Int64(leaseSeconds), id])
                jobs.append(
                    TranscriptJob(
                        voicemailID: id, callbackID: row["callback_id"], audioPath: path,
                        durationSeconds: row["duration_seconds"] ?? 0, attempts: row["transcript_attempts"],
                        needsNumber: row["needs_number"] ?? false))
            }
            return jobs
        }
    }

    public func saveTranscript(voicemail id: Int64, findings: TranscriptFindings, rules: [String], at now: Date) async throws(StoreError) {
        try await write { db in
            guard let callbackID = try Int64?.fetchOne(db, sql: "SELECT callback_id FROM voicemail WHERE id = ?", arguments: [id]) else {
                throw StoreError(.noMessage(id))
            }
            try db.execute(
                sql: """
                    UPDATE voicemail SET transcript_status = 'done', transcript = ?, transcript_error = NULL,
                        transcript_rules = ?, transcript_leased_until = NULL, transcribed_at = ?,
                        transcript_attempts = transcript_attempts + 1, transcript_cut_short = ?,
                        transcript_avg_logprob = ?, transcript_no_speech_prob = ?
                    WHERE id = ?
                    """,
                arguments: [
                    findings.text, rules.isEmpty ? nil : rules.joined(separator: "\n"), now.unixSeconds, findings.cutShort,
                    findings.confidence?.avgLogprob, findings.confidence?.noSpeechProb, id,
                ])
            try db.execute(sql: "DELETE FROM transcript_search WHERE rowid = ?", arguments: [id])
            try db.execute(sql: "INSERT INTO transcript_search (rowid, transcript) VALUES (?, ?)", arguments: [id, findings.text])
            if let number = findings.spokenNumber {
                try db.execute(sql: "UPDATE voicemail SET spoken_number = ? WHERE id = ?", arguments: [number.e164, id])
            }
            guard let callbackID else { return }
            var records = try Self.records(db, callbackID: callbackID)
            if let number = findings.spokenNumber {
                records.spokenNumberHolder = try Self.openCallback(db, number: number, ownerLine: records.callback.ownerLine, besides: callbackID)
            }
            let (transition, urgent) = Decide.transcribed(records, voicemail: id, findings: findings, at: now)
            if urgent { try db.execute(sql: "UPDATE voicemail SET urgent = 1 WHERE id = ?", arguments: [id]) }
            try self.apply(db, transition)
        }
    }

    public func failTranscript(voicemail id: Int64, error: String, giveUp: Bool, at now: Date) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE voicemail SET transcript_status = ?, transcript_error = ?, transcript_leased_until = NULL,
                        transcript_attempts = transcript_attempts + 1
                    WHERE id = ?
                    """,
                arguments: [giveUp ? "failed" : "pending", error, id])
        }
    }

    public func requestTranscripts(voicemail id: Int64?) async throws(StoreError) -> Int {
        try await write { db in
            // Only messages with audio to hear: the skipped ones stay skipped.
            try db.execute(
                sql: """
                    UPDATE voicemail SET transcript_status = 'pending', transcript_leased_until = NULL, transcript_attempts = 0
                    WHERE transcript_status != 'skipped' \(id == nil ? "" : "AND id = ?")
                    """,
                arguments: StatementArguments(id.map { [$0] } ?? []))
            let changed = db.changesCount
            if let id, changed == 0 {
                let status = try String.fetchOne(db, sql: "SELECT transcript_status FROM voicemail WHERE id = ?", arguments: [id])
                guard status != nil else { throw StoreError(.noMessage(id)) }
                let why = try String.fetchOne(db, sql: "SELECT transcript_error FROM voicemail WHERE id = ?", arguments: [id])
                throw StoreError(.nothingToTranscribe(id, why: why ?? "no audio"))
            }
            return changed
        }
    }

    public func transcriptBacklog() async throws(StoreError) -> TranscriptBacklog {
        try await read { db in
            var backlog = TranscriptBacklog()
            for row in try Row.fetchAll(db, sql: "SELECT transcript_status, COUNT(*) AS n FROM voicemail GROUP BY transcript_status") {
                backlog.add(row["n"], status: row["transcript_status"] ?? "")
            }
            return backlog
        }
    }

    public func callbacks(matchingTranscript text: String) async throws(StoreError) -> Set<Int64> {
        // Every word as a quoted FTS5 string: what people type is never FTS5 syntax.
        let words = text.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "'" })
        guard !words.isEmpty else { return [] }
        let query = words.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " AND ")
        return try await read { db in
            Set(
                try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT v.callback_id FROM transcript_search s JOIN voicemail v ON v.id = s.rowid
                        WHERE transcript_search MATCH ? AND v.callback_id IS NOT NULL
                        """,
                    arguments: [query]))
        }
    }

    public func block(_ number: PhoneNumber, reason: String, by actor: String, at now: Date) async throws(StoreError) -> BlockChange {
        try await write { db in
            let previous = try Row.fetchOne(db, sql: "SELECT * FROM blocked_number WHERE number = ?", arguments: [number.e164]).map { row in
                BlockedNumber(
                    number: number, reason: row["reason"], blockedBy: row["blocked_by"], blockedAt: Date(unixSeconds: row["blocked_at"]),
                    heldMessages: [])
            }
            if previous?.reason != reason {
                try db.execute(
                    sql: """
                        INSERT INTO blocked_number (number, reason, blocked_by, blocked_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT (number) DO UPDATE SET reason = excluded.reason, blocked_by = excluded.blocked_by
                        """,
                    arguments: [number.e164, reason, actor, now.unixSeconds])
            }
            var closed: [Int64] = []
            for id in try Int64.fetchAll(
                db, sql: "SELECT id FROM callback WHERE caller_number = ? AND status != 'done' ORDER BY id", arguments: [number.e164])
            {
                guard let transition = Decide.block(try Self.records(db, callbackID: id), by: actor, reason: reason, at: now) else { continue }
                try self.apply(db, transition)
                closed.append(id)
            }
            let entry = BlockedNumber.blocking(number, reason: reason, by: actor, at: now, previous: previous)
            return BlockChange(entry: entry, previous: previous, closed: closed)
        }
    }

    public func unblock(_ number: PhoneNumber) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM blocked_number WHERE number = ?", arguments: [number.e164])
            return db.changesCount > 0
        }
    }

    public func blockedNumbers() async throws(StoreError) -> [BlockedNumber] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM blocked_number ORDER BY blocked_at, number").compactMap { row -> BlockedNumber? in
                guard let number = PhoneNumber(e164: row["number"]) else { return nil }
                let held = try Row.fetchAll(
                    db, sql: "SELECT * FROM voicemail WHERE caller_number = ? AND blocked = 1 ORDER BY received_at, id",
                    arguments: [number.e164]
                ).map { try StoredVoicemail(row: $0) }
                return BlockedNumber(
                    number: number, reason: row["reason"], blockedBy: row["blocked_by"],
                    blockedAt: Date(unixSeconds: row["blocked_at"]), heldMessages: held)
            }
        }
    }
}
