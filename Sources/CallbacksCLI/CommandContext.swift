import App
import ArgumentParser
import Domain
import Foundation
import Logging
import Presentation
import Runtime
import Settings
import Synchronization
import UseCases

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

/// The global options a command was given, whichever of them it takes.
struct Invocation: Sendable {
    var config: String?
    var actor: String?
    var json = false
    var server: String?
    var token: String?
}

/// The options a command takes besides its own: each command shows in `--help` only the
/// ones it uses (docs/reference.md#global-options).
protocol CommandOptions: ParsableArguments {
    var invocation: Invocation { get }
}

/// The configuration file: every command takes it.
struct ConfigOption: ParsableArguments, CommandOptions {
    @Option(name: .long, help: "The configuration file (else $CALLBACKS_CONFIG, ./callbacks.yaml, /etc/afterhours/callbacks.yaml).")
    var config: String?

    var invocation: Invocation { Invocation(config: config) }
}

/// A command at the server's shell that can print JSON (`ingest`, `people`, `hours`, `greeting`).
struct LocalOptions: ParsableArguments, CommandOptions {
    @OptionGroup var file: ConfigOption

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    var invocation: Invocation { Invocation(config: file.config, json: json) }
}

/// The staff's and owner's commands: locally as someone, or through a server.
struct GlobalOptions: ParsableArguments, CommandOptions {
    @OptionGroup var file: ConfigOption

    @Option(name: .customLong("as"), help: "Who is acting (default: $USER, then $LOGNAME); recorded with every change.")
    var actor: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Option(name: .long, help: "Work against this Afterhours server (else $CALLBACKS_URL), e.g. https://calls.example.com.")
    var server: String?

    @Option(name: .long, help: "Your token for the server (else $CALLBACKS_TOKEN); it names who you are.")
    var token: String?

    var invocation: Invocation { Invocation(config: file.config, actor: actor, json: json, server: server, token: token) }

    /// The spellings above, for `CallbacksCommand.normalised` to move from before a
    /// subcommand to after it: options that take a value, then flags.
    static let valued = ["--config", "--as", "--server", "--token"]
    static let flags = ["--json"]
}

/// A subcommand that runs against a `CommandContext`.
protocol ContextCommand: AsyncParsableCommand {
    associatedtype Options: CommandOptions
    var global: Options { get }
    func run(in context: CommandContext) async throws
}

extension ContextCommand {
    mutating func run() async throws {
        try await run(in: .standard)
    }
}

/// A command acting on one callback or escalation, given by its number.
protocol NumberedCommand: ContextCommand {
    /// What `id` is, for messages: "a callback number", "an escalation number".
    static var idKind: String { get }
    var id: Int64 { get }
}

extension NumberedCommand {
    /// Numbers start at 1: anything below is a slip, said as such rather than as an
    /// unknown callback.
    func validate() throws {
        guard id >= 1 else { throw ValidationError("\(id) is not \(Self.idKind): numbers start at 1") }
    }
}

/// `CALLBACKS_LOG_LEVEL`, read here for every command, `serve` included.
enum LogLevel {
    /// The level the environment asks for; nil when unset or empty (the command's default).
    static func requested(in environment: [String: String]) throws(CommandFailure) -> Logger.Level? {
        guard let text = environment["CALLBACKS_LOG_LEVEL"], !text.isEmpty else { return nil }
        guard let level = Logger.Level(rawValue: text) else {
            let names = Logger.Level.allCases.map(\.rawValue)
            throw CommandFailure(
                "CALLBACKS_LOG_LEVEL \"\(text)\" is not a log level: use \(names.dropLast().joined(separator: ", ")) or \(names.last ?? "")")
        }
        return level
    }
}

/// Everything a command needs, loaded once: configuration, clock, store, who is acting.
struct Desk {
    let configuration: Configuration
    let now: Date
    /// Who is acting, checked when a command needs to know: reading the queue needs no name.
    private let actorChoice: Result<String, CommandFailure>
    let context: CommandContext
    let json: Bool
    /// `CALLBACKS_LOG_LEVEL`; nil: each command's default.
    let logLevel: Logger.Level?

    /// Whether `--as` was given: hints then repeat it, since the login name is someone else.
    let actorGiven: Bool
    private let stores = StoreCache()

    /// The server the command works against, when there is one.
    let remote: RemoteDesk?

    init(_ given: some CommandOptions, _ context: CommandContext) throws {
        let options = given.invocation
        remote = try RemoteDesk(options, context.environment)
        if remote != nil, options.actor != nil {
            throw CommandFailure("--as is refused with a server: your token names who you are")
        }
        configuration = try Configuration.load(explicit: options.config, environment: context.environment)
        now = try CommandClock.now(environment: context.environment)
        logLevel = try LogLevel.requested(in: context.environment)
        actorChoice = Result { () throws(CommandFailure) in try Self.actor(options.actor, environment: context.environment) }
        actorGiven = options.actor != nil
        self.context = context
        json = options.json
    }

