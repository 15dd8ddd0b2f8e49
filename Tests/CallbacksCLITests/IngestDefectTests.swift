import Foundation
import Testing

/// Ingest as a new user found it: each test is one reported defect.
@Suite("Ingest: what a new user found")
struct IngestDefectTests {
    // Friday 2026-11-20 16:00 New York.
    let friday1600 = 1_795_208_400

    func messages(_ harness: Harness) async throws -> [[String: Any]] {
        let list = await harness.run(["list", "--all", "--json"])
        return try #require(list.json as? [[String: Any]], "\(list.output) \(list.errors)")
    }

    @Test("a time before 2000 or more than a day ahead is not trusted: the file's time is used, and the history says why", arguments: [-5, 4_070_908_800])
    func impossibleTimestamps(origtime: Int) async throws {
        let harness = try Harness()
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Ann\" <5551234567>", origtime: origtime))
        let fileTime = Date(timeIntervalSince1970: 1_795_435_200)  // Mon 2026-11-23 07:00 New York
        for name in ["msg0000.wav", "msg0000.txt"] {
            try FileManager.default.setAttributes(
                [.modificationDate: fileTime], ofItemAtPath: harness.spool.appendingPathComponent("default/1001/INBOX/\(name)").path)
        }
        let summary = try await harness.ingest()
        #expect(summary["ingested"] as? Int == 1, "kept, with its callback")
        let callback = try #require(try await messages(harness).first)
        let message = try #require((callback["messages"] as? [[String: Any]])?.first)
        #expect(message["received_at"] as? String == "2026-11-23T07:00:00-05:00")
        #expect(callback["deadline"] as? String == "2026-11-23T10:00:00-05:00")
        #expect((message["audio"] as? String)?.contains("/2026/11/23/") == true)
        let shown = await harness.run(["show", "1"])
        #expect(shown.output.contains("origtime=\(origtime)"), "\(shown.output)")
        #expect(shown.output.contains("used the audio file's time instead"))
        #expect(!shown.output.contains(" late"), "no absurd lateness")
    }

    @Test("audio whose .txt never comes is quarantined with a reason after give_up_after, not reported forever")
    func audioWithoutMetadata() async throws {
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "  settle: 0s", with: "  settle: 0s\n  give_up_after: 1h"))
        try harness.put("default/1001/INBOX/msg0006.wav", copying: "speech.wav")
        let fresh = try await harness.ingest()
        #expect(fresh["incomplete"] as? Int == 1, "waits for its .txt at first")
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -7200)],
            ofItemAtPath: harness.spool.appendingPathComponent("default/1001/INBOX/msg0006.wav").path)
        let old = try await harness.ingest()
        #expect(old["quarantined"] as? Int == 1)
        #expect(old["incomplete"] as? Int == 0)
        #expect(harness.files(under: harness.spool).isEmpty)
        let reasons = harness.files(under: harness.quarantine).filter { $0.hasSuffix(".reason") }
        let reason = try String(contentsOf: harness.quarantine.appendingPathComponent(try #require(reasons.first)), encoding: .utf8)
        #expect(reason.contains("msg0006.wav: no .txt arrived within 1h"))
        #expect(harness.files(under: harness.quarantine).contains { $0.hasSuffix("default-1001-INBOX-msg0006/msg0006.wav") })
    }

    @Test("a WAV shorter than its header says carries an error naming what is missing and is never called silent")
    func truncatedAudio() async throws {
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "  claim_lease: 30m", with: "  claim_lease: 30m\n  silent: skip"))
        // 2 s promised, 0.2 s of silence present.
        var bytes = Array("RIFF".utf8) + le32(36 + 32_000) + Array("WAVEfmt ".utf8) + le32(16) + [1, 0, 1, 0] + le32(8000) + le32(16_000) + [2, 0, 16, 0]
        bytes += Array("data".utf8) + le32(32_000) + [UInt8](repeating: 0, count: 3_200)
        try harness.put("default/1001/INBOX/msg0000.wav", bytes: bytes)
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Ann\" <5551234567>", origtime: friday1600))
        _ = try await harness.ingest()
        let callback = try #require(try await messages(harness).first)
        let message = try #require((callback["messages"] as? [[String: Any]])?.first)
        #expect(message["error"] as? String == "msg0000.wav is cut short: its header promises 2.0 s of audio, the file holds 0.2 s")
        #expect(message["silent"] as? Bool == false)
        #expect(message["audio"] is String, "what is there is kept and playable")
    }

    @Test("ingest says plainly when the spool is a file or missing, and exits non-zero")
    func ingestSummaries() async throws {
        let harness = try Harness()
        let file = harness.root.appendingPathComponent("callbacks.yaml").path
        let onFile = await harness.run(["ingest", "--spool", file])
        #expect(onFile.status != 0)
        #expect(onFile.errors == "Error: \(file) is a file, not a spool folder")
        #expect(onFile.output.isEmpty, "no summary of a pass that did not happen")
        let missing = await harness.run(["ingest", "--spool", "/nonexistent/spool"])
        #expect(missing.status != 0)
        #expect(missing.errors == "Error: the spool folder /nonexistent/spool does not exist")
        #expect(missing.output.isEmpty)
    }

    @Test("a sidecar's number may be a JSON number; a time without offset is read in the business zone and noted")
    func lenientSidecars() async throws {
        let harness = try Harness()
        try harness.put("front-desk.wav", copying: "speech.wav")
        try harness.put("front-desk.json", text: #"{"caller_number": 2125550007, "caller_name": "Sam", "received_at": "2026-11-20T18:30:00"}"#)
        let summary = try await harness.ingest()
        #expect(summary["ingested"] as? Int == 1)
        #expect(summary["quarantined"] as? Int == 0)
        let callback = try #require(try await messages(harness).first)
        #expect((callback["caller"] as? [String: Any])?["number"] as? String == "+12125550007")
        let message = try #require((callback["messages"] as? [[String: Any]])?.first)
        #expect(message["received_at"] as? String == "2026-11-20T18:30:00-05:00")
        #expect(await harness.run(["show", "1"]).output.contains("has no offset; read in America/New_York"))
    }

    @Test("the database, archive and quarantine are not readable by other local users")
    func privateFiles() async throws {
        let binary = ConcurrentNextTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the binary first (make test does)")
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "  settle: 0s", with: "  settle: 0s\n  give_up_after: 0s"))
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Ann\" <5551234567>", origtime: friday1600))
        try harness.put("default/1001/INBOX/msg0001.wav", copying: "garbage.wav")
        try harness.put("default/1001/INBOX/msg0001.txt", text: Harness.txt(callerid: "\"Bo\" <5551234568>", origtime: friday1600 + 60))
        let process = Process()
        process.executableURL = binary
        process.arguments = ["ingest"]
        process.environment = harness.serveEnvironment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        func mode(_ url: URL) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int) ?? 0o777
        }
        #expect(try mode(harness.root.appendingPathComponent("afterhours.sqlite")) & 0o007 == 0)
        #expect(try mode(harness.archive) & 0o007 == 0)
        #expect(try mode(harness.quarantine) & 0o007 == 0)
    }

    @Test("messages stored but not archived: one summary line, exit 1, and their audio found where it really is")
    func archiveFails() async throws {
        let harness = try Harness()
        for slot in 0..<3 {
            try harness.put("default/1001/INBOX/msg000\(slot).wav", copying: "speech.wav")
            try harness.put("default/1001/INBOX/msg000\(slot).txt", text: Harness.txt(callerid: "<555123456\(slot)>", origtime: friday1600 + slot))
        }
        // The archive cannot be created: a file stands where its folder should be.
        try Data("not a folder".utf8).write(to: harness.archive)
        let blocked = await harness.run(["ingest"])
        #expect(blocked.status != 0)
        #expect(
            blocked.output.contains("3 messages stored but not yet archived: cannot archive into \(harness.archive.path): \(harness.archive.path) is a file, not a folder"),
            "\(blocked.output)")
        #expect(blocked.output.contains("they stay in the spool and are moved on the next pass."))
        #expect(blocked.errors == "Error: 3 stored messages were not archived; nothing was lost")
        let first = try #require(try await messages(harness).first)
        let audio = try #require((first["messages"] as? [[String: Any]])?.first?["audio"] as? String)
        #expect(audio.hasPrefix(harness.spool.path) && FileManager.default.fileExists(atPath: audio), "points at the spool while it waits")

        try FileManager.default.removeItem(at: harness.archive)
        let finished = await harness.run(["ingest"])
        #expect(finished.status == 0, "\(finished.output) \(finished.errors)")
        #expect(harness.files(under: harness.spool).isEmpty)
        for callback in try await messages(harness) {
            let path = try #require((callback["messages"] as? [[String: Any]])?.first?["audio"] as? String)
            #expect(path.hasPrefix(harness.archive.path) && FileManager.default.fileExists(atPath: path))
        }
    }

    func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8((value >> ($0 * 8)) & 0xFF) } }
}
