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
        if let remote = desk.remote {
            desk.print(try await remote.call(.POST, "/api/v1/callbacks/\(id)/done", body: Outcome.body(note: note, force: force)).text)
            return
        }
        let done = try await desk.callbacks().done(id, by: desk.person, note: note, force: force, at: desk.now)
        desk.print(desk.replies.done(done))
    }
}

/// The JSON body of an outcome sent to the server.
enum Outcome {
    static func body(note: String? = nil, reason: String? = nil, force: Bool) -> [String: Any] {
        var body: [String: Any] = ["force": force]
        if let note { body["note"] = note }
        if let reason { body["reason"] = reason }
        return body
    }
}
