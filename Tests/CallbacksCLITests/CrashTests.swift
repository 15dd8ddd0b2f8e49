import Foundation
import Testing

@Suite("Ingest killed at random points")
struct CrashTests {
    @Test("SIGKILL many times mid-ingest: every message ends up stored exactly once with all its files archived")
    func killedAndRestarted() async throws {
        let binary = ConcurrentNextTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the binary first (make test does)")
        let harness = try Harness()
        let formats = [["speech.wav", "speech-wav49.WAV"], ["speech.gsm"], ["speech.wav"], ["speech-wav49.WAV", "speech.gsm"]]
        let count = 120
        var expectedFiles = 0
        for index in 0..<count {
            let folder = "default/\(1000 + index % 6)/INBOX"
            let slot = String(format: "msg%04d", index / 6)
            for fixture in formats[index % formats.count] {
                let ext = URL(fileURLWithPath: fixture).pathExtension
                try harness.put("\(folder)/\(slot).\(ext)", copying: fixture)
                // Make every message's audio unique, as real ones are.
                let handle = try FileHandle(forWritingTo: harness.spool.appendingPathComponent("\(folder)/\(slot).\(ext)"))
                try handle.seekToEnd()
                try handle.write(contentsOf: Data("\(index)".utf8))
                try handle.close()
                expectedFiles += 1
            }
            try harness.put("\(folder)/\(slot).txt", text: Harness.txt(callerid: "<555200\(String(format: "%04d", index))>", origtime: 1_795_280_400 + index, msgID: "1795280400-\(index)"))
            expectedFiles += 1
        }

        let environment = [
            "CALLBACKS_CONFIG": harness.root.appendingPathComponent("callbacks.yaml").path,
            "CALLBACKS_NOW": "2026-11-23T08:05:00-05:00",
        ]
        var random = SystemRandomNumberGenerator()
        var kills = 0
        for _ in 0..<40 where !harness.files(under: harness.spool).isEmpty {
            let process = Process()
            process.executableURL = binary
            process.arguments = ["ingest"]
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // A blocking sleep: under a busy test run the cooperative pool may wake a
            // Task.sleep far too late, and the child would finish before it is killed.
            usleep(UInt32(Int.random(in: 1_000...30_000, using: &random)))
            // (isRunning lags behind on Linux; how the child ended says whether it was killed.)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { kills += 1 }
        }
        // Then a clean run finishes whatever is left.
        let final = await harness.run(["ingest", "--json"])
        #expect(final.status == 0, "\(final.errors)")
        #expect(kills >= 8, "the ingest was actually interrupted (\(kills) kills)")

        #expect(harness.files(under: harness.spool).isEmpty, "nothing left in the spool")
        #expect(harness.files(under: harness.quarantine).isEmpty, "nothing quarantined")
        let messages = try await harness.messages()
        #expect(messages.count == count, "every message stored")
        #expect(Set(messages.compactMap { $0["id"] as? Int }).count == count, "none twice")
        let archived = harness.files(under: harness.archive)
        #expect(archived.count == expectedFiles, "every file archived once")
        for message in messages {
            let audio = try #require(message["audio"] as? String)
            #expect(FileManager.default.fileExists(atPath: audio))
        }
    }
}
