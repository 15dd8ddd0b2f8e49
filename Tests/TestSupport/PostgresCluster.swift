import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway PostgreSQL cluster for the tests: `initdb` into a temporary folder (as
/// `nobody` when the tests run as root, since initdb refuses root), started on a free
/// loopback port, one fresh database per test, stopped and deleted when the test process
/// exits (and by a watchdog if the process dies without exiting). Nothing is assumed to be
/// installed or running: without PostgreSQL's server programs the cases fail, saying so.
///
/// `shared` serves every test that only needs a database. A test that stops or restarts
/// the server makes a cluster of its own (`PostgresCluster()`), so the others never see
/// it go, and ends it with `destroy()`.
public actor PostgresCluster {
    public static let shared = PostgresCluster()

    struct Running {
        var bin: String
        var folder: String
        var port: Int
        var runAs: [String]
        var data: String { folder + "/data" }
    }

    private var running: Running?
    private var failure: String?
    private var databases = 0
    private var destroyed = false

    public init() {}

    /// A new, empty database's URL.
    public func createDatabase() throws -> String {
        let cluster = try start()
        databases += 1
        let name = "contract_\(getpid())_\(databases)"
        try Self.execute(
            [cluster.bin + "/createdb", "-h", "127.0.0.1", "-p", "\(cluster.port)", "-U", "postgres", name],
            log: cluster.folder + "/createdb.log", what: "createdb")
        return "postgresql://postgres@127.0.0.1:\(cluster.port)/\(name)?sslmode=disable"
    }

    /// Stops the server as an administrator would (`pg_ctl stop -m fast`: every session
    /// is ended, transactions in flight roll back), leaves it down for `downFor`, then
    /// starts it again on the same port with the same data.
    public func restart(downFor: Duration = .zero) async throws {
        let cluster = try start()
        try Self.execute(
            cluster.runAs + [cluster.bin + "/pg_ctl", "-D", cluster.data, "-m", "fast", "-w", "-t", "60", "stop"],
            log: cluster.folder + "/pg_ctl.log", what: "pg_ctl stop")
        if downFor > .zero { try await Task.sleep(for: downFor) }
        try Self.startServer(cluster)
    }

    /// Runs `sql` on the database `url` names with psql (no need to wait for the actor:
    /// tests poll with it); the rows, each a list of fields.
    public static func query(_ url: String, _ sql: String) throws -> [[String]] {
        guard let bin = findServerPrograms() else { throw ClusterError("PostgreSQL's programs were not found") }
        var template = Array("/tmp/afterhours-psql-XXXXXX".utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw ClusterError("cannot make a temporary file for psql's output") }
        close(descriptor)
        let output = String(cString: template)
        defer { unlink(output) }
        try execute(
            [bin + "/psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
            log: output, what: "psql")
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: true).map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// Runs `sql` and reads its one value as an integer.
    public static func count(_ url: String, _ sql: String) throws -> Int {
        let rows = try query(url, sql)
        guard let text = rows.first?.first, let value = Int(text) else { throw ClusterError("\(sql) gave \(rows), not a number") }
        return value
    }

    /// Stops the server now and deletes its folder (a cluster of a test's own, at its end).
    public func destroy() {
        destroyed = true
        guard let running else { return }
        self.running = nil
        let command = Self.stopCommand(running)
        _ = system(command)
        stopCommands.withLock { $0[running.folder] = nil }
    }

    private func start() throws -> Running {
        if let running { return running }
        if destroyed { throw ClusterError("this cluster was destroyed") }
        if let failure { throw ClusterError(failure) }
        do {
            let running = try Self.startCluster()
            self.running = running
            return running
        } catch let error as ClusterError {
            failure = error.description
            throw error
        }
    }

    private static func startCluster() throws -> Running {
        guard let bin = findServerPrograms() else {
            throw ClusterError(
                "PostgreSQL's server programs (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin, "
                    + "$AFTERHOURS_PG_BIN or PATH: install them (`make deps` installs the Debian package postgresql) "
                    + "to run the contract suite against PostgreSQL")
        }
        var template = Array("/tmp/afterhours-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ClusterError("cannot make a temporary folder for the cluster") }
        let folder = String(cString: made)
        var runAs: [String] = []
        if getuid() == 0 {
            // initdb refuses root: the cluster belongs to nobody.
            guard let nobody = getpwnam("nobody") else { throw ClusterError("running as root and there is no user nobody to run PostgreSQL as") }
            guard chown(folder, nobody.pointee.pw_uid, nobody.pointee.pw_gid) == 0 else {
                throw ClusterError("cannot give \(folder) to nobody: \(String(cString: strerror(errno)))")
            }
            runAs = ["/usr/sbin/runuser", "-u", "nobody", "--"]
            if !FileManager.default.isExecutableFile(atPath: runAs[0]) { runAs[0] = "/sbin/runuser" }
        }
        let data = folder + "/data"
        try execute(
            runAs + [bin + "/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            log: folder + "/initdb.log", what: "initdb")
        let running = Running(bin: bin, folder: folder, port: try freePort(), runAs: runAs)
        // Registered before the server starts: a start that fails halfway is cleaned too.
        registerStop(running)
        try startServer(running)
        return running
    }

    private static func startServer(_ cluster: Running) throws {
        try execute(
            cluster.runAs + [
                cluster.bin + "/pg_ctl", "-D", cluster.data, "-l", cluster.folder + "/server.log", "-w", "-t", "60",
                "-o", "-p \(cluster.port) -k \(cluster.folder) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=400",
                "start",
            ],
            log: cluster.folder + "/pg_ctl.log", what: "pg_ctl start")
    }

    /// The folder holding initdb and pg_ctl: $AFTERHOURS_PG_BIN, Debian's
    /// /usr/lib/postgresql/<newest>/bin, or PATH.
    private static func findServerPrograms() -> String? {
        let manager = FileManager.default
        if let bin = ProcessInfo.processInfo.environment["AFTERHOURS_PG_BIN"], manager.isExecutableFile(atPath: bin + "/initdb") {
            return bin
        }
        let versions = ((try? manager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions where manager.isExecutableFile(atPath: "/usr/lib/postgresql/\(version)/bin/initdb") {
            return "/usr/lib/postgresql/\(version)/bin"
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            if manager.isExecutableFile(atPath: "\(folder)/initdb"), manager.isExecutableFile(atPath: "\(folder)/pg_ctl") {
                return String(folder)
            }
        }
        return nil
    }

    /// A port nothing listens on now (the kernel's pick for port 0).
    private static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw ClusterError("cannot open a socket to find a free port") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socketFD, pointer, length) == 0 && getsockname(socketFD, pointer, &length) == 0
            }
        }
        guard bound else { throw ClusterError("cannot find a free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a program to its end with its output in `log`; a failure quotes the log.
    /// posix_spawn and waitpid rather than Foundation's Process, whose wait never returned
    /// once pg_ctl had left a server running in the background.
    private static func execute(_ arguments: [String], log: String, what: String) throws {
        let pid = try spawn(arguments, output: log)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ClusterError("cannot wait for \(what): \(String(cString: strerror(errno)))") }
        }
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw ClusterError("\(what) failed (\(exited ? "exit \(code)" : "signal \(status & 0x7f)")): \(text.suffix(2000))")
        }
    }

    /// Starts `arguments` with stdin from /dev/null and stdout and stderr to `output`.
    private static func spawn(_ arguments: [String], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // From /tmp, a folder every user may enter (nobody cannot always enter ours).
        let arguments = ["/bin/sh", "-c", "cd /tmp && exec \"$@\"", "sh"] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard result == 0 else { throw ClusterError("cannot run \(arguments[0]): \(String(cString: strerror(result)))") }
        return pid
    }

    /// The shell command that stops the server at once and deletes its folder.
    private static func stopCommand(_ cluster: Running) -> String {
        (cluster.runAs.map(shellQuoted) + [shellQuoted(cluster.bin + "/pg_ctl"), "-D", shellQuoted(cluster.data), "-m", "immediate", "-w", "stop"])
            .joined(separator: " ") + " >/dev/null 2>&1; rm -rf " + shellQuoted(cluster.folder)
    }

    /// Stops the server and deletes its folder when the tests end: at exit, or, if the
    /// test process is killed, from a watchdog that waits for it to disappear.
    private static func registerStop(_ cluster: Running) {
        let command = stopCommand(cluster)
        let first = stopCommands.withLock { commands in
            defer { commands[cluster.folder] = command }
            return commands.isEmpty
        }
        if first {
            atexit {
                for command in stopCommands.withLock({ Array($0.values) }) { _ = system(command) }
            }
        }
        // (After `destroy`, the watchdog's stop finds nothing to stop and nothing to delete.)
        _ = try? spawn(
            ["/bin/sh", "-c", "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(command)"], output: "/dev/null")
    }

    private static func shellQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// Every cluster still running, by folder: what stops it.
let stopCommands = LockedValue<[String: String]>([:])

final class LockedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

public struct ClusterError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
