import Domain
import SQLiteStore
import Foundation
import Logging
import PostgresStore

/// `callbacks storage copy`: the configured SQLite store into an empty PostgreSQL database,
/// every table, ids kept, in one transaction, then the rows counted again on both sides.
/// Here, beside `Wiring`, because it is the one job that names both stores.
public enum StoreCopy {
    /// One table's rows: in the SQLite store, and in PostgreSQL after the copy.
    public struct Count: Sendable, Equatable {
        public var table: String
        public var sqlite: Int
        public var postgres: Int
    }

    public static func isPostgresURL(_ database: String) -> Bool { PostgresStore.isPostgresURL(database) }
    public static func redacted(_ url: String) -> String { PostgresStore.redacted(url) }

    /// Copies, calling `progress` with a line after each batch; returns the counts and the
    /// target's name (its password masked).
    public static func copy(
        sqlite path: String, into url: String, connectTimeout: Int, logger: Logger, progress: @escaping @Sendable (String) -> Void
    ) async throws -> (counts: [Count], target: String) {
        // Opening brings the SQLite schema up to date first, so every column has its place.
        let source = try SQLiteStore(path: path)
        let target = try PostgresStore(url: url, connectTimeout: connectTimeout, logger: logger)
        do {
            try await target.startInBackground()
            var expected: [String: Int] = [:]
            for table in PostgresStore.copiedTables { expected[table] = try source.rowCount(of: table) }
            let counts = expected
            try await target.copyIn { copy in
                for table in PostgresStore.copiedTables {
                    var (copied, after) = (0, Int64.min)
                    while true {
                        let batch = try source.rows(of: table, after: after)
                        guard let last = batch.lastRowID else { break }
                        try await copy.insert(table, columns: batch.columns, rows: batch.rows.map { $0.map(Self.value) })
                        copied += batch.rows.count
                        after = last
                        progress("copying \(table): \(copied) of \(counts[table] ?? 0)")
                    }
                }
            }
            let copied = try await target.rowCounts()
            let result = PostgresStore.copiedTables.map { Count(table: $0, sqlite: expected[$0] ?? 0, postgres: copied[$0] ?? 0) }
            let name = target.displayName
            await target.shutdown()
            return (result, name)
        } catch {
            await target.shutdown()
            throw error
        }
    }

    static func value(_ value: SQLiteStore.ExportValue) -> PostgresStore.CopyValue {
        switch value {
        case .null: .null
        case .integer(let number): .integer(number)
        case .real(let number): .real(number)
        case .text(let text): .text(text)
        }
    }
}
