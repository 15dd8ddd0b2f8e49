import CallbacksCLI
import Foundation
import Testing

@Suite("Arguments as people write them")
struct ArgumentTests {
    @Test(
        "a number below 1 is refused as such by every command taking one, wherever it is written",
        arguments: [
            (["show", "-1"], "-1 is not a callback number"),
            (["show", "--json", "-1"], "-1 is not a callback number"),
            (["show", "0"], "0 is not a callback number"),
            (["done", "-1", "--note", "reached"], "-1 is not a callback number"),
            (["no-answer", "-2"], "-2 is not a callback number"),
            (["release", "-1", "--force"], "-1 is not a callback number"),
            (["escalate", "--reason", "refund", "-1"], "-1 is not a callback number"),
            (["escalations", "show", "-1"], "-1 is not an escalation number"),
            (["escalations", "ack", "0"], "0 is not an escalation number"),
            (["escalations", "resolve", "-3", "--note", "done"], "-3 is not an escalation number"),
        ])
    func numbersBelowOne(_ arguments: [String], expected: String) async throws {
        let harness = try Harness()
        let result = await harness.run(arguments)
        #expect(result.status == 64)
        #expect(result.errors.hasPrefix("Error: \(expected): numbers start at 1"), "got: \(result.errors)")
        #expect(!result.errors.contains("Missing expected argument"))
    }

    @Test("stats and list refuse periods and limits below 1")
    func periods() async throws {
        let harness = try Harness()
        let zero = await harness.run(["stats", "--days", "0"])
        #expect(zero.status == 64)
        #expect(zero.errors.hasPrefix("Error: --days 0 is not a period: give 1 to 3660 days"), "got: \(zero.errors)")
        #expect(zero.output.isEmpty)
        let negative = await harness.run(["stats", "--days=-3"])
        #expect(negative.errors.hasPrefix("Error: --days -3 is not a period"), "got: \(negative.errors)")
        #expect(await harness.run(["stats", "--days", "1"]).status == 0)
        let limit = await harness.run(["list", "--limit", "0"])
        #expect(limit.status == 64)
        #expect(limit.errors.hasPrefix("Error: --limit 0 would show nothing"), "got: \(limit.errors)")
    }

    @Test("global options are read before the subcommand too")
    func globalOptionsFirst() async throws {
        let harness = try Harness()
        try harness.copyExampleSpool()
        #expect(await harness.run(["ingest"]).status == 0)
        let next = await harness.run(["--as", "alice", "--json", "next"])
        #expect(next.status == 0, "\(next.errors)")
        let callback = try #require(next.json as? [String: Any], "printed: \(next.output)")
        #expect(callback["claimed_by"] as? String == "alice")
        let nested = await harness.run(["--json", "escalations", "list", "--all"])
        #expect(nested.status == 0, "\(nested.errors)")
        #expect(nested.json is [Any])

        // --config before the subcommand wins over $CALLBACKS_CONFIG, in both spellings.
        let london = harness.root.appendingPathComponent("london.yaml")
        try "business:\n  timezone: Europe/London\n".write(to: london, atomically: true, encoding: .utf8)
        for arguments in [["--config", london.path], ["--config=\(london.path)"]] {
            let status = await harness.run(arguments + ["hours", "status", "--at", "2026-11-23T12:00:00Z"])
            #expect(status.output == "Open at 2026-11-23T12:00:00Z until 2026-11-23T17:00:00Z.", "\(status.errors)")
        }
    }

    @Test("--version prints the version, on standard output")
    func version() async throws {
        let harness = try Harness()
        let result = await harness.run(["--version"])
        #expect(result.status == 0)
        #expect(result.output == CallbacksCommand.version)
        #expect(CallbacksCommand.version == "0.2.0")
    }

    @Test("an unknown CALLBACKS_LOG_LEVEL is refused with the valid levels, by every command")
    func logLevel() async throws {
        let harness = try Harness()
        for arguments in [["list"], ["ingest"], ["serve"]] {
            let result = await harness.run(arguments, environment: ["CALLBACKS_LOG_LEVEL": "loud"])
            #expect(result.status == 1)
            #expect(
                result.errors
                    == "Error: CALLBACKS_LOG_LEVEL \"loud\" is not a log level: use trace, debug, info, notice, warning, error or critical")
        }
        for level in ["debug", ""] {
            #expect(await harness.run(["list"], environment: ["CALLBACKS_LOG_LEVEL": level]).status == 0)
        }
    }
}
