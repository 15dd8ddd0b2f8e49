import Afterhours
import ArgumentParser
import Foundation

/// `callbacks`: the voicemail-to-callback queue.
public struct CallbacksCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "callbacks",
        abstract: "Turn after-hours voicemail into a callback queue with a promise attached.",
        subcommands: [
            IngestCommand.self, ListCommand.self, ShowCommand.self, NextCommand.self, DoneCommand.self,
            NoAnswerCommand.self, ReleaseCommand.self, EscalateCommand.self, StatsCommand.self, HoursCommand.self,
            NoteCommand.self, ReopenCommand.self, AssignCommand.self,
            EscalationsCommand.self, GreetingCommand.self, ServeCommand.self,
        ])

    public init() {}

    /// Parses `arguments` (without the program name) and runs the subcommand against
    /// `context`; returns the exit code. What `main` would print to stderr goes to `errors`.
    public static func run(
        _ arguments: [String], in context: CommandContext, errors: @Sendable (String) -> Void
    ) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if let command = command as? any ContextCommand {
                try await command.run(in: context)
            } else {
                try command.run()
            }
            return 0
        } catch {
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
}
