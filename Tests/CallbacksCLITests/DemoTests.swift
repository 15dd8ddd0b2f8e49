import Foundation
import Testing

@Suite("The demo `make run` shows")
struct DemoTests {
    @Test("runs the same script as make run and prints a non-empty queue, whatever today's date")
    func demoShowsAQueue() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ConcurrentNextTests.binary.path), "build the binary first (make test does)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (text, status) = try Harness.runScript("demo.sh", [ConcurrentNextTests.binary.path, folder.path])
        #expect(status == 0, "\(text)")

        #expect(!text.contains("Nothing to call back."), "\(text)")
        // Each section of the demo, after its command line.
        let list = try #require(text.components(separatedBy: "$ callbacks list\n").last)
            .components(separatedBy: "\n\n").first ?? ""
        #expect(list.split(separator: "\n").count >= 3, "several callbacks queued:\n\(list)")
        #expect(text.contains("ingested voicemail"), "the service log shows each message")
        let json = try #require(text.components(separatedBy: "$ callbacks next --as bob --json\n").last)
            .components(separatedBy: "\n\n").first ?? ""
        let bob = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(bob["claimed_by"] as? String == "bob")
        #expect((bob["deadline"] as? String)?.hasPrefix("2026-11-23T") == true, "deadlines from the demo's own Monday")
    }
}
