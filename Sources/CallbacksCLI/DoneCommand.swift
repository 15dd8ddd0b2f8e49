import ArgumentParser

struct DoneCommand: NumberedCommand {
    static let idKind = "a callback number"
    static let configuration = CommandConfiguration(
        commandName: "done", abstract: "Record that the caller was reached, closing the callback.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The callback's number.")
    var id: Int64

    @Option(help: "What was agreed, for whoever reads the history.")
    var note: String?

    @Flag(help: "Close it even though someone else has claimed it.")
    var force = false

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        desk.print(try await desk.client.done(id, note: note, force: force))
    }
}
