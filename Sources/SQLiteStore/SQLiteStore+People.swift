import Domain
import Foundation
import GRDB
import UseCases

/// A `person` row.
struct PersonRecord: Decodable, FetchableRecord, TableRecord {
    static let databaseTableName = "person"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase

    var id: Int64
    var name: String
    var role: Role
    var tokenHash: String
    var createdAt: Int64

    enum Columns {
        static let name = Column("name")
        /// `Person.key(name)`: what people are found and kept unique by.
        static let nameKey = Column("name_key")
        static let tokenHash = Column("token_hash")
    }

    var person: Person { Person(id: id, name: name, role: role, createdAt: Date(unixSeconds: createdAt)) }
}

extension Role: DatabaseValueConvertible {}

struct SignInLinkRecord: SnakeCaseRecord {
    var personId: Int64
    var expiresAt: Int64
    var usedAt: Int64?
}

struct SessionRecord: SnakeCaseRecord {
    var personId: Int64
    var csrf: String
}

struct PushReceiptRecord: SnakeCaseRecord {
    var fingerprint: String
    var status: Int?
    var body: String?
    var createdAt: Int64
}

struct AudioRecord: SnakeCaseRecord {
    var audioPath: String?
    var quarantinePath: String?
    var format: String?
    var owner: Bool?
    var callerBlocked: Bool
}

/// The small records above name their columns in snake case, as every table does.
protocol SnakeCaseRecord: Decodable, FetchableRecord {}
extension SnakeCaseRecord {
    static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
}

