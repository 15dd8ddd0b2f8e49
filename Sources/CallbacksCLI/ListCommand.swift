import Afterhours
import ArgumentParser
import CallbackQueue
import Foundation

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

    func validate() throws {
        // 0 would print "Nothing to call back." over a full queue; below 0, SQLite lists all.
        if let limit, limit < 1 { throw ValidationError("--limit \(limit) would show nothing: give 1 or more") }
    }

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        let filtered = number != nil || name != nil || mine || doneToday
        var details = try desk.openStore().queue(at: desk.now, includeAll: all || filtered, limit: filtered ? nil : limit)
        if let number {
            guard let wanted = PhoneNumber.normalise(number, defaultRegion: desk.configuration.phone.defaultRegion) else {
                throw CommandFailure("\(TerminalText.oneLine(number)) is not a phone number")
            }
            details = details.filter { $0.callback.caller.number == wanted }
        }
        if let name {
            details = details.filter { $0.callback.caller.name?.localizedCaseInsensitiveContains(name) == true }
        }
        if mine {
            let me = try desk.actor
            details = details.filter { $0.callback.status(at: desk.now) == .claimed && $0.callback.claimedBy == me }
        }
        if doneToday {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = desk.configuration.business.hours.timeZone
            let today = calendar.startOfDay(for: desk.now)
            details = details.filter { $0.callback.recordedStatus == .done && ($0.callback.closedAt ?? .distantPast) >= today }
        }
        if filtered, let limit { details = Array(details.prefix(limit)) }
        if desk.json {
            desk.print(JSONValue.array(details.map { desk.shapes.callback($0) }))
        } else {
            desk.print(filtered && details.isEmpty ? "No callbacks match." : desk.text.table(details))
        }
    }
}
