import ArgumentParser
import Foundation
import Presentation

/// `callbacks`: the voicemail-to-callback queue.
public struct CallbacksCommand: AsyncParsableCommand {
    /// The version `callbacks --version` prints; the only place it is written.
    public static let version = "0.2.0"

    public static let configuration = CommandConfiguration(
        commandName: "callbacks",
        abstract: "Turn after-hours voicemail into a callback queue with a promise attached.",
        usage: "callbacks [GLOBAL OPTIONS] SUBCOMMAND [ARGUMENTS] [OPTIONS]",
        discussion: """
            GLOBAL OPTIONS (each subcommand's --help lists those it takes):
              --config PATH   the configuration file (else $CALLBACKS_CONFIG)
              --as NAME       who is acting (default: $USER, then $LOGNAME)
              --json          print JSON instead of text
              --server URL    work against a server (else $CALLBACKS_URL)
              --token TOKEN   your token for it (else $CALLBACKS_TOKEN)
            Before or after the subcommand: callbacks --json list, callbacks list --json.
            """,
        version: version,
        subcommands: [
            IngestCommand.self, ListCommand.self, ShowCommand.self, NextCommand.self, DoneCommand.self,
            NoAnswerCommand.self, ReleaseCommand.self, EscalateCommand.self, StatsCommand.self, HoursCommand.self,
            NoteCommand.self, ReopenCommand.self, AssignCommand.self,
            EscalationsCommand.self, GreetingCommand.self, ServeCommand.self, PeopleCommand.self, PlayCommand.self,
            DoctorCommand.self, StorageCommand.self, TranscribeCommand.self, BlockCommand.self, UnblockCommand.self,
            BlockedCommand.self, SimulateCommand.self,
        ])

    public init() {}

    /// Parses `arguments` (without the program name) and runs the subcommand against
    /// `context`; returns the exit code. What `main` would print to stderr goes to `errors`.
    public static func run(
        _ arguments: [String], in context: CommandContext, errors: @Sendable (String) -> Void
    ) async -> Int32 {
        do {
            var command = try parseAsRoot(normalised(arguments))
            if let command = command as? any ContextCommand {
                try await command.run(in: context)
            } else {
                try command.run()
            }
            return 0
        } catch {
            let error = CommandWords.worded(error)
            let code = exitCode(for: error)
            // Help and version are answers, not errors: they go to standard output.
            if code == .success {
                context.write(fullMessage(for: error))
            } else {
                errors(TerminalText.safe(fullMessage(for: error)))
            }
            return code.rawValue
        }
    }

    /// `arguments` as swift-argument-parser reads them, from the way people write them:
    ///
    /// - Global options before the subcommand (`callbacks --config X list`) move after it,
    ///   where every subcommand declares them; the parser knows them only there.
    /// - A negative number (`show -1`) is a value: no option here is named with a digit,
    ///   but the parser would read it as one and report a missing argument. It moves after
    ///   `--`, where the parser takes it as the positional argument and the command's own
    ///   check says what is wrong with it. Every command takes at most one positional
    ///   argument, so moving it does not change which one it is.
    static func normalised(_ arguments: [String]) -> [String] {
        var global: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if GlobalOptions.flags.contains(argument) || GlobalOptions.valued.contains(where: { argument.hasPrefix($0 + "=") }) {
                global.append(argument)
                index += 1
            } else if GlobalOptions.valued.contains(argument), index + 1 < arguments.endIndex {
                global += arguments[index...(index + 1)]
                index += 2
            } else {
                break
            }
        }
        if index == arguments.endIndex || arguments[index].hasPrefix("-") {
            // Not followed by a subcommand: left for the parser to report as it is.
            global = []
            index = arguments.startIndex
        }
        let rest = arguments[index...]
        let terminator = rest.firstIndex(of: "--") ?? rest.endIndex
        let numbers = rest[..<terminator].filter(isNegativeNumber)
        var result = rest[..<terminator].filter { !isNegativeNumber($0) } + global
        if !numbers.isEmpty || terminator < rest.endIndex {
            result += ["--"] + numbers + rest[terminator...].dropFirst()
        }
        return result
    }

    /// `-1`, `-42`, `-1.5`.
    private static func isNegativeNumber(_ argument: String) -> Bool {
        let number = argument.dropFirst()
        guard argument.hasPrefix("-"), let first = number.first, first.isASCII, first.isNumber else { return false }
        return number.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
    }
}
