import Domain
import Foundation
internal import PostgresNIO
import UseCases

extension PostgresStore: PeopleRepository {
    public func addPerson(name: String, role: Role, tokenHash: String, at now: Date) async throws(StoreError) -> Person {
        try await write { connection in
            guard
                let row = try await connection.one(
                    """
                    INSERT INTO person (name, name_key, role, token_hash, created_at)
                    VALUES (\(name), \(Person.key(name)), \(role.rawValue), \(tokenHash), \(now.unixSeconds))
                    ON CONFLICT (name_key) DO NOTHING RETURNING id
                    """)
            else {
                let existing = try await connection.one("SELECT name FROM person WHERE name_key = \(Person.key(name))")?.string("name")
                throw StoreError(.nameClashes(name, existing: existing ?? "someone"))
            }
            return Person(id: try row.int64("id"), name: name, role: role, createdAt: now)
        }
    }

    public func people() async throws(StoreError) -> [Person] {
        try await read { connection in try await connection.all("SELECT * FROM person ORDER BY name").map { try $0.person } }
    }

    public func removePerson(name: String) async throws(StoreError) {
        let key = Person.key(name)
        try await write { connection in
            try await connection.run("DELETE FROM session WHERE person_id IN (SELECT id FROM person WHERE name_key = \(key))")
            try await connection.run("DELETE FROM sign_in_link WHERE person_id IN (SELECT id FROM person WHERE name_key = \(key))")
            let removed = try await connection.run("DELETE FROM person WHERE name_key = \(key) RETURNING id")
            if removed == 0 { throw StoreError(.noPerson(name)) }
        }
    }

    public func person(named name: String) async throws(StoreError) -> Person? {
        try await read { connection in try await connection.one("SELECT * FROM person WHERE name_key = \(Person.key(name))")?.person }
    }

    public func person(tokenHash: String) async throws(StoreError) -> (person: Person, storedHash: String)? {
        let found: StoredPerson? = try await read { connection in
            guard let row = try await connection.one("SELECT * FROM person WHERE token_hash = \(tokenHash)") else { return nil }
            return StoredPerson(person: try row.person, hash: try row.string("token_hash"))
        }
        return found.map { ($0.person, $0.hash) }
    }

    struct StoredPerson: Sendable {
        var person: Person
        var hash: String
    }

    public func hasPeople() async throws(StoreError) -> Bool {
        try await read { connection in try await connection.one("SELECT 1 AS one FROM person LIMIT 1") != nil }
    }

    public func addSignInLink(person name: String, tokenHash: String, expiresAt: Date) async throws(StoreError) {
        try await write { connection in
            guard let person = try await connection.one("SELECT id FROM person WHERE name_key = \(Person.key(name))") else {
                throw StoreError(.noPerson(name))
            }
            let personID = try person.int64("id")
            try await connection.run(
                """
                INSERT INTO sign_in_link (token_hash, person_id, expires_at)
                VALUES (\(tokenHash), \(personID), \(expiresAt.unixSeconds))
                """)
        }
    }

    /// Uses a sign-in link once, even when two nodes redeem it together (its row is locked).
    public func redeemSignInLink(tokenHash: String, at now: Date) async throws(StoreError) -> SignInOutcome {
        try await write { connection in
            guard
                let link = try await connection.one(
                    "SELECT person_id, expires_at, used_at FROM sign_in_link WHERE token_hash = \(tokenHash) FOR UPDATE")
            else { return .unknown }
            if try link.optionalInt64("used_at") != nil { return .used }
            if try link.int64("expires_at") <= now.unixSeconds { return .expired }
            try await connection.run("UPDATE sign_in_link SET used_at = \(now.unixSeconds) WHERE token_hash = \(tokenHash)")
            let personID = try link.int64("person_id")
            guard let person = try await connection.one("SELECT * FROM person WHERE id = \(personID)") else {
                return .unknown
            }
            return .signedIn(try person.person)
        }
    }

    public func addSession(person id: Int64, tokenHash: String, csrf: String, expiresAt: Date) async throws(StoreError) {
        try await write { connection in
            try await connection.run(
                """
                INSERT INTO session (token_hash, person_id, csrf, expires_at)
                VALUES (\(tokenHash), \(id), \(csrf), \(expiresAt.unixSeconds))
                """)
        }
    }

    public func session(tokenHash: String, at now: Date) async throws(StoreError) -> (person: Person, csrf: String)? {
        let found: SessionFound? = try await read { connection in
            guard
                let row = try await connection.one(
                    """
                    SELECT p.*, s.csrf AS csrf FROM session s JOIN person p ON p.id = s.person_id
                    WHERE s.token_hash = \(tokenHash) AND s.expires_at > \(now.unixSeconds)
                    """)
            else { return nil }
            return SessionFound(person: try row.person, csrf: try row.string("csrf"))
        }
        return found.map { ($0.person, $0.csrf) }
    }

