import Foundation
import Settings
import TestSupport
import Testing

/// Defects a newcomer met following the README and docs on a real spool (issue 27).
@Suite("What a newcomer met")
struct NewcomerTests {
    static let config = Harness.acme + """

        owner:
          mailboxes: ["200"]
          people: [maria]
        """
    // Friday 2026-11-20 16:00 New York.
    let friday1600 = 1_795_208_400
    let monday0805 = "2026-11-23T08:05:00-05:00"

    func message(_ harness: Harness, mailbox: String = "1001", folder: String = "INBOX", slot: String, callerid: String, at origtime: Int, flag: String = "") throws {
        try harness.put("default/\(mailbox)/\(folder)/\(slot).wav", copying: "speech.wav")
        try harness.put(
            "default/\(mailbox)/\(folder)/\(slot).txt",
            text: Harness.txt(callerid: callerid, origtime: origtime, msgID: "\(origtime)-\(mailbox)-\(folder)-\(slot)", flag: flag))
    }

    @Test("play --out never empties the target on an unknown number or a refusal; a saved file appears whole")
    func playOutKeepsTarget() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, slot: "msg0000", callerid: "\"Pat\" <5551112222>", at: friday1600)
        try message(harness, mailbox: "200", slot: "msg0000", callerid: "\"Olga\" <5553334444>", at: friday1600 + 60)
        _ = try await harness.ingest(now: monday0805)
        let keep = harness.root.appendingPathComponent("keep.wav")
        let kept = Data("what was there before".utf8)
        try kept.write(to: keep)

        let unknown = await harness.run(["play", "999", "--out", keep.path, "--as", "alice"], now: monday0805)
        #expect(unknown.status != 0)
        #expect(unknown.errors.contains("#999"), "\(unknown.errors)")
        #expect(try Data(contentsOf: keep) == kept, "an unknown number leaves the file as it was")

        let refused = await harness.run(["play", "2", "--out", keep.path, "--as", "alice"], now: monday0805)
        #expect(refused.status != 0, "the owner's line is not for staff")
        #expect(try Data(contentsOf: keep) == kept, "a refusal leaves the file as it was")

        let saved = await harness.run(["play", "1", "--out", keep.path, "--as", "alice"], now: monday0805)
        #expect(saved.status == 0, "\(saved.errors)")
        #expect(try Data(contentsOf: keep).prefix(4) == Data("RIFF".utf8), "the audio replaces it once it is all there")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: harness.root.path).filter { $0.hasSuffix(".part") }
        #expect(leftovers.isEmpty, "no partial file is left beside the target: \(leftovers)")
    }

    @Test("play of an unknown number says so, even with no audio player installed")
    func playUnknownBeforePlayer() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, slot: "msg0000", callerid: "\"Pat\" <5551112222>", at: friday1600)
        _ = try await harness.ingest(now: monday0805)
        let empty = harness.root.appendingPathComponent("no-players")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let unknown = await harness.run(["play", "999", "--as", "alice"], now: monday0805, environment: ["PATH": empty.path])
        #expect(unknown.status != 0)
        #expect(unknown.errors.contains("#999") && !unknown.errors.contains("audio player"), "\(unknown.errors)")
        let known = await harness.run(["play", "1", "--as", "alice"], now: monday0805, environment: ["PATH": empty.path])
        #expect(known.errors.contains("no audio player here"), "\(known.errors)")
    }
}

@Suite("A configuration file means the same in every folder")
struct ConfigurationFolderTests {
    @Test("keys left out default to the file's folder, not the working folder")
    func defaultsBesideTheFile() throws {
        let configuration = try Settings.Configuration.parse(yaml: "spool:\n  path: /srv/spool\n", file: "/srv/ah/callbacks.yaml")
        #expect(configuration.storage.database == "/srv/ah/var/afterhours.sqlite")
        #expect(configuration.spool.archive == "/srv/ah/var/archive")
        #expect(configuration.spool.quarantine == "/srv/ah/var/quarantine")
        #expect(configuration.spool.path == "/srv/spool")
        let empty = try Settings.Configuration.parse(yaml: "", file: "/srv/ah/callbacks.yaml")
        #expect(empty.storage.database == "/srv/ah/var/afterhours.sqlite", "an empty file too")
    }

