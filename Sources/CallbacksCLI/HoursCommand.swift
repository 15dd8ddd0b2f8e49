import ArgumentParser
import Foundation
import Presentation
import Runtime
import Settings

struct HoursCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hours", abstract: "Business-hours arithmetic, as the queue uses it.",
        subcommands: [HoursDeadlineCommand.self, HoursStatusCommand.self])
}

/// Reads an ISO 8601 instant with an offset from an option.
func instant(_ text: String, option: String) throws -> Date {
    guard let date = ISO8601.parse(text) else {
        throw CommandFailure("\(option) \(text) is not an ISO 8601 time with an offset, such as 2026-11-20T17:35:00-05:00")
    }
    return date
}

struct HoursDeadlineCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadline", abstract: "The callback deadline for a message left at a given time.")

    @OptionGroup var global: LocalOptions

    @Option(help: "When the message was left (ISO 8601 with offset).")
    var from: String

    @Option(help: "Business time to respond within, e.g. 2h or 1h30m (default: callbacks.respond_within).")
    var within: String?

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        try desk.requireLocal("hours")
        let start = try instant(from, option: "--from")
        var seconds = desk.configuration.callbacks.respondWithin
        if let within {
            switch DurationText.seconds(in: within) {
            case .success(let value): seconds = value
            case .failure(let error): throw CommandFailure("--within \(error)")
            }
        }
        let hours = desk.configuration.business.hours
        let deadline = hours.deadline(from: start, within: seconds)
        let zone = hours.timeZone
        if desk.json {
            desk.print(
                JSONValue.object([
                    ("from", .string(ISO8601.format(start, in: zone))),
                    ("within_seconds", .int(Int64(seconds))),
                    ("deadline", deadline == .distantFuture ? .null : .string(ISO8601.format(deadline, in: zone))),
                ]))
        } else if deadline == .distantFuture {
            desk.print("Never: the schedule has no open time after \(ISO8601.format(start, in: zone)).")
        } else {
            desk.print(ISO8601.format(deadline, in: zone))
        }
    }
}

struct HoursStatusCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Open or closed at a time, and when that changes.")

    @OptionGroup var global: LocalOptions

    @Option(help: "The time to ask about (ISO 8601 with offset; default: now).")
    var at: String?

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        try desk.requireLocal("hours")
        let moment = try at.map { try instant($0, option: "--at") } ?? desk.now
        let hours = desk.configuration.business.hours
        let zone = hours.timeZone
        let open = hours.isOpen(at: moment)
        let change = hours.nextChange(after: moment)
        if desk.json {
            desk.print(
                JSONValue.object([
                    ("at", .string(ISO8601.format(moment, in: zone))),
                    ("open", .bool(open)),
                    ("changes_at", change.map { .string(ISO8601.format($0, in: zone)) } ?? .null),
                ]))
        } else {
            let state = open ? "Open" : "Closed"
            let until = change.map { " until " + ISO8601.format($0, in: zone) } ?? (open ? " around the clock" : " for good")
            desk.print("\(state) at \(ISO8601.format(moment, in: zone))\(until).")
        }
    }
}
