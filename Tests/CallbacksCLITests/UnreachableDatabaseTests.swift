import Foundation
import Testing

/// A loopback socket that listens but never accepts nor answers: a database address whose
/// connections open and then hear nothing (a blackholed server).
final class SilentListener: @unchecked Sendable {
    let socketFD: Int32
    let port: Int

    init() throws {
        socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = socketFD
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0 && listen(fd, 16) == 0
            }
        }
        guard bound else { throw CocoaError(.fileWriteUnknown) }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(socketFD) }
}

@Suite("An unreachable PostgreSQL fails fast, quietly, and never shows its password", .serialized)
struct UnreachableDatabaseTests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
        var seconds: Double
    }

    /// `callbacks ARGS` as its own process (its logs go to its stderr, which is read here).
    func run(_ harness: Harness, _ arguments: [String], environment extra: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = ConcurrentNextTests.binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment.filter { $0.key != "CALLBACKS_LOG_LEVEL" && !$0.key.hasPrefix("CALLBACKS_") }
        environment["CALLBACKS_CONFIG"] = harness.root.appendingPathComponent("callbacks.yaml").path
        environment["CALLBACKS_NOW"] = "2026-11-23T08:05:00-05:00"
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        let clock = ContinuousClock()
        let started = clock.now
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Run(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self), errors: String(decoding: errors, as: UTF8.self),
            seconds: seconds)
    }

    @Test("doctor, list and storage copy give up within the connect timeout, name host:port, print no info logs and no password")
    func failsFast() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ConcurrentNextTests.binary.path), "build the binary first (make test does)")
        let silent = try SilentListener()
        let closed = try freePort()
        for (what, port) in [("nobody listens", closed), ("nobody answers", silent.port)] {
            let url = "postgresql://afterhours:s3cret-pw@127.0.0.1:\(port)/afterhours"
            let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "  database: afterhours.sqlite", with: "  database: \(url)\n  connect_timeout: 2s"))
            for arguments in [["doctor"], ["list", "--as", "alice"]] {
                let result = try run(harness, arguments)
                let all = result.output + result.errors
                #expect(result.status != 0, "\(what): \(arguments)")
                #expect(result.seconds < 15, "\(what): \(arguments) took \(result.seconds) s")
                #expect(!all.contains("s3cret-pw"), "\(what): \(arguments) shows the password: \(all)")
                #expect(all.contains("127.0.0.1:\(port)") && all.contains("within 2 s"), "\(what): \(arguments): \(all)")
                #expect(!all.contains(" info ") && !all.contains("[afterhours"), "\(what): \(arguments) logs below the log level: \(all)")
            }
            let doctor = try run(harness, ["doctor"])
            #expect(doctor.output.contains("✗ database postgresql://afterhours:***@127.0.0.1:\(port)/afterhours"), "\(doctor.output)")

            let sqlite = try Harness()
            _ = await sqlite.run(["list", "--as", "alice"])  // creates the SQLite store to copy
            let copy = try run(sqlite, ["storage", "copy", "--to", url])
            #expect(copy.status != 0 && copy.seconds < 15, "\(what): storage copy took \(copy.seconds) s")
            #expect(!(copy.output + copy.errors).contains("s3cret-pw"), "\(copy.errors)")
            let errorLines = copy.errors.split(separator: "\n")
            #expect(errorLines.count == 1 && copy.errors.contains("127.0.0.1:\(port)"), "\(what): \(copy.errors)")
            // With a log level asked for, the logs are there, still without the password.
            let verbose = try run(harness, ["list", "--as", "alice"], environment: ["CALLBACKS_LOG_LEVEL": "debug"])
            #expect(!(verbose.output + verbose.errors).contains("s3cret-pw"), "\(verbose.errors)")
        }
    }

    @Test("a PostgreSQL URL's password is never echoed in a refusal")
    func refusalsHidePassword() async throws {
        let harness = try Harness()
        _ = await harness.run(["list", "--as", "alice"])  // the SQLite store to copy
        let bad = await harness.run(["storage", "copy", "--to", "postgresql://u:s3cret-pw@127.0.0.1:5432/db?sslmode=bogus"])
        #expect(bad.status != 0 && bad.errors.contains("postgresql://u:***@127.0.0.1:5432/db") && !bad.errors.contains("s3cret-pw"), "\(bad.errors)")
    }
}
