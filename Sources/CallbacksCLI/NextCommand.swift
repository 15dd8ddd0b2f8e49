import Afterhours
import ArgumentParser

struct NextCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "next", abstract: "Claim the callback to make now, and show everything needed to make it.")

    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        let store = try desk.openStore()
        let claimed = try store.claimNext(by: desk.actor, at: desk.now, lease: desk.configuration.callbacks.claimLease)
        guard let claimed else {
            if desk.json {
                desk.print("null")
            } else {
                desk.print(desk.text.nothingNow(comingBack: try store.nextToReturn(at: desk.now)))
            }
            return
        }
        if desk.json {
            desk.print(desk.shapes.callback(claimed))
        } else {
            desk.print(desk.text.callback(claimed, staff: try desk.actor, withHistory: false))
            desk.print("\nWhen you're done: callbacks done \(claimed.callback.id) \(desk.asOption)--note \"…\"")
        }
    }
}
