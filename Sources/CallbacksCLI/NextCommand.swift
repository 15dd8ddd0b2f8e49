import ArgumentParser

struct NextCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "next", abstract: "Claim the callback to make now, and show everything needed to make it.")

    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        let (words, claimedID) = try await desk.client.next()
        desk.print(words)
        if !desk.json, let claimedID {
            desk.print("\nWhen you're done: callbacks done \(claimedID) \(desk.asOption)--note \"…\"")
        }
    }
}
