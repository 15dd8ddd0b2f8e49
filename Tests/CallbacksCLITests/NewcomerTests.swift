import Afterhours
import Foundation
import Testing

/// Defects a newcomer met following the README and docs on a real spool (issue 27).
@Suite("What a newcomer met")
struct NewcomerTests {
    static let config = Harness.acme + """

        owner:
          mailboxes: ["200"]
          people: [maria]
        """
    // Friday 2026-11-20 16:00 New York.
    let friday1600 = 1_795_208_400
    let monday0805 = "2026-11-23T08:05:00-05:00"

    func message(_ harness: Harness, mailbox: String = "1001", folder: String = "INBOX", slot: String, callerid: String, at origtime: Int, flag: String = "") throws {
        try harness.put("default/\(mailbox)/\(folder)/\(slot).wav", copying: "speech.wav")
        try harness.put(
            "default/\(mailbox)/\(folder)/\(slot).txt",
            text: Harness.txt(callerid: callerid, origtime: origtime, msgID: "\(origtime)-\(mailbox)-\(folder)-\(slot)", flag: flag))
    }

    @Test("play --out never empties the target on an unknown number or a refusal; a saved file appears whole")
    func playOutKeepsTarget() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, slot: "msg0000", callerid: "\"Pat\" <5551112222>", at: friday1600)
        try message(harness, mailbox: "200", slot: "msg0000", callerid: "\"Olga\" <5553334444>", at: friday1600 + 60)
        _ = try await harness.ingest(now: monday0805)
        let keep = harness.root.appendingPathComponent("keep.wav")
        let kept = Data("what was there before".utf8)
        try kept.write(to: keep)

        let unknown = await harness.run(["play", "999", "--out", keep.path, "--as", "alice"], now: monday0805)
        #expect(unknown.status != 0)
        #expect(unknown.errors.contains("#999"), "\(unknown.errors)")
        #expect(try Data(contentsOf: keep) == kept, "an unknown number leaves the file as it was")

        let refused = await harness.run(["play", "2", "--out", keep.path, "--as", "alice"], now: monday0805)
        #expect(refused.status != 0, "the owner's line is not for staff")
        #expect(try Data(contentsOf: keep) == kept, "a refusal leaves the file as it was")

        let saved = await harness.run(["play", "1", "--out", keep.path, "--as", "alice"], now: monday0805)
        #expect(saved.status == 0, "\(saved.errors)")
        #expect(try Data(contentsOf: keep).prefix(4) == Data("RIFF".utf8), "the audio replaces it once it is all there")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: harness.root.path).filter { $0.hasSuffix(".part") }
        #expect(leftovers.isEmpty, "no partial file is left beside the target: \(leftovers)")
    }

    @Test("play of an unknown number says so, even with no audio player installed")
    func playUnknownBeforePlayer() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, slot: "msg0000", callerid: "\"Pat\" <5551112222>", at: friday1600)
        _ = try await harness.ingest(now: monday0805)
        let empty = harness.root.appendingPathComponent("no-players")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let unknown = await harness.run(["play", "999", "--as", "alice"], now: monday0805, environment: ["PATH": empty.path])
        #expect(unknown.status != 0)
        #expect(unknown.errors.contains("#999") && !unknown.errors.contains("audio player"), "\(unknown.errors)")
        let known = await harness.run(["play", "1", "--as", "alice"], now: monday0805, environment: ["PATH": empty.path])
        #expect(known.errors.contains("no audio player here"), "\(known.errors)")
    }
}

@Suite("A configuration file means the same in every folder")
struct ConfigurationFolderTests {
    @Test("keys left out default to the file's folder, not the working folder")
    func defaultsBesideTheFile() throws {
        let configuration = try Afterhours.Configuration.parse(yaml: "spool:\n  path: /srv/spool\n", file: "/srv/ah/callbacks.yaml")
        #expect(configuration.storage.database == "/srv/ah/var/afterhours.sqlite")
        #expect(configuration.spool.archive == "/srv/ah/var/archive")
        #expect(configuration.spool.quarantine == "/srv/ah/var/quarantine")
        #expect(configuration.spool.path == "/srv/spool")
        let empty = try Afterhours.Configuration.parse(yaml: "", file: "/srv/ah/callbacks.yaml")
        #expect(empty.storage.database == "/srv/ah/var/afterhours.sqlite", "an empty file too")
    }

    @Test("a command with storage.database left out stores beside the file, and doctor prints absolute paths it did not create")
    func databaseBesideTheFile() async throws {
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "storage:\n  database: afterhours.sqlite\n", with: ""))
        let database = harness.root.appendingPathComponent("var/afterhours.sqlite").path
        let doctor = await harness.run(["doctor"])
        #expect(doctor.output.contains("✓ database \(database) (not there yet: the first command creates it)"), "\(doctor.output)")
        #expect(doctor.output.contains("spool \(harness.spool.path)"), "\(doctor.output)")
        #expect(!FileManager.default.fileExists(atPath: database), "doctor creates no database")
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Pat\" <5551112222>", origtime: 1_795_208_400))
        let ingested = try await harness.ingest()
        #expect(ingested["ingested"] as? Int == 1)
        #expect(FileManager.default.fileExists(atPath: database), "the database is in the file's folder")
        let list = await harness.run(["list", "--json"])
        #expect((list.json as? [Any])?.count == 1, "\(list.output) \(list.errors)")
    }

    @Test("a new, empty database is not made silently where the archive holds messages another database stored")
    func noNewDatabaseOverOldData() async throws {
        let harness = try Harness()
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Pat\" <5551112222>", origtime: 1_795_208_400))
        _ = try await harness.ingest()
        try Harness.acme.replacingOccurrences(of: "database: afterhours.sqlite", with: "database: other.sqlite")
            .write(to: harness.root.appendingPathComponent("callbacks.yaml"), atomically: true, encoding: .utf8)
        let other = harness.root.appendingPathComponent("other.sqlite").path
        for command in [["list"], ["next", "--as", "alice"], ["ingest"]] {
            let refused = await harness.run(command)
            #expect(refused.status != 0, "\(command)")
            #expect(refused.errors.contains("there is no database at \(other) (storage.database), but the archive \(harness.archive.path) already holds"), "\(refused.errors)")
        }
        #expect(!FileManager.default.fileExists(atPath: other))
        let doctor = await harness.run(["doctor"])
        #expect(doctor.output.contains("✗ database \(other): there is no database"), "\(doctor.output)")
    }
}
