import ArgumentParser
import Foundation
import Presentation

struct NoteCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "note", abstract: "Add a note to a callback's history without recording an outcome.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The callback's number.")
    var id: Int64

    @Argument(help: "The note.")
    var text: String

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        try desk.requireLocal("note")
        let detail = try await desk.callbacks().note(id, by: desk.person, text: text, at: desk.now)
        desk.print(desk.replies.changed(detail, "Note added to callback #\(id)."))
    }
}

struct ReopenCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "reopen", abstract: "Put a callback closed by mistake back in the queue.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The callback's number.")
    var id: Int64

    @Option(help: "Why it is reopened.")
    var note: String?

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        try desk.requireLocal("reopen")
        let detail = try await desk.callbacks().reopen(id, by: desk.person, note: note, at: desk.now)
        desk.print(desk.replies.changed(detail, "Callback #\(id) is back in the queue."))
    }
}

struct AssignCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign", abstract: "Hand a callback to a colleague, who holds the claim.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The callback's number.")
    var id: Int64

    @Option(help: "Who takes it over.")
    var to: String

    @Flag(help: "Take it from someone else's claim.")
    var force = false

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        try desk.requireLocal("assign")
        let colleague = try Desk.actor(to, environment: [:], option: "--to")
        let detail = try await desk.callbacks().assign(id, to: colleague, by: desk.person, force: force, at: desk.now)
        let until = desk.replies.text.moment(detail.callback.claimExpiresAt ?? desk.now)
        desk.print(desk.replies.changed(detail, "Callback #\(id) is \(TerminalText.oneLine(colleague))'s until \(until)."))
    }
}
