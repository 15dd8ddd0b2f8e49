import Foundation
import Testing

@Suite("callbacks hours")
struct HoursCommandTests {
    @Test("deadline for a message left on Friday evening, as text and JSON")
    func deadline() async throws {
        let harness = try Harness()
        let text = await harness.run(["hours", "deadline", "--from", "2026-11-20T17:35:00-05:00"])
        #expect(text.output == "2026-11-23T10:00:00-05:00")
        let json = await harness.run(["hours", "deadline", "--from", "2026-11-20T22:35:00Z", "--within", "30m", "--json"])
        let object = try #require(json.json as? [String: Any])
        #expect(object["from"] as? String == "2026-11-20T17:35:00-05:00")
        #expect(object["within_seconds"] as? Int == 1800)
        #expect(object["deadline"] as? String == "2026-11-23T08:30:00-05:00")
        let bad = await harness.run(["hours", "deadline", "--from", "2026-11-20T17:35:00-05:00", "--within", "2 days"])
        #expect(bad.status != 0)
        #expect(bad.errors.contains("--within \"2 days\" is not a duration"))
    }

    @Test("status says open or closed and until when")
    func status() async throws {
        let harness = try Harness()
        let closed = await harness.run(["hours", "status", "--at", "2026-11-21T12:00:00-05:00"])
        #expect(closed.output == "Closed at 2026-11-21T12:00:00-05:00 until 2026-11-23T08:00:00-05:00.")
        let open = await harness.run(["hours", "status", "--json"])
        let object = try #require(open.json as? [String: Any])
        #expect(object["open"] as? Bool == true)
        #expect(object["changes_at"] as? String == "2026-11-23T17:00:00-05:00")
    }
}
