import Domain
import FileErrors
import Foundation
import GRDB

/// The queue's durable state: messages, callbacks and their history, in one SQLite file.
///
/// The CLI and the service are separate processes on the same file, so every
/// read-then-write happens inside one `BEGIN IMMEDIATE` transaction, and writers wait
/// for each other (`busyMode`) instead of failing.
public final class SQLiteStore: Sendable {
    let writer: any DatabaseWriter
    /// Where every new escalation is announced (`webhook:URL`, `command:PATH`,
    /// `email:ADDRESS`): one outbox row per channel, in the escalation's transaction.
    let notificationChannels: [String]

    /// Opens (creating folders and file on first use) the database at `path`, in WAL mode,
    /// and brings its schema up to date.
    public init(path: String, notificationChannels: [String] = []) throws(StoreError) {
        self.notificationChannels = notificationChannels
        let url = URL(fileURLWithPath: path)
        do {
            try FileError.createFolder(url.deletingLastPathComponent().path, for: "the database")
        } catch {
            throw StoreError(error.description)
        }
        // SQLite says only "unable to open database file" when the path is a folder.
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw StoreError("cannot open the database \(path): it is a folder, not a file")
        }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            writer = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(writer)
        } catch {
            throw StoreError("cannot open the database \(path): \(Self.describe(error))")
        }
    }

    /// Runs `body` in one write transaction, mapping database failures to `StoreError`.
    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.writeFailure(error)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try writer.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError("database read failed: \(Self.describe(error))")
        }
    }

    /// The same through GRDB's asynchronous API: the calling task is suspended, not the
    /// thread, so the desk's doors (HTTP, the service's loops) never block Swift's pool.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await writer.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.writeFailure(error)
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await writer.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError("database read failed: \(Self.describe(error))")
        }
    }

    /// A failed write: a constraint the database holds is the same refusal on every store;
    /// anything else is a database failure in words.
    static func writeFailure(_ error: any Error) -> StoreError {
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_CONSTRAINT {
            return StoreError(.breaksInvariant(describe(error)))
        }
        return StoreError("database write failed: \(describe(error))")
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? error.description }
        return String(describing: error)
    }
}

