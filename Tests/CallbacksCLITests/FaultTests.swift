import Foundation
import Testing

/// Faults a real installation meets, on real (small) filesystems: the database's disk
/// full, the archive's disk full, a quarantine that cannot be written. Nothing is lost,
/// and `ingest`'s exit code and counts say which fault held what back.
@Suite("Faults: full disks and folders that cannot be written", .serialized)
struct FaultTests {
    let t0 = 1_795_280_400  // Saturday 2026-11-21 12:00 New York

    func putMessages(_ harness: Harness, count: Int, from first: Int = 0) throws {
        for slot in first..<(first + count) {
            let name = String(format: "default/1001/INBOX/msg%04d", slot)
            try harness.put("\(name).wav", copying: "speech.wav")
            try harness.put("\(name).txt", text: Harness.txt(callerid: "<5551234\(String(format: "%03d", slot))>", origtime: t0 + slot * 60))
        }
    }

    @Test("the database's disk full: not_stored counts them, exit 1, nothing lost; space back: all stored, exit 0",
          .enabled(if: SmallDisk.canMount, SmallDisk.skipReason))
    func databaseDiskFull() async throws {
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "database: afterhours.sqlite", with: "database: db/afterhours.sqlite"))
        let disk = try SmallDisk(at: harness.root.appendingPathComponent("db"), size: "4m")
        defer { disk.unmount() }
        // The database exists, then its disk fills.
        #expect(await harness.run(["ingest"]).status == 0)
        // Room for SQLite to open its -shm and -wal, not for many messages.
        disk.fill(leaving: 96 * 1024)
        try putMessages(harness, count: 80)

        let full = await harness.run(["ingest", "--json"])
        let summary = try #require(full.json as? [String: Any], "\(full.output) \(full.errors)")
        #expect(full.status == 1, "a store fault is an error: \(full.errors)")
        let held = try #require(summary["not_stored"] as? Int)
        #expect(held > 0 && held + (summary["ingested"] as? Int ?? -1) == 80, "\(summary)")
        #expect(summary["incomplete"] as? Int == 0, "not stored is not still being written: \(summary)")
        #expect(full.errors == "Error: \(held) message\(held == 1 ? " was" : "s were") not stored; nothing was lost", "\(full.errors)")
        #expect(harness.files(under: harness.spool).count == 2 * held, "every message not stored left in the spool")
        let text = await harness.run(["ingest"])
        #expect(text.output.contains("\(held) message\(held == 1 ? "" : "s") not stored: "), "\(text.output)")
        #expect(text.output.contains("they stay in the spool and are stored on the next pass."), "\(text.output)")

        try disk.removeFiller()
        let back = await harness.run(["ingest", "--json"])
        let stored = try #require(back.json as? [String: Any], "\(back.output) \(back.errors)")
        #expect(back.status == 0, "\(back.errors)")
        #expect(stored["ingested"] as? Int == held)
        #expect(stored["not_stored"] as? Int == 0)
        #expect(harness.files(under: harness.spool).isEmpty)
    }

    @Test("the archive's disk full: not_archived, exit 1; space back: archived_now, not duplicates, exit 0",
          .enabled(if: SmallDisk.canMount, SmallDisk.skipReason))
    func archiveDiskFull() async throws {
        let harness = try Harness()
        // Room for two 58 KB recordings, not five.
        let disk = try SmallDisk(at: harness.archive, size: "128k")
        defer { disk.unmount() }
        try putMessages(harness, count: 5)

        let full = await harness.run(["ingest", "--json"])
        let summary = try #require(full.json as? [String: Any], "\(full.output) \(full.errors)")
        #expect(full.status == 1)
        #expect(summary["ingested"] as? Int == 5)
        let held = try #require(summary["not_archived"] as? Int)
        #expect(held > 0 && held < 5, "\(summary)")
        #expect(full.errors == "Error: \(held) stored message\(held == 1 ? " was" : "s were") not archived; nothing was lost", "\(full.errors)")

        try disk.remount(size: "2m")
        let back = await harness.run(["ingest", "--json"])
        let later = try #require(back.json as? [String: Any], "\(back.output) \(back.errors)")
        #expect(back.status == 0, "\(back.errors)")
        #expect(later["archived_now"] as? Int == held, "\(later)")
        #expect(later["duplicates"] as? Int == 0, "held back, not a copy: \(later)")
        #expect(later["not_archived"] as? Int == 0)
        #expect(harness.files(under: harness.spool).isEmpty)
        #expect(harness.files(under: harness.archive).count == 10)
    }

    @Test("a read-only quarantine: not_quarantined, exit 1, the files stay in the spool",
          .enabled(if: SmallDisk.canMount, SmallDisk.skipReason))
    func quarantineReadOnly() async throws {
        let harness = try Harness()
        let disk = try SmallDisk(at: harness.quarantine, size: "64k", readOnly: true)
        defer { disk.unmount() }
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: ";\n[message]\ncallerid=<5551234567>\n")  // no origtime

        let result = await harness.run(["ingest", "--json"])
        let summary = try #require(result.json as? [String: Any], "\(result.output) \(result.errors)")
        #expect(result.status == 1)
        #expect(summary["not_quarantined"] as? Int == 1, "\(summary)")
        #expect(summary["quarantined"] as? Int == 0)
        #expect(harness.files(under: harness.spool).count == 2)
    }

    @Test("only messages still being written left behind: incomplete, exit 0")
    func onlyIncomplete() async throws {
        let harness = try Harness()
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "unfinished.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "<5551234567>", origtime: t0))
        let result = await harness.run(["ingest", "--json"])
        let summary = try #require(result.json as? [String: Any], "\(result.output) \(result.errors)")
        #expect(result.status == 0, "\(result.errors)")
        #expect((summary["incomplete"] as? Int ?? 0) > 0, "\(summary)")
        #expect(summary["not_stored"] as? Int == 0)
    }
}

