import Foundation
import Testing

@Suite("Notes, reopening, handing over and finding a caller")
struct CorrectionTests {
    let friday1600 = 1_795_208_400
    let monday0805 = "2026-11-23T08:05:00-05:00"

    func seeded() async throws -> Harness {
        let harness = try Harness()
        for (index, callerid) in ["\"Ann Lee\" <2125550101>", "\"Bob Smith\" <2125550102>", "\"Cy Young\" <2125550103>"].enumerated() {
            try harness.put("default/1001/INBOX/msg000\(index).wav", copying: "speech.wav")
            try harness.put("default/1001/INBOX/msg000\(index).txt", text: Harness.txt(callerid: callerid, origtime: friday1600 + index * 60))
        }
        try harness.put("default/1001/INBOX/msg0003.wav", copying: "garbage.wav")
        try harness.put("default/1001/INBOX/msg0003.txt", text: Harness.txt(callerid: "\"Di\" <2125550104>", origtime: friday1600 + 240))
        _ = try await harness.ingest(now: monday0805)
        return harness
    }

    @Test("a note without an outcome; a done callback reopened with its history; an empty note refused")
    func noteAndReopen() async throws {
        let harness = try await seeded()
        #expect(await harness.run(["note", "1", "asked for a quote by email", "--as", "bob"], now: monday0805).output == "Note added to callback #1.")
        #expect(await harness.run(["note", "1", "  ", "--as", "bob"], now: monday0805).errors == "Error: the note for callback #1 is empty")
        _ = await harness.run(["next", "--as", "bob"], now: monday0805)
        _ = await harness.run(["done", "1", "--as", "bob"], now: monday0805)
        let refused = await harness.run(["reopen", "2", "--as", "bob"], now: monday0805)
        #expect(refused.errors.contains("callback #2 is not done"))
        let reopened = await harness.run(["reopen", "1", "--as", "bob", "--note", "wrong caller"], now: monday0805)
        #expect(reopened.output == "Callback #1 is back in the queue.")
        let shown = await harness.run(["show", "1", "--json"], now: monday0805)
        let detail = try #require(shown.json as? [String: Any])
        #expect(detail["status"] as? String == "open")
        let kinds = (detail["history"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
        #expect(kinds.suffix(4) == ["noted", "claimed", "done", "reopened"])
        #expect(detail["done_at"] is NSNull)
    }

    @Test("assign hands a claim to a colleague; someone else's claim needs --force")
    func assign() async throws {
        let harness = try await seeded()
        _ = await harness.run(["next", "--as", "alice"], now: monday0805)
        let handed = await harness.run(["assign", "1", "--to", "carol", "--as", "alice"], now: monday0805)
        #expect(handed.output == "Callback #1 is carol's until today at 08:35.")
        #expect(await harness.run(["assign", "1", "--to", "dave", "--as", "erin"], now: monday0805).errors.contains("claimed by carol"))
        let mine = await harness.run(["list", "--mine", "--as", "carol", "--json"], now: monday0805)
        #expect((mine.json as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [1])
        #expect(await harness.run(["done", "1", "--as", "carol"], now: monday0805).status == 0)
    }

    @Test("find a caller by number written any way, by name, or what was done today")
    func find() async throws {
        let harness = try await seeded()
        let byNumber = await harness.run(["list", "--number", "(212) 555-0102", "--json"], now: monday0805)
        #expect((byNumber.json as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [2])
        let byName = await harness.run(["list", "--name", "young", "--json"], now: monday0805)
        #expect((byName.json as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [3])
        #expect(await harness.run(["list", "--name", "nobody"], now: monday0805).output == "No callbacks match.")
        _ = await harness.run(["next", "--as", "bob"], now: monday0805)
        _ = await harness.run(["done", "1", "--as", "bob"], now: monday0805)
        let today = await harness.run(["list", "--done-today", "--json"], now: "2026-11-23T16:00:00-05:00")
        #expect((today.json as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [1])
        let tomorrow = await harness.run(["list", "--done-today", "--json"], now: "2026-11-24T09:00:00-05:00")
        #expect((tomorrow.json as? [[String: Any]])?.isEmpty == true)
    }

    @Test("show gives an unreadable message's quarantine folder, and the year of dates outside this one")
    func quarantineAndYear() async throws {
        let harness = try await seeded()
        let shown = await harness.run(["show", "4"], now: monday0805)
        #expect(shown.output.contains("files in \(harness.quarantine.path)/2026/11/20/4"), "\(shown.output)")
        let json = try #require(await harness.run(["show", "4", "--json"], now: monday0805).json as? [String: Any])
        #expect(((json["messages"] as? [[String: Any]])?.first?["quarantine"] as? String)?.hasSuffix("/2026/11/20/4") == true)
        let nextYear = await harness.run(["show", "1"], now: "2027-01-04T09:00:00-05:00")
        #expect(nextYear.output.contains("Fri Nov 20 2026 16:00"), "\(nextYear.output)")
    }
}

@Suite("Reading without a name, and reopening a caller's older callback")
struct ReaderTests {
    @Test("show works with no login name at all; an empty $USER falls back to $LOGNAME")
    func readerWithoutName() async throws {
        let harness = try Harness()
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Ann\" <5551234567>", origtime: 1_795_208_400))
        _ = try await harness.ingest()
        let nameless = await harness.run(["show", "1"], environment: ["USER": nil])
        #expect(nameless.status == 0)
        #expect(!nameless.output.contains("Say:"), "no opening line without someone to say it")
        #expect(await harness.run(["show", "1", "--as", ""]).status != 0, "a name given but empty is still refused")
        let fallback = await harness.run(["next"], environment: ["USER": "", "LOGNAME": "lena"])
        #expect(fallback.output.contains("this is Lena from Acme Plumbing"))
    }

    @Test("reopen refuses when the caller already has a newer open callback")
    func reopenWithNewerOpen() async throws {
        let harness = try Harness()
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Ann\" <5551234567>", origtime: 1_795_208_400))
        _ = try await harness.ingest()
        _ = await harness.run(["next", "--as", "bob"])
        _ = await harness.run(["done", "1", "--as", "bob"])
        try harness.put("default/1001/INBOX/msg0001.wav", copying: "speech-ulaw.wav")
        try harness.put("default/1001/INBOX/msg0001.txt", text: Harness.txt(callerid: "\"Ann\" <5551234567>", origtime: 1_795_208_500))
        _ = try await harness.ingest()
        let refused = await harness.run(["reopen", "1", "--as", "bob"])
        #expect(refused.errors == "Error: this caller already has callback #2 open; add to it (callbacks note 2 …) rather than reopen #1")
    }
}
