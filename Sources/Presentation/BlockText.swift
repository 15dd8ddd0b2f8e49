import Domain
import Foundation

// What the owner reads after blocking or unblocking a number: the same words at the
// command line, through the API's text answers and on the pages.

extension DeskText {
    /// `block`: the number blocked and the callbacks it closed; blocked again, what
    /// changed (or that nothing did), never a silent replacement.
    public func blockChange(_ change: BlockChange) -> String {
        let number = change.entry.number.formatted
        var line: String
        if let previous = change.previous {
            let before = "\(number) was already blocked by \(shown(previous.blockedBy)) \(day(previous.blockedAt))"
            if previous.reason == change.entry.reason {
                line = "\(before) for \u{201C}\(shown(previous.reason))\u{201D}; the reason is the same"
                line += change.closed.isEmpty ? ", so nothing changed." : "."
            } else {
                line = "\(before): the reason was \u{201C}\(shown(previous.reason))\u{201D} and is now \u{201C}\(shown(change.entry.reason))\u{201D}."
            }
        } else {
            line = "\(number) is blocked: its messages are stored and kept from staff."
        }
        if !change.closed.isEmpty {
            let ids = change.closed.map { "#\($0)" }.joined(separator: ", ")
            line += " Closed callback\(change.closed.count == 1 ? "" : "s") \(ids) (outcome blocked); staff no longer see \(change.closed.count == 1 ? "it" : "them")."
        }
        return line
    }

    /// `unblock`: new messages queue again; nothing closed comes back by itself.
    public func unblocked(_ number: PhoneNumber) -> String {
        "\(number.formatted) is no longer blocked: its next message is queued as usual. "
            + "Callbacks closed by the block stay closed: callbacks reopen ID puts one back in the queue."
    }
}

extension JSONShapes {
    /// `block`: the entry now, the one it replaced (or null), and the callbacks it closed.
    public func blockChange(_ change: BlockChange) -> JSONValue {
        .object([
            ("number", .string(change.entry.number.e164)),
            ("reason", .string(change.entry.reason)),
            ("blocked_by", .string(change.entry.blockedBy)),
            ("blocked_at", time(change.entry.blockedAt)),
            ("previous", change.previous.map { previous in
                .object([
                    ("reason", .string(previous.reason)), ("blocked_by", .string(previous.blockedBy)),
                    ("blocked_at", time(previous.blockedAt)),
                ])
            } ?? .null),
            ("closed_callbacks", .array(change.closed.map { .int($0) })),
        ])
    }

    /// `unblock`: the number, no longer blocked.
    public func unblocked(_ number: PhoneNumber) -> JSONValue {
        .object([("number", .string(number.e164)), ("blocked", .bool(false))])
    }
}
