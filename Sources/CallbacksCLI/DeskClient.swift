import Domain
import Foundation
import Presentation
import UseCases

/// What a command asks of the desk, written once whether it runs here or through a server:
/// `LocalDesk` calls the use cases in this process and words their answers with `Replies`;
/// `RemoteDesk` calls the HTTP API, which answers with the same `Replies`. A command asks
/// `desk.client` and prints what comes back, never branching on where it runs.
protocol DeskClient: Sendable {
    /// The claim's words, and the id of the callback claimed (none when nothing waits).
    func next() async throws -> (words: String, claimed: Int64?)
    func list(_ query: CallbackDesk.Query) async throws -> String
    func show(_ id: Int64) async throws -> String
    func done(_ id: Int64, note: String?, force: Bool) async throws -> String
    func noAnswer(_ id: Int64, note: String?, force: Bool) async throws -> String
    func release(_ id: Int64, force: Bool) async throws -> String
    func escalate(_ id: Int64, reason: String, force: Bool) async throws -> String
    func stats(days: Int) async throws -> String
    func escalations(includeResolved: Bool) async throws -> String
    func escalation(_ id: Int64) async throws -> String
    func acknowledge(_ id: Int64) async throws -> String
    func resolve(_ id: Int64, note: String) async throws -> String
    func block(_ number: String, reason: String) async throws -> String
    func unblock(_ number: String) async throws -> String
    func blocked() async throws -> String
}

extension Desk {
    /// The desk this command talks to: the server named by `--server` or `$CALLBACKS_URL`,
    /// else the use cases on the configured store.
    var client: any DeskClient { remote.map { $0 as any DeskClient } ?? LocalDesk(desk: self) }
}

/// The use cases in this process, on the configured store.
struct LocalDesk: DeskClient {
    let desk: Desk

    func next() async throws -> (words: String, claimed: Int64?) {
        let next = try await desk.callbacks().next(for: desk.person, at: desk.now)
        guard case .claimed(let claimed) = next else { return (desk.replies.next(next, staff: try desk.actor), nil) }
        return (desk.replies.next(next, staff: try desk.actor), claimed.callback.id)
    }

    func list(_ query: CallbackDesk.Query) async throws -> String {
        if let number = query.number, PhoneNumber.normalise(number, defaultRegion: desk.configuration.phone.defaultRegion) == nil {
            throw CommandFailure("\(TerminalText.oneLine(number)) is not a phone number")
        }
        let details = try await desk.callbacks().list(query, for: query.mine ? desk.person : desk.reader, at: desk.now)
        return desk.replies.list(details, filtered: query.isFiltered)
    }

    func show(_ id: Int64) async throws -> String {
        let reader = try await desk.reader
        let detail = try await desk.callbacks().show(id, for: reader, at: desk.now)
        return desk.replies.show(detail, reader: reader.name.isEmpty ? nil : reader.name)
    }

    func done(_ id: Int64, note: String?, force: Bool) async throws -> String {
        desk.replies.done(try await desk.callbacks().done(id, by: desk.person, note: note, force: force, at: desk.now))
    }

    func noAnswer(_ id: Int64, note: String?, force: Bool) async throws -> String {
        desk.replies.noAnswer(try await desk.callbacks().noAnswer(id, by: desk.person, note: note, force: force, at: desk.now))
    }

    func release(_ id: Int64, force: Bool) async throws -> String {
        desk.replies.released(try await desk.callbacks().release(id, by: desk.person, force: force, at: desk.now))
    }

    func escalate(_ id: Int64, reason: String, force: Bool) async throws -> String {
        desk.replies.escalated(try await desk.callbacks().escalate(id, by: desk.person, reason: reason, force: force, at: desk.now))
    }

    func stats(days: Int) async throws -> String {
        desk.replies.stats(try await desk.callbacks().stats(days: days, for: try await desk.reader, at: desk.now))
    }

    func escalations(includeResolved: Bool) async throws -> String {
        desk.replies.escalations(try await desk.owner().escalations(includeResolved: includeResolved, for: desk.reader, at: desk.now))
    }

    func escalation(_ id: Int64) async throws -> String {
        desk.replies.escalation(try await desk.owner().escalation(id, for: desk.reader, at: desk.now))
    }