    @Test("a command with storage.database left out stores beside the file, and doctor prints absolute paths it did not create")
    func databaseBesideTheFile() async throws {
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "storage:\n  database: afterhours.sqlite", with: ""))
        let database = harness.root.appendingPathComponent("var/afterhours.sqlite").path
        let doctor = await harness.run(["doctor"])
        #expect(doctor.output.contains("✓ database \(database) (not there yet: the first command creates it)"), "\(doctor.output)")
        #expect(doctor.output.contains("spool \(harness.spool.path)"), "\(doctor.output)")
        #expect(!FileManager.default.fileExists(atPath: database), "doctor creates no database")
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Pat\" <5551112222>", origtime: 1_795_208_400))
        let ingested = try await harness.ingest()
        #expect(ingested["ingested"] as? Int == 1)
        #expect(FileManager.default.fileExists(atPath: database), "the database is in the file's folder")
        let list = await harness.run(["list", "--json"])
        #expect((list.json as? [Any])?.count == 1, "\(list.output) \(list.errors)")
    }

    @Test("a new, empty database is not made silently where the archive holds messages another database stored")
    func noNewDatabaseOverOldData() async throws {
        let harness = try Harness()
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Pat\" <5551112222>", origtime: 1_795_208_400))
        _ = try await harness.ingest()
        try Harness.acme.replacingOccurrences(of: "database: afterhours.sqlite", with: "database: other.sqlite")
            .write(to: harness.root.appendingPathComponent("callbacks.yaml"), atomically: true, encoding: .utf8)
        let other = harness.root.appendingPathComponent("other.sqlite").path
        for command in [["list"], ["next", "--as", "alice"], ["ingest"]] {
            let refused = await harness.run(command)
            #expect(refused.status != 0, "\(command)")
            #expect(refused.errors.contains("there is no database at \(other) (storage.database), but the archive \(harness.archive.path) already holds"), "\(refused.errors)")
        }
        #expect(!FileManager.default.fileExists(atPath: other))
        let doctor = await harness.run(["doctor"])
        #expect(doctor.output.contains("✗ database \(other): there is no database"), "\(doctor.output)")
    }
}

@Suite("A first run over an existing Asterisk spool")
struct FirstRunTests {
    // Friday 2026-11-20 16:00 New York; the deadline (2 business hours) is Monday 09:00.
    let friday1600 = 1_795_208_400
    // Two weeks before: its deadline passed long before the first run.
    let twoWeeksBefore = 1_795_208_400 - 14 * 86_400
    let monday0805 = "2026-11-23T08:05:00-05:00"
    let monday1100 = "2026-11-23T11:00:00-05:00"
    static let config = Harness.acme + "\nowner:\n  people: [maria]\n"

    func message(_ harness: Harness, folder: String, slot: String, number: String, at origtime: Int) throws {
        try harness.put("default/1001/\(folder)/\(slot).wav", copying: "speech.wav")
        try harness.put(
            "default/1001/\(folder)/\(slot).txt",
            text: Harness.txt(callerid: "\"Caller \(number)\" <\(number)>", origtime: origtime, msgID: "\(origtime)-\(folder)-\(slot)"))
    }

    func escalations(_ harness: Harness, now: String) async throws -> [[String: Any]] {
        let all = await harness.run(["escalations", "list", "--all", "--as", "maria", "--json"], now: now)
        return try #require(all.json as? [[String: Any]], "\(all.output) \(all.errors)")
    }

