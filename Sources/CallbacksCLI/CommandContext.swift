import Afterhours
import ArgumentParser
import CallbackStore
import Foundation
import Logging

/// What a command runs against: the environment, where its output goes, and whether
/// that is a terminal. `main` uses the process's own; tests capture the output.
public struct CommandContext: Sendable {
    public var environment: [String: String]
    public var write: @Sendable (String) -> Void
    public var colour: Bool

    public init(environment: [String: String], colour: Bool, write: @escaping @Sendable (String) -> Void) {
        self.environment = environment
        self.colour = colour
        self.write = write
    }

    /// The process's environment and standard output.
    public static var standard: CommandContext {
        let environment = ProcessInfo.processInfo.environment
        let terminal = isatty(STDOUT_FILENO) == 1 && environment["NO_COLOR"] == nil
        return CommandContext(environment: environment, colour: terminal) { text in
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
        }
    }
}

/// Options every subcommand accepts after its name (docs/reference.md).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file (else $CALLBACKS_CONFIG, ./callbacks.yaml, /etc/afterhours/callbacks.yaml).")
    var config: String?

    @Option(name: .customLong("as"), help: "Who is acting (default: $USER); recorded with every change.")
    var actor: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false
}

/// A subcommand that runs against a `CommandContext`.
protocol ContextCommand: AsyncParsableCommand {
    var global: GlobalOptions { get }
    func run(in context: CommandContext) async throws
}

extension ContextCommand {
    mutating func run() async throws {
        try await run(in: .standard)
    }
}

/// Everything a command needs, loaded once: configuration, clock, store, who is acting.
struct Desk {
    let configuration: Configuration
    let now: Date
    let actor: String
    let context: CommandContext
    let json: Bool

    init(_ options: GlobalOptions, _ context: CommandContext) throws {
        configuration = try Configuration.load(explicit: options.config, environment: context.environment)
        now = try CommandClock.now(environment: context.environment)
        actor = options.actor ?? context.environment["USER"] ?? "staff"
        self.context = context
        json = options.json
    }

    /// The store, with breached deadlines escalated first: every command that reads the
    /// queue sees breaches as soon as they happen, service or not.
    func openStore() throws -> CallbackStore {
        let store = try CallbackStore(path: configuration.storage.database, notificationChannels: configuration.notificationChannels)
        if configuration.escalation.onBreach { try store.sweepBreaches(at: now) }
        return store
    }

    var logger: Logger {
        var logger = Logger(label: "afterhours")
        logger.logLevel = context.environment["CALLBACKS_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }

    var shapes: JSONShapes { JSONShapes(timeZone: configuration.business.hours.timeZone, now: now) }

    var text: DeskText {
        DeskText(
            businessName: configuration.business.name, timeZone: configuration.business.hours.timeZone,
            now: now, colour: context.colour)
    }

    func print(_ text: String) { context.write(text) }
    func print(_ json: JSONValue) { context.write(json.rendered()) }
}

/// A failure the user sees as one sentence on stderr, with a non-zero exit.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