    struct SessionFound: Sendable {
        var person: Person
        var csrf: String
    }

    public func endSession(tokenHash: String) async throws(StoreError) {
        try await write { connection in try await connection.run("DELETE FROM session WHERE token_hash = \(tokenHash)") }
    }

    public func reservePushKey(_ reservation: PushKeyReservation) async throws(StoreError) -> PushReceipt? {
        let (sender, key, fingerprint) = (reservation.sender, reservation.key, reservation.fingerprint)
        let (at, takeOver, expired) = (reservation.at.unixSeconds, reservation.takeOverBefore.unixSeconds, reservation.expiredBefore.unixSeconds)
        return try await write { connection in
            // One statement decides: a new key, or one left by a crash or expired, is this
            // request's; any other is the first request's. A twin inserting at the same
            // moment waits on the primary key until that one commits, then sees it.
            let reserved = try await connection.run(
                """
                INSERT INTO push_receipt (sender, idempotency_key, fingerprint, state, created_at)
                VALUES (\(sender), \(key), \(fingerprint), 'in_progress', \(at))
                ON CONFLICT (sender, idempotency_key) DO UPDATE SET
                    fingerprint = excluded.fingerprint, state = 'in_progress', status = NULL, body = NULL, created_at = excluded.created_at
                WHERE (push_receipt.state = 'in_progress' AND push_receipt.created_at < \(takeOver))
                    OR (push_receipt.state = 'done' AND push_receipt.created_at < \(expired))
                RETURNING 1 AS reserved
                """)
            if reserved > 0 { return nil }
            guard
                let row = try await connection.one(
                    "SELECT fingerprint, status, body, created_at FROM push_receipt WHERE sender = \(sender) AND idempotency_key = \(key)")
            else { return nil }
            return PushReceipt(
                fingerprint: try row.string("fingerprint"), status: try row.value("status", as: Int?.self), body: try row.optionalString("body"),
                reservedAt: try row.date("created_at"))
        }
    }

    public func completePushKey(sender: String, key: String, fingerprint: String, status: Int, body: String) async throws(StoreError) {
        try await write { connection in
            try await connection.run(
                """
                UPDATE push_receipt SET state = 'done', status = \(status), body = \(body)
                WHERE sender = \(sender) AND idempotency_key = \(key) AND fingerprint = \(fingerprint) AND state = 'in_progress'
                """)
        }
    }

    public func releasePushKey(sender: String, key: String, fingerprint: String) async throws(StoreError) {
        try await write { connection in
            try await connection.run(
                """
                DELETE FROM push_receipt
                WHERE sender = \(sender) AND idempotency_key = \(key) AND fingerprint = \(fingerprint) AND state = 'in_progress'
                """)
        }
    }

    public func purgePushKeys(before date: Date) async throws(StoreError) -> Int {
        let before = date.unixSeconds
        return try await write { connection in
            try await connection.run("DELETE FROM push_receipt WHERE created_at < \(before) RETURNING 1 AS purged")
        }
    }

    public func voicemailAudio(id: Int64, for person: Acting) async throws(StoreError) -> StoredAudio {
        try await read { connection in
            guard
                let row = try await connection.one(
                    """
                    SELECT v.audio_path AS audio_path, v.quarantine_path AS quarantine_path, v.format AS format, c.owner AS owner,
                        EXISTS (SELECT 1 FROM blocked_number b WHERE b.number IN (v.caller_number, c.caller_number)) AS caller_blocked
                    FROM voicemail v LEFT JOIN callback c ON c.id = v.callback_id WHERE v.id = \(id)
                    """)
            else { throw StoreError(.noMessage(id)) }
            let ownerLine = try row.value("owner", as: Bool?.self) == true
            guard person.visibility.admits(ownerLine: ownerLine, callerBlocked: try row.bool("caller_blocked")) else {
                throw StoreError(.noMessage(id))
            }
            return StoredAudio(
                voicemailID: id, path: try row.optionalString("audio_path"), quarantinePath: try row.optionalString("quarantine_path"),
                format: try row.optionalString("format"))
        }
    }
}

/// The PostgreSQL store is a whole store.
extension PostgresStore: CallbackRepository, IngestRepository, StoreLifetime {
    /// Its connection pool runs for the service group's lifetime (`run`).
    public var needsRunning: Bool { true }
}
