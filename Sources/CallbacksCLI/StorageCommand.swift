import App
import ArgumentParser
import Foundation

/// Moving the store: `callbacks storage copy --to postgresql://…` (DESIGN §9).
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage", abstract: "Move the store between SQLite and PostgreSQL.",
        subcommands: [StorageCopyCommand.self])
}

/// Copies the configured SQLite store into an empty PostgreSQL database: every table,
/// ids kept, in one transaction, then the rows counted again on both sides.
struct StorageCopyCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy the SQLite store (storage.database) into an empty PostgreSQL database, ids kept, and verify the counts.")

    @OptionGroup var global: ConfigOption

    @Option(help: "The PostgreSQL database to fill: postgresql://user:password@host:port/name[?sslmode=require].")
    var to: String

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        try desk.requireLocal("storage copy")
        let source = desk.configuration.storage.database
        guard !StoreCopy.isPostgresURL(source) else {
            throw CommandFailure("storage.database is already PostgreSQL (\(StoreCopy.redacted(source))): copy reads a SQLite store")
        }
        guard StoreCopy.isPostgresURL(to) else {
            throw CommandFailure("--to \(StoreCopy.redacted(to)) is not a PostgreSQL URL: postgresql://user:password@host:port/name")
        }
        guard FileManager.default.fileExists(atPath: source) else {
            throw CommandFailure("there is no SQLite store at \(source) (storage.database) to copy")
        }
        let terminal = isatty(STDERR_FILENO) == 1
        let (counts, target) = try await StoreCopy.copy(
            sqlite: source, into: to, connectTimeout: desk.configuration.storage.connectTimeout, logger: desk.logger
        ) { line in
            if terminal { FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8)) }
        }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }

        let lines = counts.map { "  \($0.table): \($0.postgres)" + ($0.postgres == $0.sqlite ? "" : " (SQLite has \($0.sqlite))") }
        let mismatches = counts.filter { $0.postgres != $0.sqlite }.map(\.table)
        context.write("Copied \(source) into \(target):\n" + lines.joined(separator: "\n"))
        guard mismatches.isEmpty else {
            throw CommandFailure("the counts differ in \(mismatches.joined(separator: ", ")): do not switch storage.database yet")
        }
        context.write("Every table's count matches. Point storage.database at the PostgreSQL URL to use it.")
    }
}
