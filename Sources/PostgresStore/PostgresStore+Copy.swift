import Domain
import Foundation
internal import PostgresNIO

/// `callbacks storage copy`: filling an empty PostgreSQL store from another store's rows,
/// ids kept, in one transaction (a copy that fails leaves the database empty).
extension PostgresStore {
    /// One value as the source store holds it; converted to the column's type here
    /// (SQLite's 0/1 become booleans).
    public enum CopyValue: Sendable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
    }

    /// The tables a copy fills, parents first.
    public static var copiedTables: [String] { Schema.tables }

    /// Rows in each table (after the schema is brought up to date).
    public func rowCounts() async throws(StoreError) -> [String: Int] {
        try await read { connection in
            var counts: [String: Int] = [:]
            for table in Schema.tables {
                counts[table] = try await connection.one("SELECT COUNT(*) AS n FROM \(unescaped: table)")?.int("n") ?? 0
            }
            return counts
        }
    }

    /// Runs `body` with a `CopyTarget` in one transaction, refusing a database that holds
    /// anything already; afterwards each table's id sequence continues after the copied ids.
    public func copyIn(_ body: @escaping @Sendable (CopyTarget) async throws -> Void) async throws(StoreError) {
        try await write("the copy failed; nothing was kept") { connection in
            for table in Schema.tables where table != "legacy_identity" {
                if try await connection.one("SELECT 1 AS one FROM \(unescaped: table) LIMIT 1") != nil {
                    throw StoreError(.databaseNotEmpty(self.displayName, table: table))
                }
            }
            try await connection.run("DELETE FROM legacy_identity")
            var types: [String: [String: String]] = [:]
            for row in try await connection.all(
                """
                SELECT table_name, column_name, data_type FROM information_schema.columns
                WHERE table_schema = current_schema()
                """)
            {
                types[try row.string("table_name"), default: [:]][try row.string("column_name")] = try row.string("data_type")
            }
            try await body(CopyTarget(connection: connection, types: types))
            for table in Schema.tables where types[table]?["id"] != nil {
                try await connection.run(
                    """
                    SELECT setval(pg_get_serial_sequence(\(table), 'id'), COALESCE((SELECT MAX(id) FROM \(unescaped: table)), 0) + 1, false)
                    """)
            }
        }
    }

    /// Where copied rows go, inside the copy's transaction.
    public struct CopyTarget: Sendable {
        let connection: PostgresConnection
        let types: [String: [String: String]]

        /// The columns `table` has here.
        public func columns(of table: String) -> Set<String> { Set(types[table].map { Array($0.keys) } ?? []) }

        /// Inserts `rows` (values in `columns`' order) into `table`.
        public func insert(_ table: String, columns: [String], rows: [[CopyValue]]) async throws {
            guard !rows.isEmpty else { return }
            guard let known = types[table] else { throw StoreError("there is no table \(table) in PostgreSQL") }
            for column in columns where known[column] == nil {
                throw StoreError("\(table).\(column) has no column to go to in PostgreSQL; nothing was copied")
            }
            // At most 65,535 parameters a statement.
            let perStatement = max(1, 60_000 / max(1, columns.count))
            var start = rows.startIndex
            while start < rows.endIndex {
                let end = min(start + perStatement, rows.endIndex)
                var bindings = PostgresBindings(capacity: (end - start) * columns.count)
                var tuples: [String] = []
                var parameter = 0
                for row in rows[start..<end] {
                    var placeholders: [String] = []
                    for (column, value) in zip(columns, row) {
                        parameter += 1
                        placeholders.append("$\(parameter)")
                        try Self.bind(value, as: known[column] ?? "text", column: "\(table).\(column)", into: &bindings)
                    }
                    tuples.append("(" + placeholders.joined(separator: ", ") + ")")
                }
                let sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES " + tuples.joined(separator: ", ")
                try await connection.run(PostgresQuery(unsafeSQL: sql, binds: bindings))
                start = end
            }
        }

        static func bind(_ value: CopyValue, as type: String, column: String, into bindings: inout PostgresBindings) throws {
            switch (value, type) {
            case (.null, _): bindings.appendNull()
            case (.integer(let number), "boolean"): bindings.append(number != 0)
            case (.integer(let number), "double precision"): bindings.append(Double(number))
            case (.integer(let number), "text"): bindings.append(String(number))
            case (.integer(let number), _): bindings.append(number)
            case (.real(let number), "double precision"): bindings.append(number)
            case (.real(let number), "bigint") where number == number.rounded(): bindings.append(Int64(number))
            case (.text(let text), "text"): bindings.append(text)
            case (.text(let text), "bigint"):
                guard let number = Int64(text) else { throw StoreError("\(column) holds \"\(text)\" where a number belongs") }
                bindings.append(number)
            default:
                throw StoreError("\(column) holds \(value) where PostgreSQL keeps \(type)")
            }
        }
    }
}
