import ArgumentParser
import Foundation

struct NoAnswerCommand: NumberedCommand {
    static let idKind = "a callback number"
    static let configuration = CommandConfiguration(
        commandName: "no-answer",
        abstract: "Record a call that did not reach the caller; it comes back after callbacks.retry_after.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The callback's number.")
    var id: Int64

    @Option(help: "What happened (voicemail left, line busy, …).")
    var note: String?

    @Flag(help: "Record it even though someone else has claimed it.")
    var force = false

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        desk.print(try await desk.client.noAnswer(id, note: note, force: force))
    }
}

struct ReleaseCommand: NumberedCommand {
    static let idKind = "a callback number"
    static let configuration = CommandConfiguration(
        commandName: "release", abstract: "Give a claimed callback back to the queue.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The callback's number.")
    var id: Int64

    @Flag(help: "Release someone else's claim.")
    var force = false

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        desk.print(try await desk.client.release(id, force: force))
    }
}

struct EscalateCommand: NumberedCommand {
    static let idKind = "a callback number"
    static let configuration = CommandConfiguration(
        commandName: "escalate", abstract: "Hand a callback to the owner.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The callback's number.")
    var id: Int64

    @Option(help: "Why the owner should take it (a complaint, a refund, …); the owner reads it.")
    var reason: String

    @Flag(help: "Escalate it even though someone else has claimed it.")
    var force = false

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        desk.print(try await desk.client.escalate(id, reason: reason, force: force))
    }
}

struct StatsCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Queue health: open, claimed, waiting, done today, overdue, promises kept.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The period for promises kept, in days back from now.")
    var days: Int = 7

    func validate() throws {
        guard (1...3660).contains(days) else { throw ValidationError("--days \(days) is not a period: give 1 to 3660 days") }
    }

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        desk.print(try await desk.client.stats(days: days))
    }
}
