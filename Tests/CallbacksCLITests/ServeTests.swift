import Foundation
import Testing

@Suite("callbacks serve")
struct ServeTests {
    @Test("watches the spool, ingests messages as they settle, logs each in one line, and stops cleanly on SIGTERM")
    func watchesAndStops() async throws {
        let binary = ConcurrentNextTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the binary first (make test does)")
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "  settle: 0s", with: "  settle: 1s"))
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve"]
        process.environment = harness.serveEnvironment
        let log = Pipe()
        process.standardError = log
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        try await Task.sleep(for: .milliseconds(500))
        // A message arrives the way Asterisk writes it: audio first, the .txt last, into a
        // folder that did not exist when the service started.
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Ann\" <5551234567>", origtime: 1_795_280_400))

        var stored = false
        for _ in 0..<50 where !stored {
            try await Task.sleep(for: .milliseconds(200))
            let list = await harness.run(["list", "--json"])
            stored = (list.json as? [[String: Any]])?.count == 1
        }
        #expect(stored, "ingested within 10 seconds")
        #expect(harness.files(under: harness.spool).isEmpty)

        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        let output = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let ingestedLines = output.split(separator: "\n").filter { $0.contains("ingested voicemail") }
        #expect(ingestedLines.count == 1)
        #expect(ingestedLines.first?.contains("caller.number=+15551234567") == true)
        #expect(output.contains("stopped watching the spool"))
    }
}
