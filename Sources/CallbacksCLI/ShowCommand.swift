import ArgumentParser

struct ShowCommand: NumberedCommand {
    static let idKind = "a callback number"
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "One callback: caller, messages with audio paths, attempts, notes, history.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The callback's number.")
    var id: Int64

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        desk.print(try await desk.client.show(id))
    }
}
