import Foundation
import Testing

@Suite("The opening line greets callers by name only when it is one")
struct OpeningLineTests {
    @Test("`show` greets by the name a person would use, keeps a Caller ID name as received, and no placeholder as a name")
    func greetingNames() async throws {
        let harness = try Harness()
        let callers: [(name: String, number: String, greeting: String, placeholder: Bool)] = [
            ("WIRELESS CALLER", "2125550101", "Hi, this is Alice", true),
            ("Anonymous", "2125550102", "Hi, this is Alice", true),
            ("Unavailable", "2125550103", "Hi, this is Alice", true),
            ("2125550104", "2125550104", "Hi, this is Alice", true),
            ("No CID", "2125550111", "Hi, this is Alice", true),
            ("CID unavailable", "2125550112", "Hi, this is Alice", true),
            ("Dr.", "2125550105", "Hi, this is Alice", false),
            ("SMITH JOHN", "2125550106", "Hi, this is Alice", false),
            ("BROOKLYN    NY", "2125550107", "Hi, this is Alice", false),
            ("Joe's Pizza LLC", "2125550108", "Hi, this is Alice", false),
            ("Alarm Monitoring", "2125550113", "Hi, this is Alice", false),
            ("Front Gate", "2125550114", "Hi, this is Alice", false),
            ("Dr. Priya Patel", "2125550109", "Hi Dr. Patel, this is Alice", false),
            ("Jane O'Brien", "2125550110", "Hi Jane, this is Alice", false),
        ]
        for (index, caller) in callers.enumerated() {
            try harness.put("call-\(index).wav", copying: "speech.wav")
            try harness.put(
                "call-\(index).json",
                text: #"{"caller_number": "\#(caller.number)", "caller_name": "\#(caller.name)", "received_at": "2026-11-20T18:00:00-05:00"}"#)
        }
        let summary = try await harness.ingest()
        #expect(summary["ingested"] as? Int == callers.count)

        let list = await harness.run(["list", "--json"])
        let queue = try #require(list.json as? [[String: Any]])
        for caller in callers {
            let entry = try #require(queue.first { (($0["caller"] as? [String: Any])?["number"] as? String) == "+1" + caller.number })
            let stored = (entry["caller"] as? [String: Any])?["name"]
            if caller.placeholder {
                #expect(stored is NSNull, "a placeholder is not kept as a name: \(caller.name)")
            } else {
                #expect(stored as? String == caller.name, "stored exactly as received")
            }
            let id = try #require(entry["id"] as? Int)
            let shown = await harness.run(["show", String(id), "--as", "alice"])
            #expect(shown.status == 0, "\(shown.errors)")
            #expect(
                shown.output.contains("Say: \(caller.greeting) from Acme Plumbing, returning your call from Friday evening."),
                "\(caller.name): \(shown.output)")
            if caller.placeholder {
                #expect(shown.output.hasPrefix("Caller  "), "\(caller.name): \(shown.output)")
            } else {
                #expect(shown.output.contains(caller.name), "staff still see the name as received")
            }
        }
    }
}