/// `callbacks serve` under a real fault: one log line when it starts, one when it clears,
/// `/readyz` 503 and back, the gauge, and the backlog stored by itself once space returns.
@Suite("Faults: serve says so, once", .serialized)
struct ServeFaultTests {
    let t0 = 1_795_280_400

    func readyz(_ port: Int) -> HTTPAnswer? { try? HTTPServer.curl(["http://127.0.0.1:\(port)/readyz"]) }

    @Test("the database's disk full under serve: one line, /readyz 503 with the count, the gauge; space back: one line, 200, all stored",
          .enabled(if: SmallDisk.canMount, SmallDisk.skipReason))
    func serveDatabaseDiskFull() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ConcurrentNextTests.binary.path), "build the binary first (make test does)")
        let port = try freePort()
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "database: afterhours.sqlite", with: "database: db/afterhours.sqlite")
            + "\nhttp:\n  listen: 127.0.0.1:\(port)\ntranscription:\n  enabled: false\n")
        let disk = try SmallDisk(at: harness.root.appendingPathComponent("db"), size: "4m")
        defer { disk.unmount() }
        let added = await harness.run(["people", "add", "olivia", "--role", "owner", "--json"])
        let token = try #require((added.json as? [String: Any])?["token"] as? String, "\(added.errors)")
        disk.fill(leaving: 96 * 1024)
        let messages = 80
        for slot in 0..<messages {
            let name = String(format: "default/1001/INBOX/msg%04d", slot)
            try harness.put("\(name).wav", copying: "speech.wav")
            try harness.put("\(name).txt", text: Harness.txt(callerid: "<5551234\(String(format: "%03d", slot))>", origtime: t0 + slot * 60))
        }
        let log = harness.root.appendingPathComponent("serve.log")
        let serve = try ServeProcess(harness, log: log)
        defer { serve.stop() }
        func logLines() -> [String] { ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

        #expect(await waitUntil(seconds: 30) { readyz(port)?.status == 503 }, "\(logLines())")
        let degraded = try #require(readyz(port)?.json as? [String: Any])
        #expect(degraded["status"] as? String == "degraded")
        #expect(degraded["store"] as? String == "not writable: disk full", "\(degraded)")
        let held = try #require(degraded["held_back"] as? Int)
        #expect(held > 0 && held <= messages, "\(degraded)")
        #expect((try HTTPServer.curl(["http://127.0.0.1:\(port)/healthz"])).status == 200, "liveness stays 200")
        let metrics = try HTTPServer.curl(["-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(port)/metrics"]).text
        #expect(metrics.contains("afterhours_held_back{reason=\"store\"} \(held)"), "\(metrics)")
        // A retry pass or two under the fault (every 5 s): still the one line.
        try await Task.sleep(for: .seconds(12))
        let during = logLines()
        #expect(during.filter { $0.contains("store not writable: disk full") }.count == 1, "\(during.joined(separator: "\n"))")
        #expect(during.first { $0.contains("store not writable: disk full") }?.contains("\(held) messages held back") == true)
        #expect(during.count < 15, "the log stays short: \(during.joined(separator: "\n"))")

        try disk.removeFiller()
        #expect(await waitUntil(seconds: 30) { readyz(port)?.status == 200 }, "\(logLines())")
        #expect(readyz(port)?.text.contains("\"status\": \"ok\"") == true)
        let after = logLines()
        let cleared = after.filter { $0.contains("store writable again: \(held) messages stored in ") }
        #expect(cleared.count == 1, "\(after.joined(separator: "\n"))")
        #expect(await waitUntil(seconds: 10) { harness.files(under: harness.spool).isEmpty })
        let back = try HTTPServer.curl(["-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(port)/metrics"]).text
        #expect(back.contains("afterhours_held_back{reason=\"store\"} 0"), "\(back)")
        // What docs/operations.md quotes.
        print("serve under a full database disk:\n" + (during.filter { $0.contains("store ") } + cleared).joined(separator: "\n"))
    }
}
