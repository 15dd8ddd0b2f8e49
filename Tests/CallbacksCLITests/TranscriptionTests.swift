import Domain
import Foundation
import GRDB
import Testing

/// The transcription stage with the real transcriber (Whisper tiny.en through
/// faster-whisper), installed by `make test` into the project's `.venv`.
@Suite("Transcripts", .serialized)
struct TranscriptionTests {
    /// The Python with the transcriber: the project's own environment (or, for a developer's
    /// other environment, $AFTERHOURS_TEST_PYTHON).
    static let python: String = ProcessInfo.processInfo.environment["AFTERHOURS_TEST_PYTHON"]
        ?? Harness.fixtures.deletingLastPathComponent().appendingPathComponent(".venv/bin/python").path

    static func config(threads: Int = 1) -> String {
        Harness.acme + """

            transcription:
              python: \(python)
              threads: \(threads)
            """
    }

    /// Every message's transcript work, by id.
    static func work(_ harness: Harness) throws -> [Int64: (status: String, text: String?, error: String?, attempts: Int, leased: Bool)] {
        let path = harness.root.appendingPathComponent("afterhours.sqlite").path
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        var readOnly = GRDB.Configuration()
        readOnly.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: readOnly)
        return try queue.read { db in
            var work: [Int64: (String, String?, String?, Int, Bool)] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT id, transcript_status, transcript, transcript_error, transcript_attempts, transcript_leased_until FROM voicemail")
            {
                work[row["id"]] = (
                    row["transcript_status"], row["transcript"], row["transcript_error"], row["transcript_attempts"],
                    row["transcript_leased_until"] as Int64? != nil
                )
            }
            return work
        }
    }

    /// `callbacks serve` as a child process, its log kept.
    static func serve(_ harness: Harness) throws -> (process: Process, log: URL) {
        let process = Process()
        process.executableURL = ConcurrentNextTests.binary
        process.arguments = ["serve"]
        process.environment = harness.serveEnvironment.merging(["CALLBACKS_LOG_LEVEL": "info"]) { $1 }
        let log = harness.root.appendingPathComponent("serve.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, log)
    }

    /// The transcriber process `serve` started: its child running afterhours_transcriber.
    static func transcriberPID(of serve: Process) -> pid_t? {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(serve.processIdentifier)/task")) ?? []
        for task in tasks {
            let children = (try? String(contentsOfFile: "/proc/\(serve.processIdentifier)/task/\(task)/children", encoding: .utf8)) ?? ""
            for child in children.split(separator: " ").compactMap({ pid_t($0) }) {
                let command = (try? String(contentsOfFile: "/proc/\(child)/cmdline", encoding: .utf8)) ?? ""
                if command.contains("afterhours_transcriber") { return child }
            }
        }
        return nil
    }

    @Test("serve queues messages at once and transcribes them after; silent and unreadable ones get a reason, none is stuck")
    func serveTranscribes() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.python), "the transcriber's Python is missing: run make test, which installs it")
        let harness = try Harness(config: Self.config(threads: 2))
        try harness.copyExampleSpool()
        // An unreadable message too: it is stored and queued, with nothing to hear.
        let broken = harness.spool.appendingPathComponent("default/1002/INBOX")
        try Data("RIFF....WAVEfmt garbage".utf8).write(to: broken.appendingPathComponent("msg0003.wav"))
        try String(contentsOf: broken.appendingPathComponent("msg0000.txt"), encoding: .utf8)
            .replacingOccurrences(of: "msg_id=", with: "msg_id=x")
            .write(to: broken.appendingPathComponent("msg0003.txt"), atomically: true, encoding: .utf8)
        let (serve, log) = try Self.serve(harness)
        defer {
            serve.terminate()
            serve.waitUntilExit()
        }
        let settled = await waitUntil(seconds: 90) {
            let work = (try? Self.work(harness)) ?? [:]
            return work.count == 7 && work.values.allSatisfy { $0.status != "pending" }
        }
        let work = try Self.work(harness)
        try #require(settled, "still waiting: \(work.filter { $0.value.status == "pending" }); log: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        #expect(work.values.filter { $0.status == "done" }.count == 5)
        #expect(work.values.allSatisfy { $0.status != "done" || ($0.text?.isEmpty == false && $0.attempts == 1) })
        #expect(Set(work.values.filter { $0.status == "skipped" }.compactMap(\.error).map { String($0.prefix(27)) })
            == ["the message is silent", "the audio could not be read"])
        // espeak-ng speech through GSM is hard going for tiny.en, but the leak is heard.
        let texts = work.values.compactMap(\.text).joined(separator: " ").lowercased()
        #expect(texts.contains("leak") || texts.contains("kitchen") || texts.contains("sink"), "\(texts)")

        let list = await harness.run(["list", "--all", "--json"])
        let callbacks = try #require(list.json as? [[String: Any]])
        let messages = callbacks.flatMap { $0["messages"] as? [[String: Any]] ?? [] }
        #expect(messages.filter { $0["transcript"] is String }.count == 5)
        #expect(messages.allSatisfy { $0["transcript_status"] is String && $0.keys.contains("number_source") })
        let shown = await harness.run(["show", "1"])
        #expect(shown.output.contains("machine transcript: “"), "\(shown.output)")
    }

    @Test("a transcriber killed mid-message is started again, and the message is transcribed once")
    func workerKilledMidMessage() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.python), "the transcriber's Python is missing: run make test, which installs it")
        let harness = try Harness(config: Self.config())
        // One long message (about 30 s of speech), so the kill lands while it is heard.
        let folder = harness.spool.appendingPathComponent("default/1001/INBOX")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let long = Harness.fixtures.appendingPathComponent("transcripts/hot-water-long.WAV")
        try FileManager.default.copyItem(at: long, to: folder.appendingPathComponent("msg0000.WAV"))
        try """
            ;
            [message]
            origmailbox=1001
            context=default
            callerid="Dana Reyes" <2125550142>
            origtime=1763902800
            duration=30
            msg_id=1763902800-00000001
            """.write(to: folder.appendingPathComponent("msg0000.txt"), atomically: true, encoding: .utf8)
        let (serve, log) = try Self.serve(harness)
        defer {
            serve.terminate()
            serve.waitUntilExit()
        }
        // Killed once it holds the message: leased, not yet done.
        var killed: pid_t?
        let holding = await waitUntil(seconds: 60) {
            guard let entry = (try? Self.work(harness))?.first?.value, entry.status == "pending", entry.leased,
                let pid = Self.transcriberPID(of: serve)
            else { return false }
            kill(pid, SIGKILL)
            killed = pid
            return true
        }
        try #require(holding, "the transcriber never held the message; log: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        let done = await waitUntil(seconds: 90) { (try? Self.work(harness))?.first?.value.status == "done" }
        let logText = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        try #require(done, "not transcribed after the restart; log: \(logText)")
        let entry = try #require(try Self.work(harness).first?.value)
        // The try the kill cut short, then the one that worked: one transcript.
        #expect(entry.attempts == 2 && entry.text?.isEmpty == false)
        #expect(logText.contains("the transcriber stopped; starting it again"))
        #expect(Self.transcriberPID(of: serve) != killed)
        // Stored once: if its words set off a rule, the history says so once.
        let shown = try #require(await harness.run(["show", "1", "--json"]).json as? [String: Any])
        let history = try #require(shown["history"] as? [[String: Any]])
        let rules = try #require((shown["messages"] as? [[String: Any]])?.first?["content_rules"] as? [String])
        let fired = rules.contains { $0.hasPrefix("urgent:") || $0.hasPrefix("complaint:") }
        #expect(history.filter { ($0["note"] as? String)?.hasPrefix("message #1 transcribed: ") == true }.count == (fired ? 1 : 0))
    }

    @Test("callbacks transcribe hears what waits, says how many, and with --all hears them again; piped, no progress line")
    func transcribeByHand() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.python), "the transcriber's Python is missing: run make test, which installs it")
        let harness = try Harness(config: Self.config(threads: 2) + "\n  enabled: false\n")
        try harness.copyExampleSpool()
        #expect(await harness.run(["ingest"]).status == 0)
        let first = await harness.run(["transcribe"])
        #expect(first.status == 0 && first.output == "Transcribed 5 messages.", "\(first.output) \(first.errors)")
        #expect(await harness.run(["transcribe"]).output == "No messages wait for a transcript.")
        let again = await harness.run(["transcribe", "2"])
        #expect(again.output == "Transcribed 1 message.", "\(again.errors)")
        let listed = await harness.run(["list", "--all", "--json"])
        let messages = try #require(listed.json as? [[String: Any]]).flatMap { $0["messages"] as? [[String: Any]] ?? [] }
        let silent = try #require(messages.first { $0["silent"] as? Bool == true }?["id"] as? Int)
        let refused = await harness.run(["transcribe", "\(silent)"])
        #expect(
            refused.status == 1 && refused.errors.contains("message #\(silent) has nothing to transcribe: the message is silent"),
            "\(refused.errors)")
    }
}
