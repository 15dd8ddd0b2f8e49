import Domain
import Dispatch
import Foundation
import Logging
internal import PostgresNIO
import ServiceLifecycle
import Synchronization
import UseCases

/// The queue's durable state in PostgreSQL (DESIGN §9): several `callbacks serve` nodes and
/// any number of staff share one database. The same protocols and the same behaviour as
/// the SQLite store (the contract suite runs against both); what differs is how
/// concurrency is made safe across machines:
///
/// - the claim is one statement, `FOR UPDATE SKIP LOCKED` in serving order;
/// - a message is stored once by its identity (a unique constraint), and a caller has one
///   callback not yet done (a partial unique index); a node that loses the race joins;
/// - every change to a callback locks its row first, so two nodes cannot raise two
///   escalations on one callback, and breach sweeps raise one;
/// - the outbox hands each due notification to one node (`SKIP LOCKED` and a short lease).
///
/// The client is pooled and reconnects by itself. Its run loop starts on first use in a
/// task of the store's own; as a `Service` in `serve`'s group the store closes it at
/// shutdown. The schema is brought up to date on first use, under an advisory lock.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// Where every new escalation is announced: one outbox row per channel.
    let notificationChannels: [String]
    /// What the database is, for messages (the URL without its password).
    public let displayName: String
    /// `host:port`, for saying where the database could not be reached.
    let endpoint: String
    /// How long the first connection may take before a command gives up (seconds).
    let connectTimeout: Int
    /// How long a node holds notifications it took from the outbox before another node may
    /// take them (a node that dies mid-delivery: at least once, never by two nodes at once).
    let deliveryLease: Int64 = 120

    private let migration = MigrationOnce()
    private let background = BackgroundRun()

    /// A store on the database `url` names (`postgresql://user:password@host:port/name`,
    /// `?sslmode=disable|prefer|require`). Nothing is connected until the client runs.
    /// `connectTimeout` bounds the wait for the first connection (seconds): a database that
    /// cannot be reached fails the command then, with where and what to check.
    public init(
        url: String, notificationChannels: [String] = [], connectTimeout: Int = 5,
        logger: Logger = PostgresStore.quietLogger
    ) throws(StoreError) {
        var parsed = try PostgresURL(url)
        parsed.configuration.options.connectTimeout = .seconds(Int64(max(1, connectTimeout)))
        self.client = PostgresClient(configuration: parsed.configuration, backgroundLogger: logger)
        self.logger = logger
        self.notificationChannels = notificationChannels
        self.displayName = parsed.displayName
        self.endpoint = parsed.endpoint
        self.connectTimeout = max(1, connectTimeout)
    }

    /// The pool's logger when the caller gives none: warnings and worse only.
    public static var quietLogger: Logger {
        var logger = Logger(label: "afterhours.postgres")
        logger.logLevel = .warning
        return logger
    }

    /// `url` with its password masked (`DatabaseURL.redacted`).
    public static func redacted(_ url: String) -> String { DatabaseURL.redacted(url) }

    /// Whether `database` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgresURL(_ database: String) -> Bool { DatabaseURL.isPostgres(database) }

    /// As a `Service`: keeps the store's connection pool for the service group's lifetime
    /// and closes it at graceful shutdown. (The pool itself starts on first use, so
    /// one-shot commands and tests need no group.)
    public func run() async {
        startPool()
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Starts the pool now and brings the schema up to date (tests, one-shot commands).
    public func startInBackground() async throws(StoreError) {
        try await ready()
    }

    /// Closes the pool and waits for it.
    public func shutdown() async {
        await background.stop()
    }

    private func startPool() {
        background.start { [client] in await client.run() }
    }

    /// The schema, applied once per process (and once across nodes: advisory lock).
    func ready() async throws(StoreError) {
        startPool()
        do {
            try await migration.run { [self] in try await self.withinConnectTimeout { connected in try await self.migrate(connected: connected) } }
        } catch {
            throw Self.storeError(error, doing: "cannot open the database \(displayName)")
        }
    }

    /// Runs `body`, which calls `connected` once it holds a connection; if it does not within
    /// `connectTimeout`, it is cancelled and the database is said to be unreachable. (The
    /// pool by itself keeps retrying for a minute before it gives up.)
    func withinConnectTimeout(_ body: @escaping @Sendable (@escaping @Sendable () -> Void) async throws -> Void) async throws {
        let reached = Reached()
        let (timeout, endpoint) = (connectTimeout, endpoint)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await body { reached.set() }
                return true
            }
            group.addTask {
                try await Task.sleep(for: .seconds(timeout))
                guard reached.value else {
                    throw StoreError(
                        "cannot reach PostgreSQL at \(endpoint) within \(timeout) s: check that it is running and listening there, "
                            + "and that this machine can reach it (host and port in storage.database, firewall); storage.connect_timeout sets the wait")
                }
                return false
            }
            // The work done: stop the watchdog. The watchdog done first: the work is
            // connected, so wait for it.
            while let finished = try await group.next() {
                if finished {
                    group.cancelAll()
                    return
                }
            }
        }
    }

    // MARK: - Running statements

    @discardableResult
    /// Runs `body` in one transaction on one pooled connection. Deadlocks and
    /// serialization failures (two nodes crossing) are retried a few times, and so is a
    /// transaction that could not begin because its connection had closed (the database
    /// restarted: the pool opens a new one).
    func write<T: Sendable>(
        _ what: String = "database write failed", _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws(StoreError) -> T {
        try await onConnection(what, tries: 5, retrying: { Self.isRetryable($0) || $0 is TransactionNotBegun }) { connection in
            try await Self.transaction(connection, body)
        }
    }

    /// BEGIN, `body`, COMMIT on `connection`; ROLLBACK when `body` fails, unless the
    /// connection is gone (the server rolled the transaction back as it ended the session).
    /// (postgres-nio's `withTransaction` always sends ROLLBACK, and a statement sent on a
    /// closed connection is never answered: see `PostgresConnection.all`.)
    static func transaction<T: Sendable>(
        _ connection: PostgresConnection, _ body: @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            try await connection.run("BEGIN")
        } catch {
            throw TransactionNotBegun(underlying: error)
        }
        do {
            let value = try await body(connection)
            try await connection.run("COMMIT")
            return value
        } catch {
            if !isConnectionLost(error), !connection.isClosed { _ = try? await connection.run("ROLLBACK") }
            throw error
        }
    }

    /// Runs `body`, whose one change is a single statement (atomic on its own, so no BEGIN
    /// and COMMIT round trips), on one pooled connection. Retried as `write` is: on a
    /// deadlock or serialization failure, or a connection found closed before anything
    /// was sent on it.
    func statement<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws(StoreError) -> T {
        try await onConnection(what, tries: 5, retrying: { Self.isRetryable($0) || $0 is ConnectionClosed }, body)
    }

    @discardableResult
    /// Runs `body` on one pooled connection, outside a transaction (reads). A read whose
    /// connection turns out closed is tried again on another.
    func read<T: Sendable>(
        _ what: String = "database read failed", _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws(StoreError) -> T {
        try await onConnection(what, tries: 3, retrying: { Self.isConnectionLost($0) }, body)
    }

    /// Runs `operation` on one pooled connection; a failure `retrying` accepts is tried
    /// again after a short pause that grows with each try, up to `tries` in all. What is
    /// left is a `StoreError` saying `what` failed.
    private func onConnection<T: Sendable>(
        _ what: String, tries: Int, retrying: @Sendable (any Error) -> Bool,
        _ operation: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws(StoreError) -> T {
        try await ready()
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await client.withConnection { connection in try await operation(connection) }
            } catch {
                if attempt < tries, retrying(error) {
                    try? await Task.sleep(for: .milliseconds(Int.random(in: 5...50) * attempt))
                    continue
                }
                throw Self.storeError(error, doing: what)
            }
        }
    }

    /// Whether `error` says the connection is gone, rather than that a statement was
    /// refused: closed or reset, or the server ending the session (a FATAL error, such as
    /// 57P01 when an administrator stops or restarts it).
    static func isConnectionLost(_ error: any Error) -> Bool {
        if error is ConnectionClosed { return true }
        if let error = error as? TransactionNotBegun { return isConnectionLost(error.underlying) }
        if let error = error as? PSQLError {
            switch error.code {
            case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown: return true
            case .server:
                let severity = error.serverInfo?[.severity] ?? ""
                let state = error.serverInfo?[.sqlState] ?? ""
                return severity == "FATAL" || severity == "PANIC" || state.hasPrefix("57P") || state.hasPrefix("08")
            default: return false
            }
        }
        return false
    }

    static func isRetryable(_ error: any Error) -> Bool {
        let state = sqlState(error)
        return state == "40P01" || state == "40001"
    }

    static func sqlState(_ error: any Error) -> String? {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] }
        if let error = error as? PostgresTransactionError {
            for inner in [error.closureError, error.commitError, error.beginError] {
                if let inner, let state = sqlState(inner) { return state }
            }
        }
        return nil
    }

    /// A refusal from the closure as it was thrown; a database failure in words.
    static func storeError(_ error: any Error, doing what: String) -> StoreError {
        if let error = error as? StoreError { return error }
        // Class 23, integrity constraint violation: the same refusal as on every store.
        if let state = sqlState(error), state.hasPrefix("23") { return StoreError(.breaksInvariant(describe(error))) }
        if let error = error as? TransactionNotBegun { return storeError(error.underlying, doing: what) }
        if let error = error as? PostgresTransactionError {
            if let inner = error.closureError { return storeError(inner, doing: what) }
            if let inner = error.commitError ?? error.beginError { return storeError(inner, doing: what) }
        }
        return StoreError("\(what): \(describe(error))")
    }

    static func describe(_ error: any Error) -> String {
        // The pool's circuit breaker (its error type is not public): a minute of failed
        // connection attempts with no connection open.
        if String(describing: error).contains("connectionCreationCircuitBreakerTripped") {
            return "no connection to the database could be made for a minute (is it running, and reachable from here?)"
        }
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return String(describing: underlying) }
            return "\(error.code)"
        }
        return String(describing: error)
    }

    // MARK: - The synchronous side (ingest)

    /// Runs async database work for a synchronous caller and blocks it until done.
    ///
    /// `IngestRepository` is synchronous on purpose: ingest is a batch pipeline on its own
    /// DispatchQueue threads, never Swift's cooperative pool. Blocking such a thread on a
    /// semaphore is fine; the work itself runs in a task whose executor is a dispatch queue
    /// of its own (`StoreExecutor`), not the cooperative pool, so even a caller that does
    /// block a pool thread (a test) cannot starve the work it waits for.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws(StoreError) -> T) throws(StoreError) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: StoreExecutor.shared) {
            do throws(StoreError) {
                box.set(.success(try await body()))
            } catch {
                box.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        return try box.get().get()
    }
}

