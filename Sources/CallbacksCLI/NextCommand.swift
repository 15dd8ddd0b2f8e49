import Afterhours
import ArgumentParser

struct NextCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "next", abstract: "Claim the callback to make now, and show everything needed to make it.")

    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        switch try await desk.callbacks().next(for: desk.person, at: desk.now) {
        case .nothingNow(let comingBack):
            desk.print(desk.json ? "null" : desk.text.nothingNow(comingBack: comingBack))
        case .claimed(let claimed):
            if desk.json {
                desk.print(desk.shapes.callback(claimed))
            } else {
                desk.print(desk.text.callback(claimed, staff: try desk.actor, withHistory: false))
                desk.print("\nWhen you're done: callbacks done \(claimed.callback.id) \(desk.asOption)--note \"…\"")
            }
        }
    }
}
