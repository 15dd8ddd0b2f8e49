import Afterhours
import ArgumentParser
import CallbackStore
import Foundation
import GRDB
import PostgresStore

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
        guard !PostgresStore.isPostgresURL(source) else {
            throw CommandFailure("storage.database is already PostgreSQL (\(PostgresStore.redacted(source))): copy reads a SQLite store")
        }
        guard PostgresStore.isPostgresURL(to) else {
            throw CommandFailure("--to \(PostgresStore.redacted(to)) is not a PostgreSQL URL: postgresql://user:password@host:port/name")
        }
        guard FileManager.default.fileExists(atPath: source) else {
            throw CommandFailure("there is no SQLite store at \(source) (storage.database) to copy")
        }
        // Brings the SQLite schema up to date first, so every column has its place.
        _ = try CallbackStore(path: source)
        var readOnly = GRDB.Configuration()
        readOnly.readonly = true
        let sqlite = try DatabaseQueue(path: source, configuration: readOnly)

        let target = try PostgresStore(url: to, connectTimeout: desk.configuration.storage.connectTimeout, logger: desk.logger)
        do {
            try await copy(sqlite: sqlite, source: source, into: target, context: context)
            await target.shutdown()
        } catch {
            await target.shutdown()
            throw error
        }
    }

    private func copy(sqlite: DatabaseQueue, source: String, into target: PostgresStore, context: CommandContext) async throws {
        try await target.startInBackground()

        let terminal = isatty(STDERR_FILENO) == 1
        let progress: @Sendable (String) -> Void = { line in
            guard terminal else { return }
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        }
        var expected: [String: Int] = [:]
        for table in PostgresStore.copiedTables {
            expected[table] = try await sqlite.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
        }
        let counts = expected
        try await target.copyIn { copy in
            for table in PostgresStore.copiedTables {
                let total = counts[table] ?? 0
                var copied = 0
                var lastRowID: Int64 = .min
                while true {
                    let after = lastRowID
                    let batch = try await sqlite.read { db -> (columns: [String], rows: [[PostgresStore.CopyValue]], last: Int64?) in
                        let rows = try Row.fetchAll(
                            db, sql: "SELECT rowid AS copy_rowid, * FROM \(table) WHERE rowid > ? ORDER BY rowid LIMIT 2000",
                            arguments: [after])
                        let columns: [String] = rows.first.map { Array($0.columnNames.dropFirst()) } ?? []
                        let values = rows.map { row in
                            (1..<row.count).map { index -> PostgresStore.CopyValue in
                                switch (row[index] as DatabaseValue).storage {
                                case .null: .null
                                case .int64(let number): .integer(number)
                                case .double(let number): .real(number)
                                case .string(let text): .text(text)
                                case .blob(let data): .text(String(decoding: data, as: UTF8.self))
                                }
                            }
                        }
                        return (columns, values, rows.last.map { $0["copy_rowid"] as Int64 })
                    }
                    guard let last = batch.last else { break }
                    try await copy.insert(table, columns: batch.columns, rows: batch.rows)
                    copied += batch.rows.count
                    lastRowID = last
                    progress("copying \(table): \(copied) of \(total)")
                }
            }
        }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }

        let copied = try await target.rowCounts()
        var lines: [String] = []
        var mismatches: [String] = []
        for table in PostgresStore.copiedTables {
            let want = expected[table] ?? 0
            let have = copied[table] ?? 0
            lines.append("  \(table): \(have)" + (have == want ? "" : " (SQLite has \(want))"))
            if have != want { mismatches.append(table) }
        }
        context.write("Copied \(source) into \(target.displayName):\n" + lines.joined(separator: "\n"))
        guard mismatches.isEmpty else {
            throw CommandFailure("the counts differ in \(mismatches.joined(separator: ", ")): do not switch storage.database yet")
        }
        context.write("Every table's count matches. Point storage.database at the PostgreSQL URL to use it.")
    }
}
