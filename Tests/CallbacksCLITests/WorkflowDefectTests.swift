import Foundation
import Testing

/// The staff and owner workflow as a new user found it: each test is one reported defect.
@Suite("The staff and owner workflow")
struct WorkflowDefectTests {
    static let config = Harness.acme + """

        owner:
          mailboxes: ["200"]
          people: [maria]
        escalation:
          vip: ["+14155550100"]
        """
    // Friday 2026-11-20 16:00 New York.
    let friday1600 = 1_795_208_400
    let monday0805 = "2026-11-23T08:05:00-05:00"

    func message(_ harness: Harness, mailbox: String = "1001", slot: String, callerid: String, at origtime: Int) throws {
        try harness.put("default/\(mailbox)/INBOX/\(slot).wav", copying: "speech.wav")
        try harness.put("default/\(mailbox)/INBOX/\(slot).txt", text: Harness.txt(callerid: callerid, origtime: origtime, msgID: "\(origtime)-\(slot)"))
    }

    func json(_ result: Harness.Result) throws -> [String: Any] {
        try #require(result.json as? [String: Any], "\(result.output) \(result.errors)")
    }

    @Test("control characters in names and notes never reach the terminal; JSON escapes them; long names are cut visibly")
    func terminalInjection() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, slot: "msg0000", callerid: "\"\u{1B}[31mEvil\u{1B}[0m Name\u{202E}\" <5551234567>", at: friday1600)
        let long = String(repeating: "A", count: 100_000)
        try message(harness, slot: "msg0001", callerid: "\"\(long)\" <5559876543>", at: friday1600 + 60)
        _ = try await harness.ingest(now: monday0805)
        let claimed = await harness.run(["next", "--as", "bob"], now: monday0805)
        _ = await harness.run(["no-answer", "1", "--as", "bob", "--note", "left \u{1B}]0;pwned\u{07} a message"], now: monday0805)
        for command in [["list", "--all"], ["show", "1"], ["show", "2"]] {
            let result = await harness.run(command, now: monday0805)
            #expect(!result.output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x202E }, "\(command)")
        }
        #expect(!claimed.output.unicodeScalars.contains { $0.value == 0x1B })
        let shown = await harness.run(["show", "1"], now: monday0805)
        #expect(shown.output.contains("\\x1B[31mEvil\\x1B[0m Name\\u{202E}"), "shown as visible escapes")
        #expect(shown.output.contains("left \\x1B]0;pwned\\x07 a message"))
        let list = await harness.run(["list", "--all"], now: monday0805)
        #expect(list.output.split(separator: "\n").allSatisfy { $0.count < 160 }, "no row as wide as a hostile name")
        let detail = try json(await harness.run(["show", "2", "--json"], now: monday0805))
        let name = try #require((detail["caller"] as? [String: Any])?["name"] as? String)
        #expect(name.count == 100 && name.hasSuffix("…"), "stored names are capped, the cut visible")
        let raw = await harness.run(["show", "1", "--json"], now: monday0805)
        #expect(raw.output.contains("\\u001b[31mEvil"), "JSON escapes control characters")
        #expect(raw.output.contains("\\u202e"))
    }

    @Test("done on an escalated callback resolves its escalation, with who and the note, and the owner is told")
    func doneResolvesEscalation() async throws {
        let harness = try Harness(
            config: Self.config.replacingOccurrences(of: "  people: [maria]", with: "  people: [maria]\n  notify:\n    - command: /bin/true"))
        try message(harness, slot: "msg0000", callerid: "\"Vic\" <4155550100>", at: friday1600)
        _ = try await harness.ingest(now: monday0805)
        _ = await harness.run(["next", "--as", "bob"], now: monday0805)
        let done = await harness.run(["done", "1", "--as", "bob", "--note", "refund agreed"], now: monday0805)
        #expect(done.output == "Callback #1 done. Escalation #1 resolved; the owner is told.")
        let all = await harness.run(["escalations", "list", "--all", "--as", "maria", "--json"], now: monday0805)
        let escalation = try #require((all.json as? [[String: Any]])?.first)
        #expect(escalation["state"] as? String == "resolved")
        #expect(escalation["resolution"] as? String == "done by bob: refund agreed")
        #expect(escalation["resolved_by"] as? String == "bob")
        #expect(escalation["resolved_at"] as? String == "2026-11-23T08:05:00-05:00")
        let notified = (escalation["notifications"] as? [[String: Any]] ?? []).compactMap { $0["reason"] as? String }
        #expect(notified == ["vip", "resolved"], "the resolution goes out on the same channel as the escalation")
        let open = await harness.run(["escalations", "--as", "maria"], now: monday0805)
        #expect(open.output == "No open escalations.")
    }

    @Test("the owner's line does not exist for staff, by id or otherwise")
    func ownerLineHidden() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, mailbox: "200", slot: "msg0000", callerid: "\"Pat\" <5551112222>", at: friday1600)
        _ = try await harness.ingest(now: monday0805)
        for command in [["show", "1"], ["done", "1"], ["no-answer", "1"], ["release", "1"], ["escalate", "1", "--reason", "x"]] {
            let refused = await harness.run(command + ["--as", "alice"], now: monday0805)
            #expect(refused.status != 0, "\(command)")
            #expect(refused.errors == "Error: there is no callback #1", "\(command)")
        }
        let escalations = await harness.run(["escalations", "--as", "alice"], now: monday0805)
        #expect(escalations.errors == "Error: escalations are the owner's: alice is not the owner")
        let owner = await harness.run(["show", "1", "--as", "maria"], now: monday0805)
        #expect(owner.status == 0)
        #expect(owner.output.contains("Pat"))
    }

    @Test("escalate respects a colleague's claim unless --force, and --force is in the history")
    func escalateRespectsClaims() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, slot: "msg0000", callerid: "\"Ann\" <5551234567>", at: friday1600)
        _ = try await harness.ingest(now: monday0805)
        _ = await harness.run(["next", "--as", "dave"], now: monday0805)
        let refused = await harness.run(["escalate", "1", "--as", "erin", "--reason", "Wants a refund"], now: monday0805)
        #expect(refused.errors == "Error: callback #1 is claimed by dave; use --force to record it anyway")
        let empty = await harness.run(["escalate", "1", "--as", "dave", "--reason", "  "], now: monday0805)
        #expect(empty.errors == "Error: say why the owner should take callback #1: the reason is empty")
        let forced = await harness.run(["escalate", "1", "--as", "erin", "--reason", "Wants a refund", "--force"], now: monday0805)
        #expect(forced.status == 0)
        let history = await harness.run(["show", "1", "--as", "erin"], now: monday0805)
        #expect(history.output.contains("escalated by erin (staff: Wants a refund; --force over dave's claim)"))
        // The owner reads the reason in words, in the list and the JSON.
        let owner = await harness.run(["escalations", "--as", "maria"], now: monday0805)
        #expect(owner.output.contains("Why: Staff handed you a callback: Wants a refund; --force over dave's claim"))
        let reasons = try #require((await harness.run(["escalations", "--as", "maria", "--json"], now: monday0805).json as? [[String: Any]])?.first?["reasons"] as? [[String: Any]])
        #expect(reasons.first?["kind"] as? String == "staff")
        #expect((reasons.first?["detail"] as? String)?.hasPrefix("Wants a refund") == true)
    }

    @Test("who acts is a real name: trimmed, not empty, printable, and asked for when there is no login name")
    func actorChecked() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, slot: "msg0000", callerid: "\"Ann\" <5551234567>", at: friday1600)
        _ = try await harness.ingest(now: monday0805)
        #expect(await harness.run(["next", "--as", ""], now: monday0805).errors == "Error: --as is empty: name the person acting, for example --as alice")
        #expect(await harness.run(["next", "--as", "   "], now: monday0805).errors == "Error: --as is empty: name the person acting, for example --as alice")
        #expect(await harness.run(["next", "--as", "bo\u{1B}b"], now: monday0805).errors.contains("contains control characters"))
        let nobody = await harness.run(["next"], now: monday0805, environment: ["USER": nil])
        #expect(nobody.errors == "Error: who is acting? There is no login name ($USER): give one with --as NAME")
        #expect(await harness.run(["list"], now: monday0805, environment: ["USER": nil]).status == 0, "reading needs no name")
        let claimed = await harness.run(["next", "--as", "  carol "], now: monday0805)
        #expect(claimed.output.contains("When you're done: callbacks done 1 --as carol --note"), "the hint repeats --as")
        #expect(claimed.output.contains("this is Carol from Acme Plumbing"))
    }

    @Test("escalation states are each measured from their own start, with acknowledged_at and resolved_at")
    func escalationTimes() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, slot: "msg0000", callerid: "\"Ann\" <5551234567>", at: friday1600)
        _ = try await harness.ingest(now: "2026-11-23T08:30:00-05:00")
        _ = await harness.run(["escalate", "1", "--as", "bob", "--reason", "Wants a refund"], now: "2026-11-23T08:35:00-05:00")
        _ = await harness.run(["escalations", "ack", "1", "--as", "maria"], now: "2026-11-23T08:50:00-05:00")
        let acknowledged = await harness.run(["escalations", "--as", "maria"], now: "2026-11-23T08:55:00-05:00")
        #expect(acknowledged.output.contains("acknowledged for 5m"))
        _ = await harness.run(["escalations", "resolve", "1", "--as", "maria", "--note", "Refunded"], now: "2026-11-23T09:00:00-05:00")
        let resolved = await harness.run(["escalations", "list", "--all", "--as", "maria"], now: "2026-11-23T09:30:00-05:00")
        #expect(resolved.output.contains("resolved for 30m"), "\(resolved.output)")
        let escalation = try #require((await harness.run(["escalations", "list", "--all", "--as", "maria", "--json"], now: "2026-11-23T09:30:00-05:00").json as? [[String: Any]])?.first)
        #expect(escalation["acknowledged_at"] as? String == "2026-11-23T08:50:00-05:00")
        #expect(escalation["resolved_at"] as? String == "2026-11-23T09:00:00-05:00")
        #expect(escalation["resolved_by"] as? String == "maria")
    }

    @Test("breach notes are in the business time zone, not UTC")
    func breachNoteLocal() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, slot: "msg0000", callerid: "\"Ann\" <5551234567>", at: friday1600)
        _ = try await harness.ingest(now: "2026-11-20T16:05:00-05:00")
        let shown = await harness.run(["show", "1"], now: "2026-11-23T11:00:00-05:00")
        #expect(shown.output.contains("breach: promised by Mon Nov 23 09:00"), "\(shown.output)")
        #expect(!shown.output.contains("Z)"))
    }

    @Test("a waiting callback says when it comes back; next says what comes next when nothing is due now")
    func waitingShowsReturn() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, slot: "msg0000", callerid: "\"Ann\" <5551234567>", at: friday1600)
        _ = try await harness.ingest(now: monday0805)
        _ = await harness.run(["next", "--as", "bob"], now: monday0805)
        _ = await harness.run(["escalate", "1", "--as", "bob", "--reason", "angry"], now: monday0805)
        _ = await harness.run(["no-answer", "1", "--as", "bob"], now: monday0805)
        let detail = try json(await harness.run(["show", "1", "--json"], now: monday0805))
        #expect(detail["available_at"] as? String == "2026-11-23T09:05:00-05:00")
        #expect(await harness.run(["show", "1"], now: monday0805).output.contains("back in the queue today at 09:05"))
        #expect(await harness.run(["list", "--all"], now: monday0805).output.contains("waiting (back today at 09:05)"))
        let next = await harness.run(["next", "--as", "carol"], now: monday0805)
        #expect(next.output == "Nothing to call back now. Next: #1 Ann (escalated), back in the queue today at 09:05.")
    }

    @Test("a callback done before its deadline counts as a kept promise at once; done_at and done_by are shown")
    func statsCountDoneEarly() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, slot: "msg0000", callerid: "\"Ann\" <5551234567>", at: friday1600)
        _ = try await harness.ingest(now: monday0805)
        _ = await harness.run(["next", "--as", "bob"], now: monday0805)
        _ = await harness.run(["done", "1", "--as", "bob"], now: monday0805)
        let stats = try json(await harness.run(["stats", "--json"], now: "2026-11-23T08:10:00-05:00"))
        #expect(stats["due_in_period"] as? Int == 1)
        #expect(stats["done_by_deadline"] as? Int == 1)
        let detail = try json(await harness.run(["show", "1", "--json"], now: monday0805))
        #expect(detail["done_at"] as? String == "2026-11-23T08:05:00-05:00")
        #expect(detail["done_by"] as? String == "bob")
    }
}
