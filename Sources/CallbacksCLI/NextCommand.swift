import ArgumentParser

struct NextCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "next", abstract: "Claim the callback to make now, and show everything needed to make it.")

    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        let claimedID: String?
        if let remote = desk.remote {
            let answer = try await remote.call(.POST, "/api/v1/callbacks/next")
            desk.print(answer.text.isEmpty ? "null" : answer.text)
            claimedID = answer.headers.first(name: "Afterhours-Callback-Id")
        } else {
            let next = try await desk.callbacks().next(for: desk.person, at: desk.now)
            desk.print(desk.replies.next(next, staff: try desk.actor))
            if case .claimed(let claimed) = next { claimedID = String(claimed.callback.id) } else { claimedID = nil }
        }
        if !desk.json, let claimedID {
            desk.print("\nWhen you're done: callbacks done \(claimedID) \(desk.asOption)--note \"…\"")
        }
    }
}
