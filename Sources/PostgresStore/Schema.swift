import Domain
import Foundation
import Logging
internal import PostgresNIO

/// The schema, one migration per change; never edit a shipped migration. Each migration is
/// a list of statements (the extended protocol runs one statement per query). Instants
/// are BIGINT Unix seconds, as in the SQLite store; ids are kept by `storage copy`.
enum Schema {
    /// A key for `pg_advisory_xact_lock`: nodes starting together migrate one at a time.
    static let lockKey: Int64 = 0x4166_7465_7268_7273  // "Afterhrs"

    static let migrations: [(version: Int, name: String, statements: [String])] = [
        (
            1, "messages, callbacks, history, escalations, the outbox, people",
            [
                """
                CREATE TABLE callback (
                    id BIGSERIAL PRIMARY KEY,
                    caller_number TEXT,
                    caller_name TEXT,
                    caller_raw TEXT,
                    status TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'waiting', 'done')),
                    deadline BIGINT NOT NULL,
                    urgent BOOLEAN NOT NULL DEFAULT FALSE,
                    escalated BOOLEAN NOT NULL DEFAULT FALSE,
                    claimed_by TEXT,
                    claim_expires_at BIGINT,
                    retry_at BIGINT,
                    attempts BIGINT NOT NULL DEFAULT 0,
                    first_received_at BIGINT NOT NULL,
                    available_at BIGINT,
                    created_at BIGINT NOT NULL,
                    closed_at BIGINT,
                    closed_by TEXT,
                    owner BOOLEAN NOT NULL DEFAULT FALSE,
                    breached BOOLEAN NOT NULL DEFAULT FALSE
                )
                """,
                // The serving order of DESIGN §5, walked in index order by the claim.
                """
                CREATE INDEX callback_serving_order ON callback
                    (escalated DESC, urgent DESC, deadline, first_received_at, id)
                    WHERE status <> 'done' AND NOT owner
                """,
                // One callback not yet done per caller (and line): across nodes, a message
                // from a number that has one joins it.
                """
                CREATE UNIQUE INDEX callback_one_open_per_caller ON callback (caller_number, owner)
                    WHERE status <> 'done' AND caller_number IS NOT NULL
                """,
                "CREATE INDEX callback_unbreached ON callback (deadline) WHERE status <> 'done' AND NOT breached",
                """
                CREATE TABLE voicemail (
                    id BIGSERIAL PRIMARY KEY,
                    identity TEXT NOT NULL,
                    callback_id BIGINT REFERENCES callback(id),
                    received_at BIGINT NOT NULL,
                    context TEXT NOT NULL,
                    mailbox TEXT NOT NULL,
                    folder TEXT NOT NULL,
                    urgent BOOLEAN NOT NULL,
                    pbx_message_id TEXT,
                    caller_name TEXT,
                    caller_number TEXT,
                    caller_raw TEXT,
                    format TEXT,
                    sample_rate BIGINT,
                    channels BIGINT,
                    frames BIGINT,
                    duration_seconds DOUBLE PRECISION,
                    peak DOUBLE PRECISION,
                    rms DOUBLE PRECISION,
                    speech_seconds DOUBLE PRECISION,
                    silent BOOLEAN,
                    audio_error TEXT,
                    audio_path TEXT,
                    quarantine_path TEXT,
                    ingested_at BIGINT NOT NULL,
                    CONSTRAINT voicemail_identity_unique UNIQUE (identity)
                )
                """,
                // Identities are compared by prefix (`identity >= p AND identity < p || max`):
                // byte order, whatever the database's collation.
                "CREATE INDEX voicemail_identity_bytes ON voicemail (identity COLLATE \"C\")",
                "CREATE INDEX voicemail_by_callback ON voicemail (callback_id, received_at)",
                "CREATE INDEX voicemail_by_caller ON voicemail (caller_number, received_at)",
                """
                CREATE TABLE callback_event (
                    id BIGSERIAL PRIMARY KEY,
                    callback_id BIGINT NOT NULL REFERENCES callback(id),
                    at BIGINT NOT NULL,
                    actor TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    note TEXT
                )
                """,
                "CREATE INDEX callback_event_by_callback ON callback_event (callback_id, id)",
                """
                CREATE TABLE escalation (
                    id BIGSERIAL PRIMARY KEY,
                    callback_id BIGINT NOT NULL REFERENCES callback(id),
                    reason TEXT NOT NULL,
                    reasons TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
                    created_at BIGINT NOT NULL,
                    acknowledged_by TEXT,
                    acknowledged_at BIGINT,
                    resolved_by TEXT,
                    resolved_at BIGINT,
                    resolution TEXT
                )
                """,
                // One escalation per callback until it is resolved.
                "CREATE UNIQUE INDEX escalation_one_open ON escalation (callback_id) WHERE state <> 'resolved'",
                """
                CREATE TABLE escalation_reason (
                    id BIGSERIAL PRIMARY KEY,
                    escalation_id BIGINT NOT NULL REFERENCES escalation(id),
                    kind TEXT NOT NULL,
                    detail TEXT,
                    raised_at BIGINT NOT NULL,
                    raised_by TEXT NOT NULL,
                    UNIQUE (escalation_id, kind)
                )
                """,
                """
                CREATE TABLE notification (
                    id BIGSERIAL PRIMARY KEY,
                    escalation_id BIGINT NOT NULL REFERENCES escalation(id),
                    channel TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    attempts BIGINT NOT NULL DEFAULT 0,
                    next_attempt_at BIGINT NOT NULL,
                    delivered_at BIGINT,
                    last_error TEXT,
                    UNIQUE (escalation_id, channel, reason)
                )
                """,
                "CREATE INDEX notification_due ON notification (next_attempt_at, id) WHERE delivered_at IS NULL",
                // Messages stored before hashes named their scheme (copied from SQLite).
                "CREATE TABLE legacy_identity (last_voicemail_id BIGINT NOT NULL)",
                "INSERT INTO legacy_identity VALUES (0)",
                """
                CREATE TABLE person (
                    id BIGSERIAL PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL CHECK (role IN ('staff', 'owner', 'admin')),
                    token_hash TEXT NOT NULL UNIQUE,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE sign_in_link (
                    token_hash TEXT PRIMARY KEY,
                    person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
                    expires_at BIGINT NOT NULL,
                    used_at BIGINT
                )
                """,
                """
                CREATE TABLE session (
                    token_hash TEXT PRIMARY KEY,
                    person_id BIGINT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
                    csrf TEXT NOT NULL,
                    expires_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE push_receipt (
                    idempotency_key TEXT PRIMARY KEY,
                    status BIGINT NOT NULL,
                    body TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
            ]
        ),
        (
            2, "transcripts, what their words decided, the block list",
            [
                """
                ALTER TABLE voicemail
                    ADD COLUMN transcript_status TEXT NOT NULL DEFAULT 'pending'
                        CHECK (transcript_status IN ('pending', 'done', 'failed', 'skipped')),
                    ADD COLUMN transcript TEXT,
                    ADD COLUMN transcript_error TEXT,
                    ADD COLUMN transcript_attempts BIGINT NOT NULL DEFAULT 0,
                    ADD COLUMN transcript_leased_until BIGINT,
                    ADD COLUMN transcribed_at BIGINT,
                    ADD COLUMN transcript_rules TEXT,
                    ADD COLUMN spoken_number TEXT,
                    ADD COLUMN blocked BOOLEAN NOT NULL DEFAULT FALSE
                """,
                """
                UPDATE voicemail SET transcript_status = 'skipped', transcript_error = CASE
                        WHEN audio_error IS NOT NULL THEN 'the audio could not be read: ' || audio_error
                        WHEN audio_path IS NULL THEN 'no audio was kept'
                        ELSE 'the message is silent' END
                    WHERE audio_error IS NOT NULL OR audio_path IS NULL OR silent OR format IS NULL
                """,
                "CREATE INDEX voicemail_transcript_pending ON voicemail (id) WHERE transcript_status = 'pending'",
                // Word search: English stemming, so "refunds" finds "refund".
                "CREATE INDEX voicemail_transcript_search ON voicemail USING GIN (to_tsvector('english', COALESCE(transcript, '')))",
                """
                CREATE TABLE blocked_number (
                    number TEXT PRIMARY KEY,
                    reason TEXT NOT NULL,
                    blocked_by TEXT NOT NULL,
                    blocked_at BIGINT NOT NULL
                )
                """,
            ]
        ),
        (
            3, "the serving order's index carries available_at",
            [
                // Claimed and waiting callbacks stay in the serving-order index (they are not
                // done) and come first in it; the claim skipped each by reading its row. With
                // available_at in the index's key the skip is decided in the index itself
                // (an index condition), so a morning's claims no longer slow every next one.
                "DROP INDEX callback_serving_order",
                """
                CREATE INDEX callback_serving_order ON callback
                    (escalated DESC, urgent DESC, deadline, first_received_at, id, available_at)
                    WHERE status <> 'done' AND NOT owner
                """,
            ]
        ),
        (
            4, "push receipts per sender with a fingerprint",
            [
                // Keys were one namespace for every sender and kept no fingerprint: a reused key
                // replayed another message's answer. The old receipts cannot be given a sender.
                "DROP TABLE push_receipt",
                """
                CREATE TABLE push_receipt (
                    sender TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
                    status BIGINT,
                    body TEXT,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (sender, idempotency_key)
                )
                """,
                "CREATE INDEX push_receipt_created ON push_receipt (created_at)",
            ]
        ),
        (
            5, "people's names unique without case",
            [
                // Person.key(name) (trimmed, without case) is what people are found by and
                // unique by; new rows get it from Swift. Names already stored were trimmed
                // when added, so lower() gives their key. Of namesakes added before, the
                // first keeps the name; a later one is keyed by name and id until removed.
                "ALTER TABLE person ADD COLUMN name_key TEXT",
                "UPDATE person SET name_key = lower(name)",
                """
                UPDATE person p SET name_key = p.name_key || '#' || p.id
                    WHERE EXISTS (SELECT 1 FROM person q WHERE q.name_key = p.name_key AND q.id < p.id)
                """,
                "CREATE UNIQUE INDEX person_by_name_key ON person (name_key)",
            ]
        ),
        (
            6, "transcript confidence",
            [
                // The transcriber fell into a repetition loop it could not get out of: the
                // transcript is the words before it (MessageTranscript.cutShort).
                "ALTER TABLE voicemail ADD COLUMN transcript_cut_short BOOLEAN NOT NULL DEFAULT FALSE",
                // The decoder's scores (TranscriptConfidence); NULL before this version.
                "ALTER TABLE voicemail ADD COLUMN transcript_avg_logprob DOUBLE PRECISION",
                "ALTER TABLE voicemail ADD COLUMN transcript_no_speech_prob DOUBLE PRECISION",
            ]
        ),
        (
            7, "what each caller was promised",
            [
                // What the caller was told (DESIGN §10), kept once made; NULL until the
                // forecast has promised the callback (and for callbacks from before).
                "ALTER TABLE callback ADD COLUMN promised_by BIGINT",
                // Serving order sorts on the promise, the deadline while there is none.
                "DROP INDEX callback_serving_order",
                """
                CREATE INDEX callback_serving_order ON callback
                    (escalated DESC, urgent DESC, COALESCE(promised_by, deadline), first_received_at, id, available_at)
                    WHERE status <> 'done' AND NOT owner
                """,
                // A breach is a promise passed (the deadline while there is none).
                "DROP INDEX callback_unbreached",
                "CREATE INDEX callback_unbreached ON callback (COALESCE(promised_by, deadline)) WHERE status <> 'done' AND NOT breached",
            ]
        ),
    ]

    /// The tables in the order `storage copy` fills them (parents first).
    static let tables = [
        "callback", "voicemail", "callback_event", "escalation", "escalation_reason", "notification", "legacy_identity",
        "person", "sign_in_link", "session", "push_receipt", "blocked_number",
    ]
}

extension PostgresStore {
    /// Applies the migrations not yet applied, in one transaction under an advisory lock:
    /// nodes starting together wait for each other, and each migration runs once.
    func migrate(connected: @escaping @Sendable () -> Void = {}) async throws {
        try await client.withConnection { connection in
            connected()
            try await Self.transaction(connection) { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(Schema.lockKey))")
            try await connection.run(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL
                )
                """)
            let applied = Set(try await connection.all("SELECT version FROM schema_migrations").map { try $0.int("version") })
            for migration in Schema.migrations where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.run(PostgresQuery(unsafeSQL: statement))
                }
                try await connection.run(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(migration.version), \(migration.name), EXTRACT(EPOCH FROM now())::bigint)"
                )
            }
            if let newest = applied.max(), newest > (Schema.migrations.map(\.version).max() ?? 0) {
                throw StoreError("the database's schema (version \(newest)) is newer than this callbacks knows; upgrade callbacks")
            }
        } }
    }
}