extension SQLiteStore: PeopleRepository {
    public func addPerson(name: String, role: Role, tokenHash: String, at now: Date) async throws(StoreError) -> Person {
        try await write { db in
            if let existing = try PersonRecord.filter(PersonRecord.Columns.nameKey == Person.key(name)).fetchOne(db) {
                throw StoreError(.nameClashes(name, existing: existing.name))
            }
            try db.execute(
                sql: "INSERT INTO person (name, name_key, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, Person.key(name), role, tokenHash, now.unixSeconds])
            return Person(id: db.lastInsertedRowID, name: name, role: role, createdAt: now)
        }
    }

    public func people() async throws(StoreError) -> [Person] {
        try await read { db in try PersonRecord.order(PersonRecord.Columns.name).fetchAll(db).map(\.person) }
    }

    public func removePerson(name: String) async throws(StoreError) {
        try await write { db in
            let key = Person.key(name)
            try db.execute(sql: "DELETE FROM session WHERE person_id IN (SELECT id FROM person WHERE name_key = ?)", arguments: [key])
            try db.execute(sql: "DELETE FROM sign_in_link WHERE person_id IN (SELECT id FROM person WHERE name_key = ?)", arguments: [key])
            try db.execute(sql: "DELETE FROM person WHERE name_key = ?", arguments: [key])
            if db.changesCount == 0 { throw StoreError(.noPerson(name)) }
        }
    }

    public func person(named name: String) async throws(StoreError) -> Person? {
        try await read { db in try PersonRecord.filter(PersonRecord.Columns.nameKey == Person.key(name)).fetchOne(db)?.person }
    }

    public func person(tokenHash: String) async throws(StoreError) -> (person: Person, storedHash: String)? {
        try await read { db in
            try PersonRecord.filter(PersonRecord.Columns.tokenHash == tokenHash).fetchOne(db).map { ($0.person, $0.tokenHash) }
        }
    }

    public func hasPeople() async throws(StoreError) -> Bool {
        try await read { db in try PersonRecord.fetchCount(db) > 0 }
    }

    public func addSignInLink(person name: String, tokenHash: String, expiresAt: Date) async throws(StoreError) {
        try await write { db in
            guard let person = try PersonRecord.filter(PersonRecord.Columns.nameKey == Person.key(name)).fetchOne(db) else {
                throw StoreError(.noPerson(name))
            }
            try db.execute(
                sql: "INSERT INTO sign_in_link (token_hash, person_id, expires_at) VALUES (?, ?, ?)",
                arguments: [tokenHash, person.id, expiresAt.unixSeconds])
        }
    }

    public func redeemSignInLink(tokenHash: String, at now: Date) async throws(StoreError) -> SignInOutcome {
        try await write { db in
            guard
                let link = try SignInLinkRecord.fetchOne(
                    db, sql: "SELECT person_id, expires_at, used_at FROM sign_in_link WHERE token_hash = ?", arguments: [tokenHash])
            else { return .unknown }
            if link.usedAt != nil { return .used }
            if link.expiresAt <= now.unixSeconds { return .expired }
            try db.execute(sql: "UPDATE sign_in_link SET used_at = ? WHERE token_hash = ?", arguments: [now.unixSeconds, tokenHash])
            guard let person = try PersonRecord.fetchOne(db, key: link.personId) else { return .unknown }
            return .signedIn(person.person)
        }
    }

    public func addSession(person id: Int64, tokenHash: String, csrf: String, expiresAt: Date) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO session (token_hash, person_id, csrf, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [tokenHash, id, csrf, expiresAt.unixSeconds])
        }
    }

    public func session(tokenHash: String, at now: Date) async throws(StoreError) -> (person: Person, csrf: String)? {
        try await read { db in
            guard
                let session = try SessionRecord.fetchOne(
                    db, sql: "SELECT person_id, csrf FROM session WHERE token_hash = ? AND expires_at > ?",
                    arguments: [tokenHash, now.unixSeconds]),
                let person = try PersonRecord.fetchOne(db, key: session.personId)
            else { return nil }
            return (person.person, session.csrf)
        }
    }

    public func endSession(tokenHash: String) async throws(StoreError) {
        try await write { db in try db.execute(sql: "DELETE FROM session WHERE token_hash = ?", arguments: [tokenHash]) }
    }

    public func reservePushKey(_ reservation: PushKeyReservation) async throws(StoreError) -> PushReceipt? {
        try await write { db in
            // One statement decides: a new key, or one left by a crash or expired, is this
            // request's; any other is the first request's (the primary key is the lock).
            try db.execute(
                sql: """
                    INSERT INTO push_receipt (sender, idempotency_key, fingerprint, state, created_at) VALUES (?, ?, ?, 'in_progress', ?)
                    ON CONFLICT (sender, idempotency_key) DO UPDATE SET
                        fingerprint = excluded.fingerprint, state = 'in_progress', status = NULL, body = NULL, created_at = excluded.created_at
                    WHERE (push_receipt.state = 'in_progress' AND push_receipt.created_at < ?)
                        OR (push_receipt.state = 'done' AND push_receipt.created_at < ?)
                    """,
                arguments: [
                    reservation.sender, reservation.key, reservation.fingerprint, reservation.at.unixSeconds,
                    reservation.takeOverBefore.unixSeconds, reservation.expiredBefore.unixSeconds,
                ])
            if db.changesCount > 0 { return nil }
            return try PushReceiptRecord.fetchOne(
                db, sql: "SELECT fingerprint, status, body, created_at FROM push_receipt WHERE sender = ? AND idempotency_key = ?",
                arguments: [reservation.sender, reservation.key]
            ).map { PushReceipt(fingerprint: $0.fingerprint, status: $0.status, body: $0.body, reservedAt: Date(unixSeconds: $0.createdAt)) }
        }
    }

    public func completePushKey(sender: String, key: String, fingerprint: String, status: Int, body: String) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE push_receipt SET state = 'done', status = ?, body = ?
                    WHERE sender = ? AND idempotency_key = ? AND fingerprint = ? AND state = 'in_progress'
                    """,
                arguments: [status, body, sender, key, fingerprint])
        }
    }

    public func releasePushKey(sender: String, key: String, fingerprint: String) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM push_receipt WHERE sender = ? AND idempotency_key = ? AND fingerprint = ? AND state = 'in_progress'",
                arguments: [sender, key, fingerprint])
        }
    }

    public func purgePushKeys(before date: Date) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM push_receipt WHERE created_at < ?", arguments: [date.unixSeconds])
            return db.changesCount
        }
    }

    public func voicemailAudio(id: Int64, for person: Acting) async throws(StoreError) -> StoredAudio {
        try await read { db in
            guard
                let audio = try AudioRecord.fetchOne(
                    db,
                    sql: """
                        SELECT v.audio_path AS audio_path, v.quarantine_path AS quarantine_path, v.format AS format, c.owner AS owner,
                            EXISTS (SELECT 1 FROM blocked_number b WHERE b.number IN (v.caller_number, c.caller_number)) AS caller_blocked
                        FROM voicemail v LEFT JOIN callback c ON c.id = v.callback_id WHERE v.id = ?
                        """, arguments: [id])
            else { throw StoreError(.noMessage(id)) }
            guard person.visibility.admits(ownerLine: audio.owner == true, callerBlocked: audio.callerBlocked) else {
                throw StoreError(.noMessage(id))
            }
            return StoredAudio(voicemailID: id, path: audio.audioPath, quarantinePath: audio.quarantinePath, format: audio.format)
        }
    }
}