    @Test("messages in Old/ and Work/ are stored but not queued; INBOX and Urgent are")
    func onlyNewFoldersQueued() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, folder: "INBOX", slot: "msg0000", number: "5551110001", at: friday1600)
        // Left on Saturday: due Monday 08:30 (urgent), not yet passed at the first run.
        try message(harness, folder: "Urgent", slot: "msg0000", number: "5551110002", at: friday1600 + 86_400)
        try message(harness, folder: "Old", slot: "msg0000", number: "5551110003", at: friday1600)
        try message(harness, folder: "Work", slot: "msg0000", number: "5551110004", at: friday1600)
        let summary = try await harness.ingest(now: monday0805)
        #expect(summary["ingested"] as? Int == 4, "all four are stored")
        #expect(summary["backlog"] as? Int == 0)
        #expect(summary["not_queued"] as? Int == 2)
        let list = await harness.run(["list", "--all", "--json"], now: monday0805)
        let numbers = (list.json as? [[String: Any]] ?? []).compactMap { ($0["caller"] as? [String: Any])?["number"] as? String }
        #expect(Set(numbers) == ["+15551110001", "+15551110002"], "\(list.output)")
        #expect(harness.files(under: harness.spool).isEmpty, "every message left the spool: stored")
        let raised = try await escalations(harness, now: monday1100)
        #expect(raised.count == 2, "only the queued ones breach: \(raised)")
    }

    @Test("spool.queue_folders queues the folders it lists, and is checked")
    func queueFoldersKey() async throws {
        let harness = try Harness(config: Self.config.replacingOccurrences(of: "  settle: 0s", with: "  settle: 0s\n  queue_folders: [INBOX, urgent, Work]"))
        try message(harness, folder: "Urgent", slot: "msg0000", number: "5551110002", at: friday1600)
        try message(harness, folder: "Old", slot: "msg0000", number: "5551110003", at: friday1600)
        try message(harness, folder: "Work", slot: "msg0000", number: "5551110004", at: friday1600)
        let summary = try await harness.ingest(now: monday0805)
        #expect(summary["not_queued"] as? Int == 1, "\(summary)")
        for (value, problem) in [
            ("[]", "spool.queue_folders: should list at least one folder"),
            ("[INBOX, inbox]", "spool.queue_folders[1]: inbox is already listed as queue_folders[0]"),
            ("[INBOX/Old]", "spool.queue_folders[0]: \"INBOX/Old\" is not a folder name"),
        ] {
            do {
                _ = try Settings.Configuration.parse(yaml: "spool:\n  queue_folders: \(value)\n", file: "/srv/ah/callbacks.yaml")
                Issue.record("\(value) was accepted")
            } catch {
                #expect(error.description.contains(problem), "\(error)")
            }
        }
    }

    @Test("a first run's backlog is queued without breach escalations, said once; later messages escalate as usual")
    func backlogOnFirstRun() async throws {
        let harness = try Harness(config: Self.config)
        try message(harness, folder: "INBOX", slot: "msg0000", number: "5551110001", at: twoWeeksBefore)
        try message(harness, folder: "INBOX", slot: "msg0001", number: "5551110002", at: twoWeeksBefore + 60)
        try message(harness, folder: "INBOX", slot: "msg0002", number: "5551110003", at: friday1600)
        let first = await harness.run(["ingest"], now: monday0805)
        #expect(first.output.contains("First run: 2 messages whose deadline had already passed queued without breach escalations."), "\(first.output)")
        let list = await harness.run(["list", "--all", "--json"], now: monday0805)
        #expect((list.json as? [Any])?.count == 3, "the backlog is queued")
        let raised = try await escalations(harness, now: monday1100)
        let breached = raised.compactMap { ($0["callback"] as? [String: Any])?["caller"] as? [String: Any] }.compactMap { $0["number"] as? String }
        #expect(breached == ["+15551110003"], "only the message whose deadline passed after the first run: \(breached)")
        let history = await harness.run(["show", "1"], now: monday0805)
        #expect(history.output.contains("found by the first run after its deadline had passed"), "\(history.output)")

        // Not a first run any more: a message stored after its deadline escalates at once.
        try message(harness, folder: "INBOX", slot: "msg0003", number: "5551110004", at: twoWeeksBefore + 120)
        let second = try await harness.ingest(now: monday1100)
        #expect(second["backlog"] as? Int == 0)
        #expect(try await escalations(harness, now: monday1100).count == 2)
    }
}

@Suite("--help shows each command the options it takes, once")
struct HelpTests {
    func help(_ arguments: [String]) async throws -> String {
        let harness = try Harness()
        let result = await harness.run(arguments + ["--help"])
        #expect(result.status == 0, "\(arguments): \(result.errors)")
        return result.output
    }

    @Test("commands at the server's shell list no --as, --server or --token; those without JSON no --json")
    func localCommands() async throws {
        for command in [["serve"], ["doctor"], ["ingest"], ["people", "add"], ["people", "list"], ["hours", "status"], ["greeting"], ["storage", "copy"]] {
            let text = try await help(command)
            #expect(text.contains("--config"), "\(command)")
            for refused in ["--as ", "--server", "--token"] {
                #expect(!text.contains(refused), "\(command) lists \(refused)")
            }
            if ["serve", "doctor", "storage"].contains(command[0]) {
                #expect(!text.contains("--json"), "\(command) lists --json")
            } else {
                #expect(text.contains("--json"), "\(command)")
            }
        }
        let refused = await (try Harness()).run(["serve", "--as", "alice"])
        #expect(refused.status != 0 && refused.errors.contains("--as"), "\(refused.errors)")
    }

