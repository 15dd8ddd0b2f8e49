import Foundation
@testable import Ingest
import GRDB
import Testing

@Suite("A message's identity")
struct IdentityTests {
    @Test("the content hash is XXH3-128 with its scheme named, pinned to xxhsum -H2's value")
    func pinned() throws {
        let speech = Harness.fixtures.appendingPathComponent("audio/speech.wav")
        #expect(try AudioFingerprint.of(speech) == "xxh3-128:beae03f52572827a2ed3ca8772bba67a")
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-empty-\(UUID().uuidString)")
        try Data().write(to: empty)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(try AudioFingerprint.of(empty) == "xxh3-128:99aa06d3014798d86001c324468d497f")
    }

    @Test("a message stored under the old hash is still recognised when it comes back")
    func legacyRecognised() async throws {
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "  settle: 0s", with: "  settle: 0s\n  keep_originals: false"))
        let txt = Harness.txt(callerid: "\"Ann\" <5551234567>", origtime: 1_795_208_400, msgID: "1795208400-0001")
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: txt)
        _ = try await harness.ingest()
        // As an earlier version wrote it: the bare legacy hash after the place and time.
        let database = try DatabaseQueue(path: harness.root.appendingPathComponent("afterhours.sqlite").path)
        let speech = Harness.fixtures.appendingPathComponent("audio/speech.wav")
        let legacy = try AudioFingerprint.legacy(speech)
        try await database.write { db in
            try db.execute(
                sql: "UPDATE voicemail SET identity = substr(identity, 1, instr(identity, 'xxh3-128:') - 1) || ?", arguments: [legacy])
            try db.execute(sql: "UPDATE legacy_identity SET last_voicemail_id = (SELECT MAX(id) FROM voicemail)")
        }
        let stored = try await database.read { db in try String.fetchOne(db, sql: "SELECT identity FROM voicemail") }
        #expect(stored?.hasSuffix("/" + legacy) == true)
        try database.close()

        // The same message comes back (a crash before its files left, a restore).
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: txt)
        let again = try await harness.ingest()
        #expect(again["ingested"] as? Int == 0)
        #expect(again["duplicates"] as? Int == 1)
        #expect(harness.files(under: harness.spool).isEmpty)
    }
}

@Suite("Rows the store cannot read")
struct UnreadableRowTests {
    @Test("a value the code does not know is an error naming it, never a default or a trap")
    func unknownValue() async throws {
        let harness = try Harness()
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Ann\" <5551234567>", origtime: 1_795_208_400))
        _ = try await harness.ingest()
        let database = try DatabaseQueue(path: harness.root.appendingPathComponent("afterhours.sqlite").path)
        try await database.write { db in
            try db.execute(sql: "INSERT INTO callback_event (callback_id, at, actor, kind, note) VALUES (1, 0, 'x', 'teleported', NULL)")
        }
        try database.close()
        let shown = await harness.run(["show", "1"])
        #expect(shown.status == 1)
        #expect(shown.errors.hasPrefix("Error: database read failed:"), "\(shown.errors)")
        #expect(shown.errors.contains("teleported"), "names the value: \(shown.errors)")
        #expect(!shown.errors.contains("\n"), "one line")
    }
}