    /// Who is acting: `--as`, else the login name. Trimmed, never empty, printable: the
    /// name is recorded in every change and spoken in the opening line.
    static func actor(_ given: String?, environment: [String: String], option: String = "--as") throws(CommandFailure) -> String {
        // An empty login variable is as good as none: try the next one.
        let login = ["USER", "LOGNAME"].lazy.compactMap { variable in
            environment[variable].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : (variable, $0) }
        }.first
        guard let raw = given ?? login?.1 else {
            throw CommandFailure("who is acting? There is no login name ($USER): give one with --as NAME")
        }
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let source = given == nil ? "the login name ($\(login?.0 ?? "USER"))" : option
        guard !name.isEmpty else { throw CommandFailure("\(source) is empty: name the person acting, for example \(option) alice") }
        guard !name.unicodeScalars.contains(where: { TerminalText.isUnsafe($0) || $0 == "\n" || $0 == "\t" }) else {
            throw CommandFailure("\(source) \"\(TerminalText.oneLine(name))\" contains control characters: use a plain name")
        }
        guard name.count <= 64 else { throw CommandFailure("\(source) is longer than 64 characters: use a short name") }
        return name
    }

    /// The name of the person acting; refused when there is none or it is not a name.
    var actor: String {
        get throws(CommandFailure) { try actorChoice.get() }
    }

    /// Who reads: the person acting, or, when no name is given anywhere, a reader with no
    /// name and no owner role (reading needs no name; a name given but wrong is refused).
    var reader: Acting {
        get async throws {
            if !actorGiven, (try? actor) == nil { return Acting("", isOwner: false) }
            return try await person
        }
    }

    /// The person acting: before anyone is added with `callbacks people add`, anyone, with
    /// the owner role if `owner.people` names them; after, one of the people, with their role.
    var person: Acting {
        get async throws {
            try await PeopleDesk(store: openStore(), configuredOwners: configuration.owner.people).local(actor)
        }
    }

    /// Refuses a command that works only at the server's shell when a server is named.
    func requireLocal(_ command: String) throws {
        guard remote == nil else {
            throw CommandFailure("callbacks \(command) works at the server's shell only, not through --server or $CALLBACKS_URL")
        }
    }

    /// The store `storage.database` names, opened once per command.
    func openStore() throws -> any Store {
        try stores.open { () throws(StoreError) in try Wiring.openStore(configuration, logger: logger) }
    }

    /// The staff's jobs, on the configured store.
    func callbacks() async throws -> CallbackDesk {
        let store = try openStore()
        // Everyone reads the escalations only while nobody is named owner and no people exist.
        let peopleExist = try await people().anyoneAdded()
        let anyone = configuration.owner.people.isEmpty && !peopleExist
        return Wiring.desk(configuration, store: store, anyoneReadsEscalations: anyone)
    }

    /// The owner's jobs, on the configured store.
    func owner() async throws -> OwnerDesk {
        OwnerDesk(desk: try await callbacks())
    }

    /// Managing people.
    func people() throws -> PeopleDesk {
        PeopleDesk(store: try openStore(), configuredOwners: configuration.owner.people)
    }

    /// `--as NAME ` when the hints must repeat it, else nothing.
    var asOption: String {
        guard actorGiven, let name = try? actor else { return "" }
        return "--as \(name.contains(" ") ? "\"\(name)\"" : name) "
    }

    var logger: Logger {
        var logger = Logger(label: "afterhours")
        logger.logLevel = logLevel ?? .warning
        return logger
    }

    var replies: Replies { Replies(configuration: configuration, now: now, colour: context.colour, json: json) }

    /// Text is shown through `TerminalText.safe` by the presenters; JSON is escaped.
    func print(_ text: String) { context.write(text) }
    func print(_ json: JSONValue) { context.write(json.rendered()) }
}

/// The store a command opened, kept for the rest of the command.
final class StoreCache: Sendable {
    private let store = Mutex<(any Store)?>(nil)

    func open(_ opening: () throws(StoreError) -> any Store) throws(StoreError) -> any Store {
        try store.withLock { (cached: inout (any Store)?) throws(StoreError) -> any Store in
            if let cached { return cached }
            let opened = try opening()
            cached = opened
            return opened
        }
    }
}

/// A failure the user sees as one sentence on stderr, with a non-zero exit.
struct CommandFailure: Error, CustomStringConvertible, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
