import Foundation
import TestSupport
import Testing

/// Promises at the command line (docs/promises.md): what ingest promises, what the
/// greeting then says, what `list` marks at risk, and `simulate` on a file written by hand.
@Suite("Promises at the command line")
struct PromiseCommandTests {
    static let staffed = Harness.acme + """

        staffing:
          handling: 30m
        """
    /// Saturday 2026-11-21 10:20 in New York (the deadline of a message then: Monday 10:00).
    static let saturday = 1_795_288_800

    @Test("twelve fresh weekend messages: the first three promised the deadline, the rest later by the forecast; the greeting offers what a thirteenth would get; on Monday at 09:00 with nobody calling, later ones are at risk")
    func ingestPromisesAndGreeting() async throws {
        let harness = try Harness(config: Self.staffed)
        for index in 0..<12 {
            try harness.drop(
                index: index, folder: "default/1001/INBOX", callerid: "\"Caller \(index)\" <212555\(1000 + index)>", origtime: Self.saturday + index * 30)
        }
        let ingest = await harness.run(["ingest"], now: "2026-11-21T10:30:00-05:00")
        #expect(ingest.status == 0, "\(ingest.errors)")

        let list = await harness.run(["list", "--json"], now: "2026-11-21T10:31:00-05:00")
        let callbacks = try #require(list.json as? [[String: Any]])
        #expect(callbacks.count == 12)
        // One person from 08:00, 30 ± 15 minutes a call: the k-th starts by
        // 30k + 1.645·15·√k minutes after 08:00 at the latest.
        let promised = callbacks.compactMap { $0["promised_by"] as? String }
        // k = 3: 90 + 42.7 minutes → 10:12.7 → 10:15; k = 11: 330 + 81.8 → 14:51.8 → 15:00.
        #expect(promised.prefix(4) == ["2026-11-23T10:00:00-05:00", "2026-11-23T10:00:00-05:00", "2026-11-23T10:00:00-05:00", "2026-11-23T10:15:00-05:00"])
        #expect(promised.last == "2026-11-23T15:00:00-05:00")
        #expect(callbacks.allSatisfy { $0["deadline"] as? String == "2026-11-23T10:00:00-05:00" && $0["at_risk"] as? Bool == false })

        // The thirteenth: 360 + 1.645·15·√12 = 445 minutes after 08:00 → 15:30.
        let greeting = await harness.run(["greeting", "--json"], now: "2026-11-21T10:31:00-05:00")
        let words = try #require(greeting.json as? [String: Any])
        #expect(words["callback_by"] as? String == "2026-11-23T15:30:00-05:00")

        // Monday 09:00 and nobody has called anyone yet: an hour of the forecast is gone.
        let late = await harness.run(["list", "--at-risk", "--json"], now: "2026-11-23T09:00:00-05:00")
        let atRisk = try #require(late.json as? [[String: Any]])
        #expect(!atRisk.isEmpty && atRisk.count < 12)
        #expect(atRisk.allSatisfy { $0["at_risk"] as? Bool == true && $0["forecast_at"] is String })
        let text = await harness.run(["list"], now: "2026-11-23T09:00:00-05:00")
        #expect(text.output.contains("at risk"))
    }

    @Test("simulate on a file written by hand: the answer worked out by hand, as JSON and as a table")
    func simulate() async throws {
        let harness = try Harness()
        let arrivals = Harness.fixtures.appendingPathComponent("arrivals/weekend.csv").path
        let staffing = Harness.fixtures.appendingPathComponent("arrivals/staffing-two.yaml").path
        let result = await harness.run(["simulate", arrivals, "--staffing", staffing, "--json"])
        #expect(result.status == 0, "\(result.errors)")
        let policies = try #require((result.json as? [String: Any])?["policies"] as? [[String: Any]])
        #expect(policies.map { Set($0.keys) } == Array(repeating: ["policy", "promises", "kept", "kept_ratio", "moved", "median_slack_minutes", "p95_late_minutes", "at_sla"], count: 2))
        // Two people from 09:00, the deadline 10:00: six calls start by then, four after
        // (10:30 twice, 11:00 twice).
        let fixed = policies[0]
        #expect(fixed["policy"] as? String == "fixed" && fixed["promises"] as? Int == 10 && fixed["kept"] as? Int == 6)
        #expect(fixed["p95_late_minutes"] as? Double == 60 && fixed["median_slack_minutes"] is NSNull && fixed["at_sla"] as? Int == 10)
        // Promised 10:00, 10:00, 10:00, 10:15, 10:30, 10:45, 11:15, 11:30, 11:45, 12:00.
        let capacity = policies[1]
        #expect(capacity["policy"] as? String == "capacity" && capacity["kept"] as? Int == 10 && capacity["at_sla"] as? Int == 3)
        #expect(capacity["median_slack_minutes"] as? Double == 45 && capacity["p95_late_minutes"] is NSNull)

        let table = await harness.run(["simulate", arrivals, "--staffing", staffing, "--policy", "capacity"])
        #expect(table.output.contains("promises kept") && table.output.contains("10 (100.0 %)") && !table.output.contains("fixed"))

        let bad = harness.root.appendingPathComponent("bad.csv")
        try "received_at,caller_number,urgent,handling_minutes\n2026-11-21T10:00:00-05:00,+12125551000,false,-3\n".write(to: bad, atomically: true, encoding: .utf8)
        let refused = await harness.run(["simulate", bad.path])
        #expect(refused.status == 1 && refused.output.isEmpty)
        #expect(refused.errors.contains("bad.csv:2: handling_minutes: -3 is negative"))
    }
}
