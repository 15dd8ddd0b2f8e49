import Foundation
import GRDB
import Testing

/// A transcript the transcriber cut short at a repetition loop (issue 28): the words before
/// the loop are stored with a mark, and every place a person reads it says so.
@Suite("Cut-short transcripts", .serialized)
struct CutShortTests {
    static let note = "(cut short: the transcriber repeated itself)"
    static let words = "Please call the monitoring center at 8-0-0-0-5-5-0-1-4-2"

    /// A message transcribed as a transcriber that found a loop stores it, into the real
    /// SQLite file, beside a message heard whole.
    static func installation() async throws -> (Harness, cut: Int64, whole: Int64, tokens: [String: String]) {
        let harness = try Harness(config: HTTPTests.config)
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Pat\" <2125550101>", origtime: 1_795_280_400))
        try harness.put("default/1001/INBOX/msg0001.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0001.txt", text: Harness.txt(callerid: "\"Sam\" <2125550102>", origtime: 1_795_280_460))
        _ = try await harness.ingest()
        let database = try DatabaseQueue(path: harness.root.appendingPathComponent("afterhours.sqlite").path)
        let (cut, whole) = try await database.write { db in
            let cut = try #require(try Int64.fetchOne(db, sql: "SELECT callback_id FROM voicemail WHERE caller_number = '+12125550101'"))
            let whole = try #require(try Int64.fetchOne(db, sql: "SELECT callback_id FROM voicemail WHERE caller_number = '+12125550102'"))
            try db.execute(
                sql: "UPDATE voicemail SET transcript_status = 'done', transcript = ?, transcript_cut_short = 1 WHERE callback_id = ?",
                arguments: [words, cut])
            try db.execute(
                sql: "UPDATE voicemail SET transcript_status = 'done', transcript = 'Hello, please call me back.' WHERE callback_id = ?",
                arguments: [whole])
            return (cut, whole)
        }
        var tokens: [String: String] = [:]
        for (name, role) in [("alice", "staff"), ("olivia", "owner")] {
            let added = await harness.run(["people", "add", name, "--role", role, "--json"])
            tokens[name] = try #require((added.json as? [String: Any])?["token"] as? String, "\(added.errors)")
        }
        return (harness, cut, whole, tokens)
    }

    static func message(_ json: Any?) -> [String: Any]? {
        ((json as? [String: Any])?["messages"] as? [[String: Any]])?.first
    }

    @Test("show says the transcript was cut short; --json has transcript_cut_short; a whole transcript says neither")
    func showAndJSON() async throws {
        let (harness, cut, whole, _) = try await Self.installation()
        let shown = await harness.run(["show", String(cut), "--as", "alice"])
        #expect(shown.status == 0, "\(shown.errors)")
        #expect(shown.output.contains(Self.note), "\(shown.output)")
        #expect(shown.output.contains("8-0-0-0-5-5-0-1-4-2"), "\(shown.output)")
        let plain = await harness.run(["show", String(whole), "--as", "alice"])
        #expect(plain.output.contains("Hello, please call me back.") && !plain.output.contains("cut short"), "\(plain.output)")

        let json = await harness.run(["show", String(cut), "--json", "--as", "alice"])
        let message = try #require(Self.message(json.json), "\(json.output)")
        #expect(message["transcript_cut_short"] as? Bool == true)
        #expect(message["transcript"] as? String == Self.words)
        let wholeJSON = await harness.run(["show", String(whole), "--json", "--as", "alice"])
        #expect(Self.message(wholeJSON.json)?["transcript_cut_short"] as? Bool == false)
    }

    @Test("show, --json, the API and the page say a low-confidence transcript is one")
    func lowConfidence() async throws {
        let (harness, _, whole, tokens) = try await Self.installation()
        let database = try DatabaseQueue(path: harness.root.appendingPathComponent("afterhours.sqlite").path)
        try await database.write { db in
            try db.execute(
                sql: "UPDATE voicemail SET transcript_avg_logprob = -1.4, transcript_no_speech_prob = 0.2 WHERE callback_id = ?", arguments: [whole])
        }
        let note = "(low confidence: listen before acting on it; no number is taken from it)"
        let shown = await harness.run(["show", String(whole), "--as", "alice"])
        #expect(shown.output.contains(note), "\(shown.output)")
        let json = await harness.run(["show", String(whole), "--json", "--as", "alice"])
        #expect(Self.message(json.json)?["transcript_low_confidence"] as? Bool == true, "\(json.output)")

        let server = try await HTTPServer(harness)
        let answer = try server.request("GET", "/api/v1/callbacks/\(whole)", token: try #require(tokens["alice"]))
        #expect(Self.message(try JSONSerialization.jsonObject(with: Data(answer.text.utf8)))?["transcript_low_confidence"] as? Bool == true)
        let escalated = await harness.run(["escalate", String(whole), "--reason", "Wants the owner", "--as", "alice"])
        #expect(escalated.status == 0, "\(escalated.errors)")
        let escalations = await harness.run(["escalations", "--json", "--as", "olivia"])
        let id = try #require((escalations.json as? [[String: Any]])?.first?["id"] as? Int, "\(escalations.output)")
        let olivia = try await WhatPeopleReadTests.session(harness, "olivia", base: server.base)
        let page = try HTTPServer.curl(["-H", "Cookie: \(olivia)", server.base + "/escalations/\(id)"]).text
        #expect(page.contains(#"<span class="low-confidence">\#(note)</span>"#), "\(page)")
    }

    @Test("the API has transcript_cut_short and the page says the transcript was cut short")
    func apiAndPages() async throws {
        let (harness, cut, whole, tokens) = try await Self.installation()
        let server = try await HTTPServer(harness)
        let alice = try #require(tokens["alice"])
        let answer = try server.request("GET", "/api/v1/callbacks/\(cut)", token: alice)
        #expect(answer.status == 200)
        let message = try #require(Self.message(try JSONSerialization.jsonObject(with: Data(answer.text.utf8))), "\(answer.text)")
        #expect(message["transcript_cut_short"] as? Bool == true)
        let other = try server.request("GET", "/api/v1/callbacks/\(whole)", token: alice)
        #expect(Self.message(try JSONSerialization.jsonObject(with: Data(other.text.utf8)))?["transcript_cut_short"] as? Bool == false)

        // The messages of a callback are on its escalation's page.
        let escalated = await harness.run(["escalate", String(cut), "--reason", "Wants the owner", "--as", "alice"])
        #expect(escalated.status == 0, "\(escalated.errors)")
        let escalations = await harness.run(["escalations", "--json", "--as", "olivia"])
        let id = try #require((escalations.json as? [[String: Any]])?.first?["id"] as? Int, "\(escalations.output)")
        let olivia = try await WhatPeopleReadTests.session(harness, "olivia", base: server.base)
        let page = try HTTPServer.curl(["-H", "Cookie: \(olivia)", server.base + "/escalations/\(id)"]).text
        #expect(page.contains("<bdi>\(Self.words)</bdi>"), "\(page)")
        #expect(page.contains(#"<span class="cut-short">\#(Self.note)</span>"#), "\(page)")
    }
}
