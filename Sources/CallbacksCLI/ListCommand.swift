import ArgumentParser
import Domain
import Foundation
import Presentation
import UseCases

struct ListCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "The queue, in the order `next` would serve it.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Also show claimed, waiting and done callbacks.")
    var all = false

    @Option(help: "Show at most this many.")
    var limit: Int?

    @Option(help: "Only this caller's number, written any way (212 555 0199, +12125550199).")
    var number: String?

    @Option(help: "Only callers whose name contains this (any case).")
    var name: String?

    @Flag(help: "Only the callbacks you hold (claimed by you).")
    var mine = false

    @Flag(help: "Only the callbacks done today.")
    var doneToday = false

    @Option(help: "Only callbacks with a message whose transcript has these words (\"refund\" finds \"refunds\").")
    var text: String?

    @Flag(help: "Only the callbacks the forecast says will be reached after their promise.")
    var atRisk = false

    func validate() throws {
        // 0 would print "Nothing to call back." over a full queue; below 0, SQLite lists all.
        if let limit, limit < 1 { throw ValidationError("--limit \(limit) would show nothing: give 1 or more") }
    }

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        let query = CallbackDesk.Query(all: all, limit: limit, number: number, name: name, mine: mine, doneToday: doneToday, text: text, atRisk: atRisk)
        desk.print(try await desk.client.list(query))
    }
}