    @Test("--as names both login variables; --role lists its values once; the root help shows the global options")
    func wording() async throws {
        let list = try await help(["list"])
        #expect(list.contains("$USER, then $LOGNAME"), "\(list)")
        for option in ["--as", "--json", "--server", "--token", "--config"] { #expect(list.contains(option)) }
        let add = try await help(["people", "add"])
        #expect(add.components(separatedBy: "owner").count == 2, "the role's values once: \(add)")
        let root = try await help([])
        #expect(root.contains("callbacks [GLOBAL OPTIONS] SUBCOMMAND"), "\(root)")
        for option in ["--config PATH", "--as NAME", "--json", "--server URL", "--token TOKEN"] { #expect(root.contains(option), "\(option)") }
    }
}

@Suite("Smaller messages a newcomer met")
struct SmallerMessageTests {
    @Test("show says nothing of a mailbox for a sidecar message without one")
    func noEmptyMailbox() async throws {
        let harness = try Harness()
        try harness.put("m1.wav", copying: "speech.wav")
        try harness.put("m1.json", text: #"{"caller_number": "+15551234567", "received_at": "2026-11-20T16:00:00-05:00"}"#)
        try harness.put("m2.wav", copying: "speech.wav")
        try harness.put("m2.json", text: #"{"caller_number": "+15551234568", "received_at": "2026-11-20T16:01:00-05:00", "mailbox": "sales"}"#)
        _ = try await harness.ingest()
        let first = await harness.run(["show", "1"])
        #expect(first.status == 0, "\(first.errors)")
        #expect(!first.output.contains("mailbox"), "\(first.output)")
        let second = await harness.run(["show", "2"])
        #expect(second.output.contains("mailbox sales"), "\(second.output)")
    }

    @Test("http.listen with a port past 65535 says the port is out of range")
    func portOutOfRange() throws {
        for (listen, problem) in [
            ("127.0.0.1:99999", "port out of range (1–65535"), ("[::]:70000", "port out of range"), ("8480", "is not HOST:PORT"),
            ("localhost:http", "is not HOST:PORT"),
        ] {
            do {
                _ = try Settings.Configuration.parse(yaml: "http:\n  listen: \"\(listen)\"\n", file: "/srv/ah/callbacks.yaml")
                Issue.record("\(listen) accepted")
            } catch {
                #expect(error.description.contains(problem), "\(listen): \(error)")
            }
        }
    }

    @Test("doctor says what to do about a spool that does not exist")
    func missingSpool() async throws {
        let harness = try Harness()
        try FileManager.default.removeItem(at: harness.spool)
        let doctor = await harness.run(["doctor"])
        #expect(doctor.output.contains("✗ spool \(harness.spool.path): does not exist: set spool.path to the folder the PBX writes voicemail to, or create it"), "\(doctor.output)")
    }

    @Test("transcribe with transcription turned off and no transcriber says so, not a Python error")
    func transcriptionOff() async throws {
        let harness = try Harness(config: Harness.acme + "\ntranscription:\n  enabled: false\n  python: /usr/bin/python3\n")
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "<5551234567>", origtime: 1_795_208_400))
        _ = try await harness.ingest()
        let result = await harness.run(["transcribe", "1"])
        #expect(result.status != 0)
        #expect(
            result.errors == "Error: transcription is turned off (transcription.enabled), and the transcriber is not installed here: "
                + "install it (docs/transcription.md) to transcribe by hand", "\(result.errors)")
        #expect(!result.errors.contains("No module named"))
    }

    @Test("serve's log is stamped by the service's clock (CALLBACKS_NOW), not the machine's")
    func serveLogClock() async throws {
        let binary = ConcurrentNextTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the binary first (make test does)")
        let harness = try Harness()
        let process = Process()
        process.executableURL = binary
        process.arguments = ["serve"]
        process.environment = harness.serveEnvironment
        let log = Pipe()
        process.standardError = log
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await Task.sleep(for: .milliseconds(800))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let lines = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        #expect(lines.contains { $0.contains("afterhours serving") }, "\(lines)")
        for line in lines {
            // The service's clock starts at CALLBACKS_NOW and runs on (a loaded machine may take
            // many seconds to start and stop): the day and the zone are the service's, whatever the machine's.
            #expect(line.hasPrefix("2026-11-23T08:") && line.contains("-05:00 "), "stamped by the service's clock in the business's zone: \(line)")
        }
    }
}

@Suite("Docs that disagreed with the product")
struct DocsAgreeTests {
    static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs").standardizedFileURL

