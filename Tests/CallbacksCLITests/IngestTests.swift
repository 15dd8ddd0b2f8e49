import Foundation
import Testing

/// Builds spool contents from the audio fixtures.
extension Harness {
    static let audio = fixtures.appendingPathComponent("audio")

    func put(_ relative: String, copying fixture: String) throws {
        let url = spool.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.audio.appendingPathComponent(fixture), to: url)
    }

    func put(_ relative: String, text: String) throws {
        let url = spool.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func put(_ relative: String, bytes: [UInt8]) throws {
        let url = spool.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    /// An Asterisk `.txt` as `leave_voicemail` writes it.
    static func txt(callerid: String, origtime: Int, msgID: String? = nil, flag: String = "", extra: String = "") -> String {
        """
        ;
        ; Message Information file
        ;
        [message]
        origmailbox=1001
        context=from-internal
        \(extra)callerid=\(callerid)
        origtime=\(origtime)
        \(msgID.map { "msg_id=\($0)\n" } ?? "")flag=\(flag)
        duration=3

        """
    }

    func ingest(_ extra: [String] = [], now: String = "2026-11-23T08:05:00-05:00") async throws -> [String: Any] {
        let result = await run(["ingest", "--json"] + extra, now: now)
        return try #require(result.json as? [String: Any], "ingest printed: \(result.output) \(result.errors)")
    }

    func messages() async throws -> [[String: Any]] {
        let list = await run(["list", "--all", "--json"])
        let callbacks = try #require(list.json as? [[String: Any]])
        return callbacks.flatMap { $0["messages"] as? [[String: Any]] ?? [] }
    }
}

@Suite("Ingest: never lose or double a message")
struct IngestTests {
    let t0 = 1_795_280_400  // Saturday 2026-11-21 12:00 New York

    @Test("a WAV still being written waits, then goes through once finished")
    func unfinishedRecording() async throws {
        let harness = try Harness()
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "unfinished.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "<5551234567>", origtime: t0))
        let first = try await harness.ingest()
        #expect(first["ingested"] as? Int == 0)
        #expect(first["incomplete"] as? Int == 2)
        let reasons = (first["left_behind"] as? [[String: String]])?.compactMap { $0["reason"] } ?? []
        #expect(reasons.contains("msg0000.wav is still being recorded (header not yet finished)"))
        // Asterisk closes the file: header sizes patched.
        try FileManager.default.removeItem(at: harness.spool.appendingPathComponent("default/1001/INBOX/msg0000.wav"))
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        let second = try await harness.ingest()
        #expect(second["ingested"] as? Int == 1)
        #expect(harness.files(under: harness.spool).isEmpty)
    }

    @Test("a recording that never finishes is ingested with its error after give_up_after, audio quarantined with a reason")
    func neverFinished() async throws {
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "  settle: 0s", with: "  settle: 0s\n  give_up_after: 0s"))
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "unfinished.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "<5551234567>", origtime: t0))
        let summary = try await harness.ingest()
        #expect(summary["ingested"] as? Int == 1)
        #expect(summary["quarantined"] as? Int == 0, "stored, so not counted as a message sent to the quarantine")
        #expect(summary["unreadable"] as? Int == 1, "counted once, as stored with unreadable audio")
        let message = try #require(try await harness.messages().first)
        #expect((message["error"] as? String)?.contains("recording never finished") == true)
        #expect(message["audio"] is NSNull)
        let quarantined = harness.files(under: harness.quarantine)
        #expect(quarantined.contains { $0.hasSuffix("/.reason") })
        #expect(quarantined.contains { $0.hasSuffix("/msg0000.wav") })
        #expect(harness.files(under: harness.spool).isEmpty)
    }

    @Test("a finished recording with 0 frames (hung up at the beep) is a silent message, not an unfinished one")
    func hungUpAtTheBeep() async throws {
        let harness = try Harness()
        var header = [UInt8](repeating: 0, count: 44)
        func put32(_ value: UInt32, at offset: Int) { for i in 0..<4 { header[offset + i] = UInt8((value >> (8 * UInt32(i))) & 0xFF) } }
        header.replaceSubrange(0..<4, with: Array("RIFF".utf8)); put32(36, at: 4)
        header.replaceSubrange(8..<16, with: Array("WAVEfmt ".utf8)); put32(16, at: 16)
        header[20] = 1; header[22] = 1; put32(8000, at: 24); put32(16000, at: 28); header[32] = 2; header[34] = 16
        header.replaceSubrange(36..<40, with: Array("data".utf8)); put32(0, at: 40)
        try harness.put("default/1001/INBOX/msg0000.wav", bytes: header)
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "<5551234567>", origtime: t0))
        let summary = try await harness.ingest()
        #expect(summary["ingested"] as? Int == 1)
        let message = try #require(try await harness.messages().first)
        #expect(message["silent"] as? Bool == true)
        #expect(message["error"] is NSNull)
    }

    @Test("renumbered slots, rewritten .txt files, Old/ copies and re-runs never double a message")
    func renumberingAndRewrites() async throws {
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "  settle: 0s", with: "  settle: 0s\n  keep_originals: true"))
        try harness.put("default/1001/INBOX/msg0003.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0003.txt", text: Harness.txt(callerid: "\"Ann\" <5551234567>", origtime: t0, msgID: "\(t0)-0000002a"))
        _ = try await harness.ingest()
        // Asterisk renumbers msg0003 to msg0000; FreePBX rewrites the .txt as key = value.
        let folder = harness.spool.appendingPathComponent("default/1001/INBOX")
        try FileManager.default.moveItem(at: folder.appendingPathComponent("msg0003.wav"), to: folder.appendingPathComponent("msg0000.wav"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("msg0003.txt"))
        try harness.put("default/1001/INBOX/msg0000.txt", text: ";!\n;! Generator: app_voicemail\n[message]\ncallerid = \"Ann\" <5551234567>\norigtime = \(t0)\nmsg_id = \(t0)-0000002a\n")
        // The caller listened to it: copied to Old/.
        try harness.put("default/1001/Old/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/Old/msg0000.txt", text: Harness.txt(callerid: "\"Ann\" <5551234567>", origtime: t0, msgID: "\(t0)-0000002a"))
        let again = try await harness.ingest()
        #expect(again["ingested"] as? Int == 0)
        #expect(again["duplicates"] as? Int == 2)
        #expect(try await harness.messages().count == 1)
    }

    @Test("with keep_originals, stored messages are recognised on every later pass without reading their audio again")
    func keptOriginalsAreNotReprobed() async throws {
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "  settle: 0s", with: "  settle: 0s\n  keep_originals: true"))
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "<5551234567>", origtime: t0, msgID: "\(t0)-00000001"))
        #expect(try await harness.ingest()["ingested"] as? Int == 1)
        // Were the audio read again, its hash (and so its identity) would now differ.
        try FileManager.default.removeItem(at: harness.spool.appendingPathComponent("default/1001/INBOX/msg0000.wav"))
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "garbage.wav")
        let again = try await harness.ingest()
        #expect(again["ingested"] as? Int == 0)
        #expect(again["duplicates"] as? Int == 1)
        #expect(again["quarantined"] as? Int == 0)
        #expect(harness.files(under: harness.spool).count == 2, "the PBX keeps its files")
    }

    @Test("copies to several mailboxes are separate messages on one callback")
    func multipleRecipients() async throws {
        let harness = try Harness()
        for mailbox in ["1001", "1002"] {
            try harness.put("default/\(mailbox)/INBOX/msg0000.WAV", copying: "speech-wav49.WAV")
            try harness.put("default/\(mailbox)/INBOX/msg0000.txt", text: Harness.txt(callerid: "<5551234567>", origtime: t0, msgID: "\(t0)-00000001"))
        }
        let summary = try await harness.ingest()
        #expect(summary["ingested"] as? Int == 2)
        let list = await harness.run(["list", "--json"])
        let callbacks = try #require(list.json as? [[String: Any]])
        #expect(callbacks.count == 1)
        #expect((callbacks.first?["messages"] as? [Any])?.count == 2)
    }

    @Test("tmp/, greetings, locked folders and symlinked folders are never read; every file left is counted with why")
    func ignoredPlaces() async throws {
        let harness = try Harness()
        try harness.put("default/1001/tmp/ABC123.wav", copying: "speech.wav")
        try harness.put("default/1001/busy.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "<5551234567>", origtime: t0))
        try harness.put("default/1002/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1002/INBOX/msg0000.txt", text: Harness.txt(callerid: "<5559876543>", origtime: t0))
        try harness.put("default/1002/INBOX/.lock", text: "")
        // FreePBX's device/ links point at the real mailboxes.
        try FileManager.default.createDirectory(at: harness.spool.appendingPathComponent("device"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: harness.spool.appendingPathComponent("device/1001"), withDestinationURL: harness.spool.appendingPathComponent("default/1001"))
        let summary = try await harness.ingest()
        #expect(summary["ingested"] as? Int == 1)
        #expect(summary["duplicates"] as? Int == 0)
        let left = try #require(summary["left_behind"] as? [[String: String]])
        let reasons = Dictionary(left.map { (URL(fileURLWithPath: $0["path"] ?? "").lastPathComponent, $0["reason"] ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(reasons["busy.wav"] == "mailbox greeting, not a message")
        #expect(reasons["msg0000.wav"] == "folder locked by Asterisk; will retry")
        #expect(reasons[".lock"] == "folder locked by Asterisk; will retry")
        #expect(reasons["ABC123.wav"] == nil, "Asterisk's recording area is not ours")
    }

    @Test("legacy files, quoted names with semicolons, non-ASCII and invalid UTF-8 names")
    func callerNames() async throws {
        let harness = try Harness()
        let cases: [(String, [UInt8], String?, String?)] = [
            ("1001", Array("[message]\ncallerid=\"Smith; Jones\" <2125550199>\norigdate=Mon Jan  4 09:15:02 AM EST 2010\norigtime=\(t0)\n".utf8), "Smith; Jones", "+12125550199"),
            ("1002", Array("[message]\ncallerid=\"Zoë Müller\" <0044 20 7946 0958>\norigtime=\(t0 + 1)\n".utf8), "Zoë Müller", "+442079460958"),
            ("1003", Array("[message]\ncallerid=\"Jos".utf8) + [0xE9] + Array("\" <6175550123>\norigtime=\(t0 + 2)\n".utf8), "José", "+16175550123"),
            ("1004", Array("[message]\ncallerid=Restricted\norigtime=\(t0 + 3)\n".utf8), nil, nil),
        ]
        for (mailbox, bytes, _, _) in cases {
            try harness.put("default/\(mailbox)/INBOX/msg0000.wav", copying: "speech.wav")
            try harness.put("default/\(mailbox)/INBOX/msg0000.txt", bytes: bytes)
        }
        let summary = try await harness.ingest()
        #expect(summary["ingested"] as? Int == 4)
        let list = await harness.run(["list", "--json"])
        let callers = try #require(list.json as? [[String: Any]]).compactMap { $0["caller"] as? [String: Any] }
        for (_, _, name, number) in cases {
            #expect(callers.contains { ($0["name"] as? String) == name && ($0["number"] as? String) == number }, "\(name ?? "-") \(number ?? "-")")
        }
    }

    @Test("sidecar layout: audio with JSON written last, audio alone, never .tmp/.part/dotfiles")
    func sidecar() async throws {
        let harness = try Harness()
        try harness.put("call-1.wav", copying: "speech.wav")
        try harness.put("call-1.json", text: #"{"caller_number": "+1 (555) 123-4567", "caller_name": "Jane", "received_at": "2026-11-21T12:00:00-05:00", "mailbox": "sales", "urgent": true}"#)
        try harness.put("call-2.flac", copying: "speech.flac")
        try harness.put("call-3.wav.part", copying: "speech.wav")
        try harness.put("call-4.tmp", copying: "speech.wav")
        try harness.put(".call-5.wav", copying: "speech.wav")
        let summary = try await harness.ingest()
        #expect(summary["ingested"] as? Int == 2)
        #expect(Set(harness.files(under: harness.spool)) == ["call-3.wav.part", "call-4.tmp", ".call-5.wav"])
        let list = await harness.run(["list", "--json"])
        let callbacks = try #require(list.json as? [[String: Any]])
        let jane = try #require(callbacks.first)
        #expect((jane["caller"] as? [String: Any])?["number"] as? String == "+15551234567")
        #expect(jane["urgent"] as? Bool == true)
        #expect((jane["messages"] as? [[String: Any]])?.first?["mailbox"] as? String == "sales")
        #expect((callbacks.last?["caller"] as? [String: Any])?["number"] is NSNull, "no sidecar: caller unknown")
    }

    @Test("hostile input: nothing crashes, nothing is lost, each problem is named")
    func hostileCorpus() async throws {
        // Give up on unfinished audio at once, so the empty file is judged in this pass.
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "  settle: 0s", with: "  settle: 0s\n  give_up_after: 0s"))
        var random = SystemRandomNumberGenerator()
        let noise = (0..<3000).map { _ in UInt8.random(in: 0...255, using: &random) }
        var absurd = Array("RIFF".utf8) + [0xFF, 0xFF, 0xFF, 0x7F] + Array("WAVEfmt ".utf8) + [16, 0, 0, 0, 1, 0, 0xFF, 0xFF]
        absurd += [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 2, 0, 16, 0] + Array("data".utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + noise
        let audio: [(String, [UInt8]?, String?)] = [
            ("empty", [], nil), ("noise", noise, nil), ("absurd", absurd, nil), ("truncated", nil, "truncated.wav"),
            ("garbage", nil, "garbage.wav"),
        ]
        for (index, (name, bytes, fixture)) in audio.enumerated() {
            let path = "default/\(2000 + index)/INBOX/msg0000.wav"
            if let bytes { try harness.put(path, bytes: bytes) } else if let fixture { try harness.put(path, copying: fixture) }
            try harness.put("default/\(2000 + index)/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"\(name)\" <55512300\(10 + index)>", origtime: t0 + index))
        }
        // Metadata that cannot be used.
        try harness.put("default/3000/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/3000/INBOX/msg0000.txt", bytes: noise)
        try harness.put("default/3001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/3001/INBOX/msg0000.txt", text: "[message]\norigtime=yesterday\n")
        try harness.put("bad.wav", copying: "speech.wav")
        try harness.put("bad.json", text: "{\"caller_number\": ")
        try harness.put("tricky.wav", copying: "speech.wav")
        try harness.put("tricky.json", text: #"{"mailbox": "../../etc", "caller_name": "\u0000Robert'); DROP TABLE callback;--", "caller_number": "<script>"}"#)

        let summary = try await harness.ingest()
        let ingested = summary["ingested"] as? Int ?? 0
        let quarantined = summary["quarantined"] as? Int ?? 0
        #expect(ingested == 6, "five messages with unreadable or odd audio, and the tricky sidecar")
        #expect(quarantined == 3, "two .txt without origtime, one bad JSON: not stored")
        #expect(summary["unreadable"] as? Int == 4, "four messages stored with unreadable audio, their files in the quarantine")
        // Nothing lost: every file is in the archive or the quarantine, none left in the spool.
        #expect(harness.files(under: harness.spool).isEmpty)
        let reasons = harness.files(under: harness.quarantine).filter { $0.hasSuffix(".reason") }.compactMap {
            try? String(contentsOf: harness.quarantine.appendingPathComponent($0), encoding: .utf8)
        }.joined()
        #expect(reasons.contains("msg0000.wav: is empty (0 bytes)"))
        #expect(reasons.contains("msg0000.txt: no origtime"))
        #expect(reasons.contains("bad.json: not the sidecar JSON"))
        #expect(reasons.contains("msg0000.wav: cannot be read as audio"))
        // Hostile values stay values: the archive holds only id-named files.
        #expect(harness.files(under: harness.archive).allSatisfy { $0.split(separator: "/").last.map { $0.first?.isNumber == true } ?? false })
        let list = await harness.run(["list", "--json"])
        #expect(list.status == 0)
        #expect((list.json as? [[String: Any]])?.count == 6)
    }
}
