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
        if let remote = desk.remote {
            desk.print(try await remote.call(.GET, "/api/v1/callbacks/\(id)").text)
            return
        }
        let reader = try await desk.reader
        let detail = try await desk.callbacks().show(id, for: reader, at: desk.now)
        desk.print(desk.replies.show(detail, reader: reader.name.isEmpty ? nil : reader.name))
    }
}
