import Domain
import SQLiteStore
import Foundation
import TestSupport
import Testing

/// Seeds callbacks straight into the harness's database: one per number, deadline in
/// minutes after `base` (Saturday 2026-11-21 12:00 in New York).
func seed(_ harness: Harness, count: Int, base: Date = Date(timeIntervalSince1970: 1_795_280_400)) throws {
    let store = try SQLiteStore(path: harness.root.appendingPathComponent("afterhours.sqlite").path)
    for index in 0..<count {
        let voicemail = Voicemail(
            identity: "seed/\(index)", receivedAt: base.addingTimeInterval(Double(-index * 60)), mailbox: "1001",
            context: "default", folder: "INBOX", urgent: false,
            caller: Caller(name: "Caller \(index)", number: PhoneNumber(e164: "+1555\(String(format: "%07d", index))"), rawNumber: nil),
            pbxMessageID: nil, audio: nil, audioError: nil)
        // Promised from Monday 10:00 on, a minute apart: not yet breached at 08:05.
        let deadline = Date(timeIntervalSince1970: 1_795_446_000 + Double(index * 60))
        _ = try store.record(voicemail, deadline: deadline, queue: true, at: base, actor: "seed", audioPath: { _ in nil })
    }
}

@Suite("The staff morning")
struct StaffMorningTests {
    // Monday 2026-11-23, Acme hours Mon–Fri 08:00–17:00 New York.
    let monday0805 = "2026-11-23T08:05:00-05:00"

    @Test("a claim lapses after claim_lease and the callback goes to the next person, with the lapse in its history")
    func leaseExpiry() async throws {
        let harness = try Harness()
        try seed(harness, count: 1)
        let alice = await harness.run(["next", "--as", "alice", "--json"], now: monday0805)
        let id = try #require((alice.json as? [String: Any])?["id"] as? Int)
        let early = await harness.run(["next", "--as", "bob", "--json"], now: "2026-11-23T08:34:59-05:00")
        #expect(early.output == "null", "still alice's for 30 minutes")
        let bob = await harness.run(["next", "--as", "bob", "--json"], now: "2026-11-23T08:35:00-05:00")
        #expect((bob.json as? [String: Any])?["id"] as? Int == id)
        #expect((bob.json as? [String: Any])?["claimed_by"] as? String == "bob")
        let lateDone = await harness.run(["done", String(id), "--as", "alice"], now: "2026-11-23T08:36:00-05:00")
        #expect(lateDone.status != 0)
        #expect(lateDone.errors.contains("claimed by bob"))
        let show = await harness.run(["show", String(id), "--json"], now: "2026-11-23T08:36:00-05:00")
        let kinds = ((show.json as? [String: Any])?["history"] as? [[String: Any]])?.map { $0["kind"] as? String }
        #expect(kinds == ["ingested", "claimed", "lapsed", "claimed"])
    }

    @Test("no-answer waits retry_after of business time, across a closed night")
    func retryAcrossNight() async throws {
        let harness = try Harness()
        try seed(harness, count: 1)
        let claimed = await harness.run(["next", "--as", "alice", "--json"], now: "2026-11-23T16:30:00-05:00")
        let id = try #require((claimed.json as? [String: Any])?["id"] as? Int)
        let attempt = await harness.run(["no-answer", String(id), "--as", "alice", "--note", "rang out"], now: "2026-11-23T16:30:00-05:00")
        #expect(attempt.status == 0, "\(attempt.errors)")
        // retry_after defaults to 1h: 30 minutes tonight, 30 tomorrow morning.
        #expect(attempt.output.contains("back in the queue tomorrow at 08:30"))
        let night = await harness.run(["next", "--as", "bob", "--json"], now: "2026-11-24T08:29:59-05:00")
        #expect(night.output == "null")
        let waiting = await harness.run(["list", "--all", "--json"], now: "2026-11-24T08:29:59-05:00")
        #expect((waiting.json as? [[String: Any]])?.first?["status"] as? String == "waiting")
        let morning = await harness.run(["next", "--as", "bob", "--json"], now: "2026-11-24T08:30:00-05:00")
        let object = try #require(morning.json as? [String: Any])
        #expect(object["id"] as? Int == id)
        #expect(object["attempts"] as? Int == 1)
    }

