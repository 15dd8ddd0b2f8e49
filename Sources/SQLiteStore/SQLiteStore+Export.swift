import Domain
import Foundation
import GRDB

/// Every row of a table as plain values, a batch at a time, for `callbacks storage copy`:
/// the SQLite store read the way it is written, and nothing about where the rows go.
extension SQLiteStore {
    public enum ExportValue: Sendable, Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
    }

    public struct ExportBatch: Sendable {
        public var columns: [String]
        public var rows: [[ExportValue]]
        /// The last row's rowid: the next batch starts after it. Nil when there are no more.
        public var lastRowID: Int64?
    }

    public func rowCount(of table: String) throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    /// Up to `limit` rows of `table` after rowid `after`, in rowid order.
    public func rows(of table: String, after: Int64, limit: Int = 2000) throws(StoreError) -> ExportBatch {
        try read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT rowid AS copy_rowid, * FROM \(table) WHERE rowid > ? ORDER BY rowid LIMIT ?", arguments: [after, limit])
            let columns: [String] = rows.first.map { Array($0.columnNames.dropFirst()) } ?? []
            let values = rows.map { row in
                (1..<row.count).map { index -> ExportValue in
                    switch (row[index] as DatabaseValue).storage {
                    case .null: .null
                    case .int64(let number): .integer(number)
                    case .double(let number): .real(number)
                    case .string(let text): .text(text)
                    case .blob(let data): .text(String(decoding: data, as: UTF8.self))
                    }
                }
            }
            return ExportBatch(columns: columns, rows: values, lastRowID: rows.last.map { $0["copy_rowid"] as Int64 })
        }
    }
}
