import Foundation
import Testing

@Suite("From the spool to `callbacks next`")
struct SpoolToNextTests {
    @Test("the example spool becomes a queue staff can work through")
    func exampleSpool() async throws {
        let harness = try Harness()
        try harness.copyExampleSpool()

        let ingest = await harness.run(["ingest", "--json"])
        #expect(ingest.status == 0, "\(ingest.errors)")
        let summary = try #require(ingest.json as? [String: Any])
        #expect(summary["ingested"] as? Int == 6)
        #expect(summary["duplicates"] as? Int == 0)
        #expect(summary["quarantined"] as? Int == 0)
        #expect(summary["incomplete"] as? Int == 0)
        let left = try #require(summary["left_behind"] as? [[String: String]])
        #expect(left.map { URL(fileURLWithPath: $0["path"] ?? "").lastPathComponent } == ["unavail.wav"])

        // Stored first, then moved: nothing but the greeting is left in the spool.
        #expect(harness.files(under: harness.spool) == ["default/1001/unavail.wav"])
        #expect(harness.files(under: harness.archive).count == 13)

        // Ingesting again finds nothing new.
        let again = await harness.run(["ingest", "--json"])
        #expect((again.json as? [String: Any])?["ingested"] as? Int == 0)

        let list = await harness.run(["list", "--json"])
        let queue = try #require(list.json as? [[String: Any]])
        let callers = queue.map { (($0["caller"] as? [String: Any])?["number"] as? String) ?? "anonymous" }
        #expect(callers == ["+12125550199", "+15551234567", "+16175550123", "anonymous", "+12125550147"])
        let bob = try #require(queue.first)
        #expect(bob["urgent"] as? Bool == true)
        #expect(bob["deadline"] as? String == "2026-11-23T08:30:00-05:00", "urgent: 30m of business time from Monday's opening")
        let jane = queue[1]
        #expect(jane["deadline"] as? String == "2026-11-23T10:00:00-05:00")
        #expect((jane["caller"] as? [String: Any])?["name"] as? String == "Jane \"JJ\" O'Brien", "escaped quotes in a Caller ID name")
        let janeMessages = try #require(jane["messages"] as? [[String: Any]])
        #expect(janeMessages.map { $0["mailbox"] as? String } == ["1001", "1002"], "both of Jane's messages, one callback")
        for message in janeMessages {
            let audio = try #require(message["audio"] as? String)
            #expect(FileManager.default.fileExists(atPath: audio))
            #expect((message["duration_seconds"] as? Double ?? 0) > 1)
            #expect(message["sample_rate"] as? Int == 8000)
            #expect(message["silent"] as? Bool == false)
        }
        let hangUp = try #require((queue[4]["messages"] as? [[String: Any]])?.first)
        #expect(hangUp["silent"] as? Bool == true)

        let first = await harness.run(["next", "--as", "alice", "--json"])
        let claimed = try #require(first.json as? [String: Any])
        #expect(claimed["id"] as? Int == bob["id"] as? Int)
        #expect(claimed["status"] as? String == "claimed")
        #expect(claimed["claimed_by"] as? String == "alice")

        let second = await harness.run(["next", "--as", "bob"])
        #expect(second.status == 0)
        #expect(second.output.contains("Jane \"JJ\" O'Brien  (555) 123-4567"))
        #expect(second.output.contains("Due in 1h 55m"))
        #expect(second.output.contains("2 messages:"))
        #expect(second.output.contains("Due in 1h 55m (by Mon Nov 23 10:00)"))
        #expect(second.output.contains("Say: Hi Jane, this is Bob from Acme Plumbing, returning your call from Friday evening."))

        let janeID = try #require(jane["id"] as? Int)
        let done = await harness.run(["done", String(janeID), "--as", "bob", "--note", "Fixed the sink on Tuesday"])
        #expect(done.status == 0, "\(done.errors)")
        let twice = await harness.run(["done", String(janeID), "--as", "bob"])
        #expect(twice.status != 0)
        #expect(twice.errors.contains("callback #\(janeID) is already done"))

        let show = await harness.run(["show", String(janeID), "--json"])
        let shown = try #require(show.json as? [String: Any])
        #expect(shown["status"] as? String == "done")
        let history = try #require(shown["history"] as? [[String: Any]])
        #expect(history.map { $0["kind"] as? String } == ["ingested", "ingested", "claimed", "done"])
        #expect(history.last?["note"] as? String == "Fixed the sink on Tuesday")
        #expect(history.last?["actor"] as? String == "bob")
    }

    @Test("a message that reappears in the spool is stored once, and its files still leave")
    func reappearingMessage() async throws {
        let harness = try Harness()
        try harness.copyExampleSpool()
        _ = await harness.run(["ingest"])
        try harness.copyExampleSpool()
        let again = await harness.run(["ingest", "--json"])
        let summary = try #require(again.json as? [String: Any])
        #expect(summary["ingested"] as? Int == 0)
        #expect(summary["duplicates"] as? Int == 6)
        #expect(harness.files(under: harness.spool) == ["default/1001/unavail.wav"])
        let list = await harness.run(["list", "--json"])
        #expect((list.json as? [[String: Any]])?.flatMap { $0["messages"] as? [Any] ?? [] }.count == 6)
    }

    @Test("nothing to call back")
    func emptyQueue() async throws {
        let harness = try Harness()
        let text = await harness.run(["next"])
        #expect(text.status == 0)
        #expect(text.output == "Nothing to call back.")
        let json = await harness.run(["next", "--json"])
        #expect(json.output == "null")
    }

    @Test("errors are one sentence on stderr with a non-zero exit")
    func errors() async throws {
        let harness = try Harness()
        let missing = await harness.run(["show", "42"])
        #expect(missing.status != 0)
        #expect(missing.errors == "Error: there is no callback #42")
        let badClock = await harness.run(["list"], now: "yesterday")
        #expect(badClock.status != 0)
        #expect(badClock.errors.contains("CALLBACKS_NOW=yesterday is not an ISO 8601 time"))
        let badConfig = try Harness(config: "callbacks:\n  max_attempts: none\n")
        let refused = await badConfig.run(["list"])
        #expect(refused.status != 0)
        #expect(refused.errors.contains("callbacks.yaml:2: callbacks.max_attempts: \"none\" should be a whole number above 0"))
    }
}