    @Test("a message flagged PRIORITY by Asterisk is urgent, and the docs say so")
    func priorityIsUrgent() async throws {
        let harness = try Harness()
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "<5551234567>", origtime: 1_795_208_400, flag: "PRIORITY"))
        _ = try await harness.ingest()
        let message = try #require(try await harness.messages().first)
        #expect(message["urgent"] as? Bool == true)
        for page in ["reference.md", "pbx-setup.md"] {
            let text = try String(contentsOf: Self.docs.appendingPathComponent(page), encoding: .utf8)
            #expect(text.contains("flag=PRIORITY"), "\(page) says PRIORITY is urgent")
        }
    }

    @Test("requests answered with an error are in the HTTP metrics, as docs/api.md says")
    func errorsCounted() async throws {
        let harness = try Harness()
        let added = await harness.run(["people", "add", "adam", "--role", "admin", "--json"])
        let token = try #require((added.json as? [String: Any])?["token"] as? String, "\(added.errors)")
        let server = try await HTTPServer(harness)
        #expect(try server.request("GET", "/api/v1/callbacks/999", token: token).status == 404)
        #expect(try server.request("GET", "/api/v1/callbacks", token: nil).status == 401)
        let metrics = try server.request("GET", "/metrics", token: token).text
        for status in ["404", "401"] {
            #expect(metrics.contains("afterhours_http_request_duration_seconds_count{method=\"GET\",status=\"\(status)\"}"), "\(metrics)")
        }
        let api = try String(contentsOf: Self.docs.appendingPathComponent("api.md"), encoding: .utf8)
        let row = try #require(api.components(separatedBy: "\n").first { $0.contains("afterhours_http_request_duration_seconds") })
        #expect(!row.contains("not counted"), "\(row)")
        #expect(row.contains("those answered with an error too"), "\(row)")
    }
}

@Suite("The README tour")
struct TourTests {
    static let readme = Harness.fixtures.deletingLastPathComponent().appendingPathComponent("README.md")

    /// The tour's commands, as written.
    static func tour() throws -> [String] {
        let text = try String(contentsOf: readme, encoding: .utf8)
        let tour = try #require(text.components(separatedBy: "## Five-minute tour").last)
        let block = try #require(tour.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        return block.split(separator: "\n").map { $0.components(separatedBy: " #").first?.trimmingCharacters(in: .whitespaces) ?? "" }
            .filter { !$0.isEmpty }
    }

    @Test("time only moves forward in the tour, and every step runs after scripts/demo.sh")
    func forwardOnly() throws {
        let binary = ConcurrentNextTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the binary first (make test does)")
        let commands = try Self.tour()
        // The clock each step runs at: the last export, or its own CALLBACKS_NOW= prefix.
        var now = ""
        var times: [String] = []
        for command in commands {
            for match in command.matches(of: /CALLBACKS_NOW=(\S+)/) {
                if command.hasPrefix("export") { now = String(match.1) } else { times.append(String(match.1)); continue }
            }
            if command.contains("callbacks ") && !command.hasPrefix("CALLBACKS_NOW=") { times.append(now) }
        }
        let instants = times.compactMap { try? Date($0, strategy: .iso8601) }
        #expect(instants.count == times.count && instants == instants.sorted(), "the tour's clock: \(times)")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-tour-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let demo = folder.appendingPathComponent("var/demo")
        let script = commands.map {
            $0.replacingOccurrences(of: ".build/debug/callbacks", with: binary.path).replacingOccurrences(of: "var/demo", with: demo.path)
                + " >/dev/null || { echo \"failed: \($0)\"; exit 1; }"
        }.joined(separator: "\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "\"$0\" \"$1\" \"$2\" >/dev/null 2>&1 && cd \"$3\" && \(script)", Repository.root.appendingPathComponent("scripts/demo.sh").path, binary.path, demo.path, folder.path]
        var environment = ProcessInfo.processInfo.environment
        environment["USER"] = "tester"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
    }
}
