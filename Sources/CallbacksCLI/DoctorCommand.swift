import App
import ArgumentParser
import Foundation
import Settings
import Transcription
import UseCases

/// Checks what `serve` needs, and says what to fix.
struct DoctorCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the configuration, folders, database, HTTP address, greeting folder and notification channels.")

    @OptionGroup var global: ConfigOption

    struct Check {
        var name: String
        var problem: String?
    }

    func run(in context: CommandContext) async throws {
        let desk: Desk
        do {
            desk = try Desk(global, context)
        } catch {
            context.write("✗ configuration: \(error)\n1 problem.")
            throw ExitCode(1)
        }
        try desk.requireLocal("doctor")
        let configuration = desk.configuration
        var checks = [Check(name: "configuration \(configuration.file ?? "(built-in defaults)")", problem: nil)]
        checks.append(Self.folder(
            "spool \(configuration.spool.path)", configuration.spool.path, write: !configuration.spool.keepOriginals,
            missing: "does not exist: set spool.path to the folder the PBX writes voicemail to, or create it"))
        checks.append(Self.folder("archive \(configuration.spool.archive)", configuration.spool.archive, write: true, create: true))
        checks.append(Self.folder("quarantine \(configuration.spool.quarantine)", configuration.spool.quarantine, write: true, create: true))
        let database = configuration.storage.database
        // Checking never creates the database: a mistyped path would otherwise pass as a
        // new, empty one.
        let sqliteNotYet = !Wiring.isPostgresURL(database) && !FileManager.default.fileExists(atPath: database)
        if sqliteNotYet {
            var problem: String?
            do {
                try Wiring.refuseNewDatabaseOverOldData(configuration)
                if !Self.canCreate(database) { problem = "does not exist and cannot be created by this user" }
            } catch {
                problem = "\(error)"
            }
            checks.append(Check(name: "database \(configuration.storage.shownDatabase)\(problem == nil ? " (not there yet: the first command creates it)" : "")", problem: problem))
        } else {
            do {
                _ = try await desk.people().anyoneAdded()
                checks.append(Check(name: "database \(configuration.storage.shownDatabase)", problem: nil))
            } catch {
                checks.append(Check(name: "database \(configuration.storage.shownDatabase)", problem: "\(error)"))
            }
        }
        if let listen = configuration.http.listen {
            // The service itself may be the one listening there: then the address is fine.
            let problem = Self.canListen(listen)
            let healthy = problem != nil && Self.answersHealth(listen, tls: configuration.http.tls != nil)
            checks.append(Check(name: "http.listen \(listen)\(healthy ? " (the service answers there)" : "")", problem: healthy ? nil : problem))
            if let tls = configuration.http.tls {
                for (key, path) in [("certificate", tls.certificate), ("key", tls.key)] {
                    checks.append(Check(
                        name: "http.tls.\(key) \(path)",
                        problem: FileManager.default.isReadableFile(atPath: path) ? nil : "cannot be read by this user"))
                }
            }
            if configuration.http.publicURL == nil {
                checks.append(Check(name: "http.public_url", problem: "not set: sign-in links and notification links need the address people reach the service at"))
            }
        }
        if let folder = configuration.greeting.folder {
            checks.append(Self.folder("greeting.folder \(folder)", folder, write: true, create: true))
        }
        // The transcriber's start check reads no message: with no database yet, one in memory serves.
        let transcriptStore: (any Store)? = sqliteNotYet ? Wiring.scratchStore() : try? desk.openStore()
        if configuration.transcription.enabled, let store = transcriptStore {
            // Started for real: the model loaded and the process said it is ready.
            let transcriber = Transcriber(
                settings: configuration.transcription, desk: Wiring.transcriptDesk(configuration, store: store), now: { desk.now },
                logger: desk.logger)
            var problem: String?
            do throws(TranscriberError) {
                try await transcriber.checkStarts()
            } catch {
                problem = "\(error); install it (docs/transcription.md) or set transcription.enabled: false"
            }
            checks.append(Check(name: "transcriber \(configuration.transcription.model) with \(configuration.transcription.python)", problem: problem))
        }
        let searchPath = (context.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for channel in configuration.owner.notify {
            switch channel {
            case .webhook(let url):
                checks.append(Check(name: "notify webhook \(url.absoluteString)", problem: url.host == nil ? "has no host" : nil))
            case .command(let path):
                checks.append(Check(
                    name: "notify command \(path)",
                    problem: FileManager.default.isExecutableFile(atPath: path) ? nil : "is not an executable file"))
            case .email(let address):
                let sendmail = searchPath.map { "\($0)/sendmail" } + ["/usr/sbin/sendmail", "/usr/lib/sendmail"]
                checks.append(Check(
                    name: "notify email \(address)",
                    problem: sendmail.contains { FileManager.default.isExecutableFile(atPath: $0) } ? nil : "there is no sendmail here: install a mail transfer agent (e.g. apt-get install msmtp-mta)"))
            }
        }
        let problems = checks.filter { $0.problem != nil }.count
        desk.print(checks.map { check in check.problem.map { "✗ \(check.name): \($0)" } ?? "✓ \(check.name)" }.joined(separator: "\n"))
        desk.print(problems == 0 ? "All good." : "\(problems) problem\(problems == 1 ? "" : "s") to fix.")
        if problems > 0 { throw ExitCode(1) }
    }

    static func folder(_ name: String, _ path: String, write: Bool, create: Bool = false, missing: String = "does not exist") -> Check {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            return Check(name: name, problem: create ? (canCreate(path) ? nil : "does not exist and cannot be created") : missing)
        }
        guard isFolder.boolValue else { return Check(name: name, problem: "is a file, not a folder") }
        guard FileManager.default.isReadableFile(atPath: path) else { return Check(name: name, problem: "cannot be read by this user") }
        if write, !FileManager.default.isWritableFile(atPath: path) {
            return Check(name: name, problem: "cannot be written by this user (give the service's user write access)")
        }
        return Check(name: name, problem: nil)
    }

    static func canCreate(_ path: String) -> Bool {
        var parent = URL(fileURLWithPath: path).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: parent.path), parent.path != "/" { parent.deleteLastPathComponent() }
        return FileManager.default.isWritableFile(atPath: parent.path)
    }

    /// Whether an Afterhours service answers `/healthz` there.
    static func answersHealth(_ listen: Configuration.HTTPSettings.Listen, tls: Bool) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-fsk", "--max-time", "3", "-o", "/dev/null", "\(tls ? "https" : "http")://\(listen)/healthz"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Binds the address for a moment: nil if the service could listen there.
    static func canListen(_ listen: Configuration.HTTPSettings.Listen) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(listen.host, String(listen.port), &hints, &result) == 0, let info = result else {
            return "\(listen.host) is not an address of this machine"
        }
        defer { freeaddrinfo(result) }
        let socket = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard socket >= 0 else { return "cannot open a socket" }
        defer { close(socket) }
        var yes: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard bind(socket, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            return "cannot listen there: \(String(cString: strerror(errno))) (another service on that port, or a port below 1024 without the right)"
        }
        return nil
    }
}
