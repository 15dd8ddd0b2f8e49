import Afterhours
import ArgumentParser

struct ListCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "The queue, in the order `next` would serve it.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Also show claimed, waiting and done callbacks.")
    var all = false

    @Option(help: "Show at most this many.")
    var limit: Int?

    func validate() throws {
        // 0 would print "Nothing to call back." over a full queue; below 0, SQLite lists all.
        if let limit, limit < 1 { throw ValidationError("--limit \(limit) would show nothing: give 1 or more") }
    }

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        let details = try desk.openStore().queue(at: desk.now, includeAll: all, limit: limit)
        if desk.json {
            desk.print(JSONValue.array(details.map { desk.shapes.callback($0) }))
        } else {
            desk.print(desk.text.table(details))
        }
    }
}