extension PostgresStore: Service {}

/// A transaction whose BEGIN failed: nothing was done, so it may be tried again.
struct TransactionNotBegun: Error {
    var underlying: any Error
}

/// Where the synchronous bridge runs its work: ordinary dispatch threads (which may grow
/// when some block), never the cooperative pool.
final class StoreExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = StoreExecutor()
    private let queue = DispatchQueue(label: "afterhours.postgres.sync", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, StoreError>?

    func set(_ value: Result<T, StoreError>) {
        lock.lock()
        result = value
        lock.unlock()
    }

    func get() -> Result<T, StoreError> {
        lock.lock()
        defer { lock.unlock() }
        return result ?? .failure(StoreError("the database call ended without a result"))
    }
}

/// Whether the first connection was made.
final class Reached: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var value: Bool { flag.withLock { $0 } }
}

/// Runs the migrations once per process; a failure is retried on the next use.
final class MigrationOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, any Error>?

    func run(_ body: @escaping @Sendable () async throws -> Void) async throws {
        let current: Task<Void, any Error> = lock.withLock {
            if let task { return task }
            let started = Task { try await body() }
            task = started
            return started
        }
        do {
            try await current.value
        } catch {
            lock.withLock {
                if task == current { task = nil }
            }
            throw error
        }
    }
}

