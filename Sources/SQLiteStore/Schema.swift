import Domain
import GRDB

extension SQLiteStore {
    /// The schema, one migration per change, each a named step below; never edit a shipped one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (name, step) in migrations { migrator.registerMigration(name, migrate: step) }
        return migrator
    }

    static let migrations: [(name: String, step: @Sendable (Database) throws -> Void)] = [
        ("v1: messages, callbacks, history", v1),
        ("v2: the owner's line, escalations, the notification outbox", v2),
        ("v3: a caller's recent messages, for repeat callers", v3),
        ("v4: each escalation reason with its detail; who closed a callback", v4),
        ("v5: people with roles, sign-in links, sessions, push receipts", v5),
        ("v6: transcripts, what their words decided, the block list", v6),
        ("v7: push receipts per sender with a fingerprint", v7),
        ("v8: people's names unique without case", v8),
        ("v9: transcript confidence", v9),
        ("v10: one open callback per caller, held by the database", v10),
        ("v11: what each caller was promised", v11),
    ]

    /// v1: messages, callbacks, history
    static func v1(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE callback (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    caller_number TEXT,
                    caller_name TEXT,
                    caller_raw TEXT,
                    status TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'waiting', 'done')),
                    deadline INTEGER NOT NULL,
                    urgent BOOLEAN NOT NULL DEFAULT 0,
                    escalated BOOLEAN NOT NULL DEFAULT 0,
                    claimed_by TEXT,
                    claim_expires_at INTEGER,
                    retry_at INTEGER,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    first_received_at INTEGER NOT NULL,
                    -- when `next` may serve it: now for open, the lease end for claimed,
                    -- the retry time for waiting; NULL once done
                    available_at INTEGER,
                    created_at INTEGER NOT NULL,
                    closed_at INTEGER
                );
                -- The serving order of DESIGN §5, walked in index order by `next`.
                CREATE INDEX callback_serving_order ON callback
                    (escalated DESC, urgent DESC, deadline, first_received_at, id)
                    WHERE status != 'done';
                CREATE INDEX callback_open_by_caller ON callback (caller_number)
                    WHERE status != 'done';

                CREATE TABLE voicemail (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    identity TEXT NOT NULL UNIQUE,
                    callback_id INTEGER REFERENCES callback(id),
                    received_at INTEGER NOT NULL,
                    context TEXT NOT NULL,
                    mailbox TEXT NOT NULL,
                    folder TEXT NOT NULL,
                    urgent BOOLEAN NOT NULL,
                    pbx_message_id TEXT,
                    caller_name TEXT,
                    caller_number TEXT,
                    caller_raw TEXT,
                    format TEXT,
                    sample_rate INTEGER,
                    channels INTEGER,
                    frames INTEGER,
                    duration_seconds REAL,
                    peak REAL,
                    rms REAL,
                    speech_seconds REAL,
                    silent BOOLEAN,
                    audio_error TEXT,
                    audio_path TEXT,
                    ingested_at INTEGER NOT NULL
                );
                CREATE INDEX voicemail_by_callback ON voicemail (callback_id, received_at);

                CREATE TABLE callback_event (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    callback_id INTEGER NOT NULL REFERENCES callback(id),
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    note TEXT
                );
                CREATE INDEX callback_event_by_callback ON callback_event (callback_id, id);
                """)
    }

    /// v2: the owner's line, escalations, the notification outbox
    static func v2(_ db: Database) throws {
        try db.execute(
            sql: """
                -- A callback from the owner's private line: the owner's, never served to staff.
                ALTER TABLE callback ADD COLUMN owner BOOLEAN NOT NULL DEFAULT 0;
                -- Set once its deadline passed and that was escalated (at most once).
                ALTER TABLE callback ADD COLUMN breached BOOLEAN NOT NULL DEFAULT 0;
                DROP INDEX callback_serving_order;
                CREATE INDEX callback_serving_order ON callback
                    (escalated DESC, urgent DESC, deadline, first_received_at, id)
                    WHERE status != 'done' AND owner = 0;
                -- Callbacks whose deadline may still be breached, soonest first.
                CREATE INDEX callback_unbreached ON callback (deadline) WHERE status != 'done' AND breached = 0;

                CREATE TABLE escalation (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    callback_id INTEGER NOT NULL REFERENCES callback(id),
                    reason TEXT NOT NULL,
                    -- every reason raised, comma-separated, in order
                    reasons TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
                    created_at INTEGER NOT NULL,
                    acknowledged_by TEXT,
                    acknowledged_at INTEGER,
                    resolved_by TEXT,
                    resolved_at INTEGER,
                    resolution TEXT
                );
                -- One escalation per callback until it is resolved.
                CREATE UNIQUE INDEX escalation_one_open ON escalation (callback_id) WHERE state != 'resolved';

                CREATE TABLE notification (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    escalation_id INTEGER NOT NULL REFERENCES escalation(id),
                    channel TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER NOT NULL,
                    delivered_at INTEGER,
                    last_error TEXT,
                    UNIQUE (escalation_id, channel, reason)
                );
                CREATE INDEX notification_due ON notification (next_attempt_at) WHERE delivered_at IS NULL;
                """)
    }

    /// v3: a caller's recent messages, for repeat callers
    static func v3(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX voicemail_by_caller ON voicemail (caller_number, received_at)")
    }

    /// v4: each escalation reason with its detail; who closed a callback
    static func v4(_ db: Database) throws {
        try db.execute(
            sql: """
                -- Every reason an escalation was raised for, in order, with what it says
                -- (staff's words, the missed promise, the attempts made).
                CREATE TABLE escalation_reason (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    escalation_id INTEGER NOT NULL REFERENCES escalation(id),
                    kind TEXT NOT NULL,
                    detail TEXT,
                    raised_at INTEGER NOT NULL,
                    raised_by TEXT NOT NULL,
                    UNIQUE (escalation_id, kind)
                );
                ALTER TABLE callback ADD COLUMN closed_by TEXT;
                -- Where a stored message's unreadable audio was put aside.
                ALTER TABLE voicemail ADD COLUMN quarantine_path TEXT;
                -- Identities written until now carry a hash without its scheme's name:
                -- the last such message, so ingest knows at once whether any exist.
                CREATE TABLE legacy_identity (last_voicemail_id INTEGER NOT NULL);
                INSERT INTO legacy_identity SELECT COALESCE(MAX(id), 0) FROM voicemail;
                """)
        // Reasons recorded before: the kinds from the comma-separated list, the detail
        // from the history note each one left ("staff: Wants a refund").
        try db.execute(
            sql: """
                WITH RECURSIVE split(escalation_id, callback_id, created_at, kind, rest) AS (
                    SELECT id, callback_id, created_at, '', reasons || ',' FROM escalation
                    UNION ALL
                    SELECT escalation_id, callback_id, created_at,
                        substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1)
                    FROM split WHERE rest != ''
                ),
                raised AS (
                    SELECT s.escalation_id, s.kind, s.created_at,
                        (SELECT e.id FROM callback_event e
                         WHERE e.callback_id = s.callback_id AND e.kind = 'escalated' AND e.note LIKE s.kind || ': %'
                         ORDER BY e.id DESC LIMIT 1) AS event_id
                    FROM split s WHERE s.kind != ''
                )
                INSERT OR IGNORE INTO escalation_reason (escalation_id, kind, detail, raised_at, raised_by)
                SELECT r.escalation_id, r.kind, substr(e.note, length(r.kind) + 3),
                    COALESCE(e.at, r.created_at), COALESCE(e.actor, 'system')
                FROM raised r LEFT JOIN callback_event e ON e.id = r.event_id
                """)
        try db.execute(
            sql: """
                UPDATE callback SET closed_by = (
                    SELECT actor FROM callback_event e WHERE e.callback_id = callback.id AND e.kind = 'done'
                    ORDER BY e.id DESC LIMIT 1)
                WHERE status = 'done'
                """)
    }

    /// v5: people with roles, sign-in links, sessions, push receipts
    static func v5(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE person (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL CHECK (role IN ('staff', 'owner', 'admin')),
                    -- SHA-256 of the bearer token, hex; the token itself is never stored
                    token_hash TEXT NOT NULL UNIQUE,
                    created_at INTEGER NOT NULL
                );
                -- One-time sign-in links for the pages (hash of the link's token).
                CREATE TABLE sign_in_link (
                    token_hash TEXT PRIMARY KEY,
                    person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
                    expires_at INTEGER NOT NULL,
                    used_at INTEGER
                );
                CREATE TABLE session (
                    token_hash TEXT PRIMARY KEY,
                    person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
                    csrf TEXT NOT NULL,
                    expires_at INTEGER NOT NULL
                );
                -- Push ingest: what the first request with an Idempotency-Key answered.
                CREATE TABLE push_receipt (
                    idempotency_key TEXT PRIMARY KEY,
                    status INTEGER NOT NULL,
                    body TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                """)
    }

    /// v6: transcripts, what their words decided, the block list
    static func v6(_ db: Database) throws {
        try db.execute(
            sql: """
                -- The transcription stage's work state, per message: pending until a
                -- transcriber has it; a lease keeps two from hearing the same message.
                ALTER TABLE voicemail ADD COLUMN transcript_status TEXT NOT NULL DEFAULT 'pending'
                    CHECK (transcript_status IN ('pending', 'done', 'failed', 'skipped'));
                ALTER TABLE voicemail ADD COLUMN transcript TEXT;
                ALTER TABLE voicemail ADD COLUMN transcript_error TEXT;
                ALTER TABLE voicemail ADD COLUMN transcript_attempts INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE voicemail ADD COLUMN transcript_leased_until INTEGER;
                ALTER TABLE voicemail ADD COLUMN transcribed_at INTEGER;
                -- The content rules the words set off, one per line, as shown.
                ALTER TABLE voicemail ADD COLUMN transcript_rules TEXT;
                -- A number read out in the message, taken as the callback's number.
                ALTER TABLE voicemail ADD COLUMN spoken_number TEXT;
                -- Stored from a blocked number: kept from staff.
                ALTER TABLE voicemail ADD COLUMN blocked BOOLEAN NOT NULL DEFAULT 0;
                -- Messages stored before: nothing to hear where the audio is silent or unreadable.
                UPDATE voicemail SET transcript_status = 'skipped', transcript_error = CASE
                        WHEN audio_error IS NOT NULL THEN 'the audio could not be read: ' || audio_error
                        WHEN audio_path IS NULL THEN 'no audio was kept'
                        ELSE 'the message is silent' END
                    WHERE audio_error IS NOT NULL OR audio_path IS NULL OR silent = 1 OR format IS NULL;
                CREATE INDEX voicemail_transcript_pending ON voicemail (id) WHERE transcript_status = 'pending';
                -- Word search over transcripts: "refunds" finds "refund".
                CREATE VIRTUAL TABLE transcript_search USING fts5 (transcript, tokenize = 'porter unicode61');

                CREATE TABLE blocked_number (
                    number TEXT PRIMARY KEY,
                    reason TEXT NOT NULL,
                    blocked_by TEXT NOT NULL,
                    blocked_at INTEGER NOT NULL
                );
                """)
    }

    /// v7: push receipts per sender with a fingerprint
    static func v7(_ db: Database) throws {
        try db.execute(
            sql: """
                -- Keys were one namespace for every sender and kept no fingerprint: a
                -- reused key replayed another message's answer. The old receipts cannot
                -- be given a sender; a retry of one is recognised by the message's identity.
                DROP TABLE push_receipt;
                -- Push ingest: a sender's Idempotency-Key, the first request's
                -- fingerprint, and its answer once stored (in_progress until then).
                CREATE TABLE push_receipt (
                    sender TEXT NOT NULL,
                    idempotency_key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
                    status INTEGER,
                    body TEXT,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (sender, idempotency_key)
                );
                CREATE INDEX push_receipt_created ON push_receipt (created_at);
                """)
    }

    /// v8: people's names unique without case
    static func v8(_ db: Database) throws {
        // Person.key(name) (trimmed, without case) is what people are found by and
        // unique by. Of namesakes added before, the first keeps the name; a later one is
        // keyed by name and id until removed (`people list` shows both).
        try db.execute(sql: "ALTER TABLE person ADD COLUMN name_key TEXT")
        var taken = Set<String>()
        for person in try PersonRecord.order(Column("id")).fetchAll(db) {
            var key = Person.key(person.name)
            if !taken.insert(key).inserted { key += "#\(person.id)" }
            try db.execute(sql: "UPDATE person SET name_key = ? WHERE id = ?", arguments: [key, person.id])
        }
        try db.execute(sql: "CREATE UNIQUE INDEX person_by_name_key ON person (name_key)")
    }

    /// v9: transcript confidence
    static func v9(_ db: Database) throws {
        try db.execute(
            sql: """
                -- The transcriber fell into a repetition loop it could not get out of:
                -- the transcript is the words before it (MessageTranscript.cutShort).
                ALTER TABLE voicemail ADD COLUMN transcript_cut_short BOOLEAN NOT NULL DEFAULT 0;
                -- The decoder's scores (TranscriptConfidence); NULL before this version.
                ALTER TABLE voicemail ADD COLUMN transcript_avg_logprob REAL;
                ALTER TABLE voicemail ADD COLUMN transcript_no_speech_prob REAL;
                """)
    }

    /// v10: one open callback per caller, held by the database
    static func v10(_ db: Database) throws {
        // As on PostgreSQL (its migration 1): a caller has at most one callback not yet
        // done per line. Ingest and reopen already keep to it; a file that does not
        // (written by a version with a bug) is named here rather than guessed at.
        let doubled = try Row.fetchAll(
            db,
            sql: """
                SELECT caller_number, GROUP_CONCAT(id, ', #') AS ids FROM callback
                WHERE status != 'done' AND caller_number IS NOT NULL
                GROUP BY caller_number, owner HAVING COUNT(*) > 1
                """)
        if let first = doubled.first {
            let number: String = first["caller_number"]
            let ids: String = first["ids"]
            throw StoreError(.callerOpenTwice(number: number, callbacks: ids))
        }
        try db.execute(
            sql: """
                CREATE UNIQUE INDEX callback_one_open_per_caller ON callback (caller_number, owner)
                    WHERE status != 'done' AND caller_number IS NOT NULL
                """)
    }

    /// v11: what each caller was promised
    static func v11(_ db: Database) throws {
        try db.execute(
            sql: """
                -- What the caller was told (DESIGN §10), kept once made; NULL until the
                -- forecast has promised the callback (and for callbacks from before).
                ALTER TABLE callback ADD COLUMN promised_by INTEGER;
                -- Serving order sorts on the promise, the deadline while there is none.
                DROP INDEX callback_serving_order;
                CREATE INDEX callback_serving_order ON callback
                    (escalated DESC, urgent DESC, COALESCE(promised_by, deadline), first_received_at, id)
                    WHERE status != 'done' AND owner = 0;
                -- A breach is a promise passed (the deadline while there is none).
                DROP INDEX callback_unbreached;
                CREATE INDEX callback_unbreached ON callback (COALESCE(promised_by, deadline))
                    WHERE status != 'done' AND breached = 0;
                """)
    }
}
