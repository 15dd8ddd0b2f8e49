import ArgumentParser
import Foundation

struct EscalationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "escalations", abstract: "The owner's view: callbacks handed to the owner.",
        subcommands: [EscalationsListCommand.self, EscalationsShowCommand.self, EscalationsAckCommand.self, EscalationsResolveCommand.self],
        defaultSubcommand: EscalationsListCommand.self)
}

struct EscalationsListCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Open and acknowledged escalations, most urgent first.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Also show resolved escalations.")
    var all = false

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        desk.print(try await desk.client.escalations(includeResolved: all))
    }
}

struct EscalationsShowCommand: NumberedCommand {
    static let idKind = "an escalation number"
    static let configuration = CommandConfiguration(commandName: "show", abstract: "One escalation with the callback's history and audio.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The escalation's number.")
    var id: Int64

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        desk.print(try await desk.client.escalation(id))
    }
}

struct EscalationsAckCommand: NumberedCommand {
    static let idKind = "an escalation number"
    static let configuration = CommandConfiguration(commandName: "ack", abstract: "Acknowledge an escalation: you have seen it.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The escalation's number.")
    var id: Int64

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        desk.print(try await desk.client.acknowledge(id))
    }
}

struct EscalationsResolveCommand: NumberedCommand {
    static let idKind = "an escalation number"
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Resolve an escalation; the note is the resolution, kept and shown on the callback.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The escalation's number.")
    var id: Int64

    @Option(help: "What was done and told to the caller.")
    var note: String

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        desk.print(try await desk.client.resolve(id, note: note))
    }
}
