import CallbacksCLI
import Foundation
import TestSupport
import Testing

/// A throwaway installation: its own folder, `callbacks.yaml`, spool and database, with
/// commands run through the real argument parsing and command layer.
final class Harness: @unchecked Sendable {
    let root: URL
    let lock = NSLock()

    static let fixtures = Repository.fixtures

    static let acme = """
        business:
          name: Acme Plumbing
          timezone: America/New_York
          hours:
            mon: ["08:00-17:00"]
            tue: ["08:00-17:00"]
            wed: ["08:00-17:00"]
            thu: ["08:00-17:00"]
            fri: ["08:00-17:00"]
        callbacks:
          respond_within: 2h
          urgent_within: 30m
          claim_lease: 30m
        spool:
          path: spool
          archive: archive
          quarantine: quarantine
          settle: 0s
        storage:
          database: afterhours.sqlite
        """

    init(config: String = Harness.acme) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        try config.write(to: root.appendingPathComponent("callbacks.yaml"), atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var spool: URL { root.appendingPathComponent("spool") }
    var archive: URL { root.appendingPathComponent("archive") }
    var quarantine: URL { root.appendingPathComponent("quarantine") }

    /// Copies the bundled example spool into this installation's spool.
    func copyExampleSpool() throws {
        try FileManager.default.removeItem(at: spool)
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("spool"), to: spool)
    }

    struct Result {
        let status: Int32
        let output: String
        let errors: String
        /// The output parsed as JSON.
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(output.utf8), options: [.fragmentsAllowed]) }
    }

    /// Where `callbacks serve`'s clock starts in tests: shortly before the staff commands'
    /// default `now`, so what the service stores is in the queue by then. Never the
    /// machine's clock: the suite gives the same result on any date.
    static let serveStart = "2026-11-23T08:00:00-05:00"

    /// The environment `callbacks serve` runs with as a child process.
    var serveEnvironment: [String: String] {
        ["CALLBACKS_CONFIG": root.appendingPathComponent("callbacks.yaml").path, "CALLBACKS_NOW": Self.serveStart]
    }

    /// Runs `callbacks ARGS` at `now` (ISO 8601), as the binary would.
    /// `environment` changes the defaults (a nil value removes the variable).
    func run(_ arguments: [String], now: String = "2026-11-23T08:05:00-05:00", environment changes: [String: String?] = [:]) async -> Result {
        let output = Captured()
        let errors = Captured()
        var environment = [
            "CALLBACKS_CONFIG": root.appendingPathComponent("callbacks.yaml").path, "CALLBACKS_NOW": now,
            "USER": "tester",
        ]
        for (name, value) in changes { environment[name] = value }
        let context = CommandContext(environment: environment, colour: false, write: { output.append($0) })
        let status = await CallbacksCommand.run(arguments, in: context, errors: { errors.append($0) })
        return Result(status: status, output: output.text, errors: errors.text)
    }

    /// Files under `folder`, relative to it, sorted.
    func files(under folder: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                found.append(path)
            }
        }
        return found.sorted()
    }
}

final class Captured: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }
}

extension Harness {
    /// Runs one of the repository's scripts (`scripts/NAME`) with `bash`, and what it
    /// printed on stdout; stderr is dropped.
    static func runScript(_ name: String, _ arguments: [String]) throws -> (output: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Repository.root.appendingPathComponent("scripts/\(name)").path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (text, process.terminationStatus)
    }
}