    func acknowledge(_ id: Int64) async throws -> String {
        desk.replies.acknowledged(try await desk.owner().acknowledge(id, by: desk.person, at: desk.now))
    }

    func resolve(_ id: Int64, note: String) async throws -> String {
        desk.replies.resolved(try await desk.owner().resolve(id, by: desk.person, note: note, at: desk.now))
    }

    func block(_ number: String, reason: String) async throws -> String {
        desk.replies.blockChange(try await blockList().block(number, reason: reason, by: desk.person, at: desk.now))
    }

    func unblock(_ number: String) async throws -> String {
        desk.replies.unblocked(try await blockList().unblock(number, by: desk.person))
    }

    func blocked() async throws -> String {
        desk.replies.blocked(try await blockList().blocked(for: desk.reader))
    }

    private func blockList() async throws -> BlockList { BlockList(store: try desk.openStore(), rules: try await desk.callbacks().rules) }
}

/// The HTTP API of a server, which answers with the words `LocalDesk` would print.
extension RemoteDesk: DeskClient {
    func next() async throws -> (words: String, claimed: Int64?) {
        let answer = try await call(.POST, "/api/v1/callbacks/next")
        return (answer.text.isEmpty ? "null" : answer.text, answer.headers.first(name: "Afterhours-Callback-Id").flatMap { Int64($0) })
    }

    func list(_ query: CallbackDesk.Query) async throws -> String {
        let parameters: [(String, String?)] = [
            ("all", query.all ? "true" : nil), ("limit", query.limit.map(String.init)), ("number", query.number), ("name", query.name),
            ("mine", query.mine ? "true" : nil), ("done_today", query.doneToday ? "true" : nil), ("text", query.text),
            ("at_risk", query.atRisk ? "true" : nil),
        ]
        return try await call(.GET, "/api/v1/callbacks", query: parameters).text
    }

    func show(_ id: Int64) async throws -> String { try await call(.GET, "/api/v1/callbacks/\(id)").text }

    func done(_ id: Int64, note: String?, force: Bool) async throws -> String {
        try await call(.POST, "/api/v1/callbacks/\(id)/done", body: Self.outcome(note: note, force: force)).text
    }

    func noAnswer(_ id: Int64, note: String?, force: Bool) async throws -> String {
        try await call(.POST, "/api/v1/callbacks/\(id)/no-answer", body: Self.outcome(note: note, force: force)).text
    }

    func release(_ id: Int64, force: Bool) async throws -> String {
        try await call(.POST, "/api/v1/callbacks/\(id)/release", body: Self.outcome(force: force)).text
    }

    func escalate(_ id: Int64, reason: String, force: Bool) async throws -> String {
        try await call(.POST, "/api/v1/callbacks/\(id)/escalate", body: Self.outcome(reason: reason, force: force)).text
    }

    func stats(days: Int) async throws -> String { try await call(.GET, "/api/v1/stats", query: [("days", String(days))]).text }

    func escalations(includeResolved: Bool) async throws -> String {
        try await call(.GET, "/api/v1/escalations", query: [("all", includeResolved ? "true" : nil)]).text
    }

    func escalation(_ id: Int64) async throws -> String { try await call(.GET, "/api/v1/escalations/\(id)").text }

    func acknowledge(_ id: Int64) async throws -> String { try await call(.POST, "/api/v1/escalations/\(id)/ack").text }

    func resolve(_ id: Int64, note: String) async throws -> String {
        try await call(.POST, "/api/v1/escalations/\(id)/resolve", body: ["note": note]).text
    }

    func block(_ number: String, reason: String) async throws -> String {
        try await call(.POST, "/api/v1/blocked", body: ["number": number, "reason": reason]).text
    }

    func unblock(_ number: String) async throws -> String {
        try await call(.DELETE, "/api/v1/blocked/\(number.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? number)").text
    }

    func blocked() async throws -> String { try await call(.GET, "/api/v1/blocked").text }

    /// The JSON body of an outcome.
    static func outcome(note: String? = nil, reason: String? = nil, force: Bool) -> [String: Any] {
        var body: [String: Any] = ["force": force]
        if let note { body["note"] = note }
        if let reason { body["reason"] = reason }
        return body
    }
}