/// The pool's run loop when no service group runs it.
final class BackgroundRun: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?
    /// A client runs once: after `stop`, it is not started again.
    private var stopped = false

    func start(_ body: @escaping @Sendable () async -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard task == nil, !stopped else { return }
        // On the store's own executor, not the cooperative pool: a synchronous caller
        // blocking a pool thread (ingest called from a task, as tests do) cannot starve
        // the pool that makes the connections it waits for.
        task = Task(executorPreference: StoreExecutor.shared) { await body() }
    }

    func stop() async {
        let current: Task<Void, Never>? = lock.withLock {
            let current = task
            task = nil
            stopped = true
            return current
        }
        current?.cancel()
        await current?.value
    }
}

/// `postgresql://user:password@host:port/name?sslmode=…`, as libpq writes it.
struct PostgresURL {
    var configuration: PostgresClient.Configuration
    var displayName: String
    var endpoint: String

    init(_ string: String) throws(StoreError) {
        guard let components = URLComponents(string: string),
            components.scheme == "postgresql" || components.scheme == "postgres"
        else {
            throw StoreError(.notPostgresURL(PostgresStore.redacted(string)))
        }
        let host = components.host.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding } ?? "127.0.0.1"
        let port = components.port ?? 5432
        let user = components.user?.removingPercentEncoding ?? "postgres"
        let password = components.password?.removingPercentEncoding
        var name = components.path
        if name.hasPrefix("/") { name.removeFirst() }
        let database = name.isEmpty ? user : (name.removingPercentEncoding ?? name)
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "disable" {
        case "disable", "allow": tls = .disable
        case "prefer": tls = .prefer(.makeClientConfiguration())
        case "require":
            // libpq's `require` encrypts without checking the certificate.
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            tlsConfiguration.certificateVerification = .none
            tls = .require(tlsConfiguration)
        case "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        case let other:
            throw StoreError(.unknownSSLMode(other, url: PostgresStore.redacted(string)))
        }
        for key in query.keys where key != "sslmode" && key != "application_name" {
            throw StoreError(.unsupportedURLOption(key, url: PostgresStore.redacted(string)))
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = 20
        if let application = query["application_name"] {
            configuration.options.additionalStartupParameters = [("application_name", application)]
        }
        self.configuration = configuration
        self.displayName = "postgresql://\(user)@\(host):\(port)/\(database)"
        self.endpoint = "\(host):\(port)"
    }
}
