import Afterhours
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
        let reader = try desk.reader
        let detail = try await desk.callbacks().show(id, for: reader, at: desk.now)
        if desk.json {
            desk.print(desk.shapes.callback(detail, withHistory: true))
        } else {
            desk.print(desk.text.callback(detail, staff: reader.name.isEmpty ? nil : reader.name, withHistory: true))
        }
    }
}
