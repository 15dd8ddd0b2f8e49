import Afterhours
import ArgumentParser
import Foundation

struct IngestCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "One pass over the spool: store every complete message, then exit.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The spool folder to read (default: spool.path from the configuration).")
    var spool: String?

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        let ingester = Ingester(configuration: desk.configuration, store: try desk.openStore(), logger: desk.logger)
        let summary = ingester.runOnce(spoolPath: spool, at: desk.now, actor: "ingest")
        if desk.json {
            desk.print(
                JSONValue.object([
                    ("ingested", .int(Int64(summary.ingested))),
                    ("duplicates", .int(Int64(summary.duplicates))),
                    ("quarantined", .int(Int64(summary.quarantined))),
                    ("incomplete", .int(Int64(summary.incomplete))),
                    ("silent_skipped", .int(Int64(summary.silentSkipped))),
                    ("left_behind", .array(summary.leftBehind.map {
                        .object([("path", .string($0.path)), ("reason", .string($0.reason))])
                    })),
                    ("problems", .array(summary.problems.map(JSONValue.string))),
                ]))
        } else {
            desk.print(Self.describe(summary))
        }
        if !summary.problems.isEmpty {
            throw CommandFailure(summary.problems.joined(separator: "; "))
        }
    }

    static func describe(_ summary: IngestSummary) -> String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        var lines = [
            "Ingested \(count(summary.ingested, "message")): \(count(summary.duplicates, "duplicate")), "
                + "\(summary.quarantined) quarantined, \(summary.incomplete) incomplete."
        ]
        if summary.silentSkipped > 0 {
            lines.append("\(count(summary.silentSkipped, "silent message")) stored but kept out of the queue.")
        }
        if !summary.leftBehind.isEmpty {
            lines.append("Left in the spool:")
            lines += summary.leftBehind.map { "  \($0.path): \($0.reason)" }
        }
        return lines.joined(separator: "\n")
    }
}
