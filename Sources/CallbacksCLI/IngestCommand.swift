import App
import ArgumentParser
import Foundation
import Ingest
import Presentation

struct IngestCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "One pass over the spool: store every complete message, then exit.")

    @OptionGroup var global: LocalOptions

    @Option(help: "The spool folder to read (default: spool.path from the configuration).")
    var spool: String?

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        try desk.requireLocal("ingest")
        let folder = spool ?? desk.configuration.spool.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
            throw CommandFailure("the spool folder \(folder) does not exist")
        }
        guard isFolder.boolValue else { throw CommandFailure("\(folder) is a file, not a spool folder") }
        let store = try desk.openStore()
        let summary = Ingester(configuration: desk.configuration, store: store, logger: desk.logger)
            .runOnce(spoolPath: spool, at: desk.now, actor: "ingest")
        // Every new callback promised now, as `serve` would within seconds.
        if summary.ingested > 0 { try await Wiring.promiseDesk(desk.configuration, store: store).plan(at: desk.now) }
        if desk.json {
            desk.print(
                JSONValue.object([
                    ("ingested", .int(Int64(summary.ingested))),
                    ("duplicates", .int(Int64(summary.duplicates))),
                    ("archived_now", .int(Int64(summary.archivedNow))),
                    ("quarantined", .int(Int64(summary.quarantined))),
                    ("incomplete", .int(Int64(summary.incomplete))),
                    ("not_stored", .int(Int64(summary.notStoredCount))),
                    ("unreadable", .int(Int64(summary.unreadable))),
                    ("not_archived", .int(Int64(summary.notArchivedCount))),
                    ("not_quarantined", .int(Int64(summary.notQuarantined))),
                    ("silent_skipped", .int(Int64(summary.silentSkipped))),
                    ("not_queued", .int(Int64(summary.notQueued))),
                    ("backlog", .int(Int64(summary.backlog))),
                    ("left_behind", .array(summary.leftBehind.map {
                        .object([("path", .string($0.path)), ("reason", .string($0.reason))])
                    })),
                    ("problems", .array(summary.problems.map(JSONValue.string))),
                ]))
        } else {
            desk.print(Self.describe(summary))
        }
        if summary.unfinished {
            let notArchived = summary.notArchivedCount
            let notStored = summary.notStoredCount
            let problems = summary.problems.count
            throw CommandFailure(
                [
                    notStored > 0 ? "\(notStored) message\(notStored == 1 ? " was" : "s were") not stored" : nil,
                    notArchived > 0 ? "\(notArchived) stored message\(notArchived == 1 ? " was" : "s were") not archived" : nil,
                    problems > 0 ? "\(problems) problem\(problems == 1 ? "" : "s") (listed above)" : nil,
                ].compactMap { $0 }.joined(separator: " and ") + "; nothing was lost")
        }
    }

    static func describe(_ summary: IngestSummary) -> String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        var lines = [
            "Ingested \(count(summary.ingested, "message")): \(count(summary.duplicates, "duplicate")), "
                + "\(summary.quarantined) quarantined, \(summary.incomplete) incomplete."
        ]
        if summary.archivedNow > 0 {
            lines.append("\(count(summary.archivedNow, "message")) stored on an earlier pass now archived.")
        }
        for (reason, number) in summary.notStored.sorted(by: { $0.key < $1.key }) {
            lines.append("\(count(number, "message")) not stored: \(reason); they stay in the spool and are stored on the next pass.")
        }
        if summary.unreadable > 0 {
            lines.append("\(count(summary.unreadable, "message")) with unreadable audio stored; the files are in the quarantine.")
        }
        for (reason, number) in summary.notArchived.sorted(by: { $0.key < $1.key }) {
            lines.append("\(count(number, "message")) stored but not yet archived: \(reason); they stay in the spool and are moved on the next pass.")
        }
        if !summary.problems.isEmpty {
            lines.append("Problems:")
            lines += summary.problems.map { "  \($0)" }
        }
        if summary.silentSkipped > 0 {
            lines.append("\(count(summary.silentSkipped, "silent message")) stored but kept out of the queue.")
        }
        if summary.notQueued > 0 {
            lines.append("\(count(summary.notQueued, "message")) already heard or filed (folders other than spool.queue_folders) stored but not queued.")
        }
        if summary.backlog > 0 {
            lines.append("First run: \(count(summary.backlog, "message")) whose deadline had already passed queued without breach escalations.")
        }
        if !summary.leftBehind.isEmpty {
            lines.append("Left in the spool:")
            lines += summary.leftBehind.map { "  \($0.path): \($0.reason)" }
        }
        return TerminalText.safe(lines.joined(separator: "\n"))
    }
}
