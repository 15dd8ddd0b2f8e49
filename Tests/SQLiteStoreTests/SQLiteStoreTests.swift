import Domain
@testable import SQLiteStore
import Foundation
import GRDB
import Testing

/// A store on a real SQLite file in a fresh temporary folder.
func temporaryStore() throws -> (SQLiteStore, URL) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-store-\(UUID().uuidString)")
    let store = try SQLiteStore(path: folder.appendingPathComponent("nested/afterhours.sqlite").path)
    return (store, folder)
}

func voicemail(
    _ identity: String, number: String?, name: String? = nil, at seconds: Double, urgent: Bool = false,
    mailbox: String = "1001"
) -> Voicemail {
    Voicemail(
        identity: identity, receivedAt: Date(timeIntervalSince1970: seconds), mailbox: mailbox,
        context: "default", folder: "INBOX", urgent: urgent,
        caller: Caller(name: name, number: number.flatMap { PhoneNumber(e164: $0) }, rawNumber: number),
        pbxMessageID: nil,
        audio: AudioSummary(
            format: "wav-pcm16", sampleRate: 8000, channels: 1, frames: 8000, durationSeconds: 1, peak: 0.5,
            rms: 0.1, speechSeconds: 1, silent: false),
        audioError: nil)
}

/// What only the SQLite store has: its file, and the batch transaction seen from SQLite.
/// The behaviour every store shares is in StoreContractTests.
@Suite("SQLite store")
struct SQLiteStoreTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    @Test("creates its folders and file on first use, and reopens with the same data")
    func createsAndReopens() async throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try store.record(voicemail("a", number: "+15551234567", at: 10), deadline: now, queue: true, at: now, actor: "t", audioPath: { _ in nil })
        let reopened = try SQLiteStore(path: folder.appendingPathComponent("nested/afterhours.sqlite").path)
        #expect(try await reopened.queue(at: now, includeAll: true, limit: nil, visibility: .staff).count == 1)
    }

    @Test("the database itself refuses a second open callback for one caller, as PostgreSQL's partial unique index does")
    func oneOpenCallbackPerCallerIsAConstraint() async throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try store.record(voicemail("a", number: "+15551234567", at: 10), deadline: now, queue: true, at: now, actor: "t", audioPath: { _ in nil })
        let file = try DatabaseQueue(path: folder.appendingPathComponent("nested/afterhours.sqlite").path)
        let insert = """
            INSERT INTO callback (caller_number, status, deadline, urgent, first_received_at, available_at, created_at, owner)
            VALUES (?, 'open', 0, 0, 0, 0, 0, ?)
            """
        #expect(throws: DatabaseError.self) { try file.write { try $0.execute(sql: insert, arguments: ["+15551234567", false]) } }
        // Another line (the owner's), or another caller, is another callback.
        try await file.write { try $0.execute(sql: insert, arguments: ["+15551234567", true]) }
        try await file.write { try $0.execute(sql: insert, arguments: ["+15557654321", false]) }
    }

    @Test("a batch is one transaction with a savepoint per message: a refused message rolls back alone")
    func batch() async throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Make the database itself refuse one message, after its callback row is written.
        let database = try DatabaseQueue(path: folder.appendingPathComponent("nested/afterhours.sqlite").path)
        try await database.write { db in
            try db.execute(sql: """
                CREATE TRIGGER refuse_mailbox BEFORE INSERT ON voicemail WHEN NEW.mailbox = 'refused'
                BEGIN SELECT RAISE(ABORT, 'refused by test'); END
                """)
        }
        try database.close()
        let first = voicemail("a", number: "+15551234567", at: 10)
        let recordings = [
            Recording(voicemail: first, deadline: now.addingTimeInterval(60), queue: true, audioPath: { "/a/\($0).wav" }),
            Recording(voicemail: voicemail("x", number: "+15559990000", at: 15, mailbox: "refused"), deadline: now, queue: true, audioPath: { _ in nil }),
            Recording(voicemail: voicemail("b", number: "+15551234567", at: 20), deadline: now, queue: true, audioPath: { _ in nil }),
            Recording(voicemail: first, deadline: now, queue: true, audioPath: { _ in nil }),
        ]
        let outcomes = try store.record(recordings, at: now, actor: "t")
        #expect(outcomes.count == 4)
        guard case .success(.stored(let firstID, let callbackID?, false)) = outcomes[0] else {
            Issue.record("first not stored: \(outcomes[0])")
            return
        }
        guard case .failure(let refused) = outcomes[1] else { Issue.record("the refused message was stored"); return }
        #expect(refused.description.contains("refused by test"))
        #expect(outcomes[2] == .success(.stored(voicemailID: firstID + 1, callbackID: callbackID, joinedExisting: true)))
        #expect(outcomes[3] == .success(.duplicate(voicemailID: firstID, audioPath: "/a/\(firstID).wav")))
        let queue = try await store.queue(at: now, includeAll: true, limit: nil, visibility: .staff)
        #expect(queue.count == 1, "the refused message's callback was rolled back with it")
        #expect(queue.first?.messages.count == 2)
        #expect(queue.first?.callback.deadline == now, "the later message's earlier deadline")
    }

    @Test("v4 moves the comma-separated reasons of earlier versions into escalation_reason, with the detail their history gave")
    func reasonsBackfill() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-v3-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("afterhours.sqlite").path
        let old = try DatabaseQueue(path: path)
        try SQLiteStore.migrator.migrate(old, upTo: "v3: a caller's recent messages, for repeat callers")
        try await old.write { db in
            try db.execute(sql: """
                INSERT INTO callback (id, status, deadline, first_received_at, created_at) VALUES (1, 'open', 100, 10, 10);
                INSERT INTO callback_event (callback_id, at, actor, kind, note) VALUES (1, 50, 'bob', 'escalated', 'staff: Wants a refund');
                INSERT INTO escalation (id, callback_id, reason, reasons, state, created_at) VALUES (7, 1, 'owner_line', 'owner_line,staff', 'open', 20);
                """)
        }
        try old.close()
        let store = try SQLiteStore(path: path)
        let reasons = try await store.escalation(id: 7).escalation.reasons
        #expect(reasons == [RaisedReason(.ownerLine, detail: nil), RaisedReason(.staff, detail: "Wants a refund")])
    }
}
