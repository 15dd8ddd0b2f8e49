import Foundation
import Testing

@Suite("Escalations to the owner")
struct EscalationTests {
    static let config = Harness.acme + """

        owner:
          mailboxes: ["200"]
        escalation:
          repeat_calls: 3
          repeat_window: 24h
          vip: ["+14155550100"]
        """
    // Friday 2026-11-20 16:00 New York, an hour before closing.
    let friday1600 = 1_795_208_400

    func message(_ harness: Harness, mailbox: String = "1001", slot: String, callerid: String, at origtime: Int) throws {
        try harness.put("default/\(mailbox)/INBOX/\(slot).wav", copying: "speech.wav")
        try harness.put("default/\(mailbox)/INBOX/\(slot).txt", text: Harness.txt(callerid: callerid, origtime: origtime, msgID: "\(origtime)-\(slot)"))
    }

    func escalations(_ harness: Harness, now: String) async throws -> [[String: Any]] {
        let result = await harness.run(["escalations", "--json"], now: now)
        return try #require(result.json as? [[String: Any]], "\(result.output) \(result.errors)")
    }

    @Test("a message on the owner's line goes to the owner and never to staff")
    func ownerLine() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, mailbox: "200", slot: "msg0000", callerid: "\"Pat\" <5551112222>", at: friday1600)
        _ = try await harness.ingest(now: "2026-11-20T16:00:00-05:00")
        let list = await harness.run(["list", "--all", "--json"], now: "2026-11-20T16:05:00-05:00")
        #expect((list.json as? [Any])?.isEmpty == true, "hidden from staff")
        let next = await harness.run(["next", "--json"], now: "2026-11-20T16:05:00-05:00")
        #expect(next.output == "null")
        let owner = try await escalations(harness, now: "2026-11-20T16:05:00-05:00")
        #expect(owner.count == 1)
        #expect(owner.first?["reason"] as? String == "owner_line")
        #expect(((owner.first?["callback"] as? [String: Any])?["caller"] as? [String: Any])?["name"] as? String == "Pat")
    }

    @Test("repeat callers and VIPs escalate; one open escalation per callback, new reasons added to it")
    func repeatAndVIP() async throws {
        let harness = try Harness(config: Self.config)
        for (index, slot) in ["msg0000", "msg0001", "msg0002"].enumerated() {
            try message(harness, slot: slot, callerid: "<4155550100>", at: friday1600 + index * 600)
        }
        _ = try await harness.ingest(now: "2026-11-20T16:30:00-05:00")
        let owner = try await escalations(harness, now: "2026-11-20T16:35:00-05:00")
        #expect(owner.count == 1, "one escalation for the one callback")
        #expect(owner.first?["reason"] as? String == "vip")
        let reasons = try #require(owner.first?["reasons"] as? [[String: Any]])
        #expect(reasons.compactMap { $0["kind"] as? String } == ["vip", "repeat_caller"])
        #expect(reasons.last?["detail"] as? String == "called 3 times within 24 hours")
        // Staff still see it, escalated, first.
        let list = await harness.run(["list", "--json"], now: "2026-11-20T16:35:00-05:00")
        #expect((list.json as? [[String: Any]])?.first?["escalated"] as? Bool == true)
    }

    @Test("a missed deadline escalates once, found by any command, across a night and a weekend")
    func breachAcrossWeekend() async throws {
        let harness = try Harness(config: Self.config)
        // Friday 16:00 + 2h of business time: 1h Friday, 1h Monday → Monday 09:00.
        try message(harness, slot: "msg0000", callerid: "<5553334444>", at: friday1600)
        _ = try await harness.ingest(now: "2026-11-20T16:00:00-05:00")
        for moment in ["2026-11-20T23:00:00-05:00", "2026-11-22T12:00:00-05:00", "2026-11-23T08:59:59-05:00"] {
            #expect(try await escalations(harness, now: moment).isEmpty, "not breached at \(moment)")
        }
        let list = await harness.run(["list", "--json"], now: "2026-11-23T09:00:00-05:00")
        #expect((list.json as? [[String: Any]])?.first?["deadline"] as? String == "2026-11-23T09:00:00-05:00")
        let breached = try await escalations(harness, now: "2026-11-23T09:00:00-05:00")
        #expect(breached.map { $0["reason"] as? String } == ["breach"])
        _ = await harness.run(["list"], now: "2026-11-23T11:00:00-05:00")
        #expect(try await escalations(harness, now: "2026-11-23T11:00:00-05:00").count == 1, "raised once")
    }

    @Test("staff escalate; the owner acknowledges and resolves; the resolution is shown on the callback")
    func ackAndResolve() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, slot: "msg0000", callerid: "\"Sam\" <5556667777>", at: friday1600)
        _ = try await harness.ingest(now: "2026-11-20T16:00:00-05:00")
        let now = "2026-11-20T16:10:00-05:00"
        let claimed = await harness.run(["next", "--as", "alice", "--json"], now: now)
        let callbackID = try #require((claimed.json as? [String: Any])?["id"] as? Int)
        let escalate = await harness.run(["escalate", String(callbackID), "--as", "alice", "--reason", "Wants a refund"], now: now)
        #expect(escalate.status == 0, "\(escalate.errors)")
        let open = try await escalations(harness, now: now)
        let id = try #require(open.first?["id"] as? Int)
        #expect(open.first?["reason"] as? String == "staff")
        #expect(open.first?["state"] as? String == "open")
        let ack = await harness.run(["escalations", "ack", String(id), "--as", "owner"], now: now)
        #expect(ack.output == "Escalation #\(id) acknowledged.")
        let twice = await harness.run(["escalations", "ack", String(id), "--as", "owner"], now: now)
        #expect(twice.errors == "Error: escalation #\(id) is already acknowledged")
        let resolve = await harness.run(["escalations", "resolve", String(id), "--as", "owner", "--note", "Refunded $40, apologised"], now: now)
        #expect(resolve.status == 0)
        #expect(try await escalations(harness, now: now).isEmpty, "resolved ones leave the list")
        let all = await harness.run(["escalations", "list", "--all", "--json"], now: now)
        let resolved = try #require((all.json as? [[String: Any]])?.first)
        #expect(resolved["state"] as? String == "resolved")
        #expect(resolved["resolution"] as? String == "Refunded $40, apologised")
        let show = await harness.run(["show", String(callbackID)], now: now)
        #expect(show.output.contains("resolved by owner (Refunded $40, apologised)"))
        #expect(show.output.contains("escalated by alice (staff: Wants a refund)"))
    }
}