    @Test("max_attempts escalates; escalated callbacks are served first")
    func maxAttempts() async throws {
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "  claim_lease: 30m", with: "  claim_lease: 30m\n  max_attempts: 2"))
        try seed(harness, count: 3)
        let times = ["2026-11-23T09:00:00-05:00", "2026-11-23T11:00:00-05:00"]
        let first = await harness.run(["next", "--as", "alice", "--json"], now: times[0])
        let id = try #require((first.json as? [String: Any])?["id"] as? Int)
        _ = await harness.run(["no-answer", String(id), "--as", "alice"], now: times[0])
        let second = await harness.run(["next", "--as", "alice", "--json"], now: times[1])
        #expect((second.json as? [String: Any])?["id"] as? Int == id, "its retry came first: earliest deadline")
        let final = await harness.run(["no-answer", String(id), "--as", "alice"], now: times[1])
        #expect(final.output.contains("Escalated to the owner after 2 attempts"))
        let show = await harness.run(["show", String(id), "--json"], now: times[1])
        let shown = try #require(show.json as? [String: Any])
        #expect(shown["escalated"] as? Bool == true)
        let history = try #require(shown["history"] as? [[String: Any]])
        #expect(history.last?["kind"] as? String == "escalated")
        #expect(history.last?["note"] as? String == "max_attempts: 2 attempts without reaching the caller")
        let list = await harness.run(["list", "--json"], now: "2026-11-23T13:00:00-05:00")
        #expect((list.json as? [[String: Any]])?.first?["id"] as? Int == id, "escalated first")
    }

    @Test("outcomes on closed or foreign-claimed callbacks are refused; release gives a claim back")
    func refusals() async throws {
        let harness = try Harness()
        try seed(harness, count: 2)
        let claimed = await harness.run(["next", "--as", "alice", "--json"], now: monday0805)
        let id = try #require((claimed.json as? [String: Any])?["id"] as? Int)
        let foreign = await harness.run(["no-answer", String(id), "--as", "bob"], now: monday0805)
        #expect(foreign.errors == "Error: callback #\(id) is claimed by alice; use --force to record it anyway")
        let release = await harness.run(["release", String(id), "--as", "bob"], now: monday0805)
        #expect(release.status != 0)
        let released = await harness.run(["release", String(id), "--as", "alice"], now: monday0805)
        #expect(released.output == "Callback #\(id) is back in the queue.")
        let again = await harness.run(["next", "--as", "bob", "--json"], now: monday0805)
        #expect((again.json as? [String: Any])?["id"] as? Int == id, "released callbacks keep their place")
        let forced = await harness.run(["done", String(id), "--as", "carol", "--force", "--note", "called from my mobile"], now: monday0805)
        #expect(forced.status == 0)
        for command in [["done", String(id)], ["no-answer", String(id)], ["escalate", String(id), "--reason", "x"]] {
            let refused = await harness.run(command + ["--as", "carol"], now: monday0805)
            #expect(refused.errors == "Error: callback #\(id) is already done", "\(command)")
        }
        let history = await harness.run(["show", String(id)], now: monday0805)
        #expect(history.output.contains("released by alice"))
        #expect(history.output.contains("done by carol (called from my mobile; --force over bob's claim)"), "the override is in the history")
    }

    @Test("stats: the queue now and promises kept")
    func stats() async throws {
        let harness = try Harness()
        try seed(harness, count: 3)
        let base = "2026-11-23T08:05:00-05:00"
        let first = await harness.run(["next", "--as", "alice", "--json"], now: base)
        let id = try #require((first.json as? [String: Any])?["id"] as? Int)
        _ = await harness.run(["done", String(id), "--as", "alice"], now: base)
        _ = await harness.run(["next", "--as", "bob"], now: base)
        let stats = await harness.run(["stats", "--json"], now: base)
        let object = try #require(stats.json as? [String: Any])
        #expect(object["open"] as? Int == 1)
        #expect(object["claimed"] as? Int == 1)
        #expect(object["done_today"] as? Int == 1)
        #expect(object["overdue"] as? Int == 0, "promised from 10:00")
        let later = await harness.run(["stats", "--json"], now: "2026-11-23T10:01:30-05:00")
        #expect((later.json as? [String: Any])?["overdue"] as? Int == 1, "bob's 10:01 promise passed; 10:00 was kept, 10:02 is still ahead")
    }
}

@Suite("Many people running `callbacks next` at once")
struct ConcurrentNextTests {
    /// The `callbacks` SwiftPM built beside this test runner.
    static let binary = Built.product("callbacks")

    @Test("separate processes on one database file never get the same callback, and none is skipped")
    func noDoubleClaims() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the binary first (make test does)")
        let harness = try Harness()
        let count = 60
        try seed(harness, count: count)
        let environment = [
            "CALLBACKS_CONFIG": harness.root.appendingPathComponent("callbacks.yaml").path,
            "CALLBACKS_NOW": "2026-11-23T08:05:00-05:00",
        ]
        let claims = try await withThrowingTaskGroup(of: [Int].self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var mine: [Int] = []
                    while true {
                        let process = Process()
                        process.executableURL = Self.binary
                        process.arguments = ["next", "--as", "worker\(worker)", "--json"]
                        process.environment = environment
                        let pipe = Pipe()
                        process.standardOutput = pipe
                        try process.run()
                        let data = pipe.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
                        guard let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any],
                            let id = object["id"] as? Int
                        else { return mine }
                        mine.append(id)
                    }
                }
            }
            var all: [Int] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(claims.count == count, "every callback handed out exactly once")
        #expect(Set(claims).count == count, "no callback handed out twice")
    }
}
