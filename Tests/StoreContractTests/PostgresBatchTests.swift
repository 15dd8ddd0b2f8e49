import Domain
import Foundation
import Testing
import UseCases

/// What only PostgreSQL's store does: a batch is stored whole in one transaction first,
/// and message by message (a savepoint each) only when one of them fails.
@Suite("PostgreSQL: a batch with one bad message")
struct PostgresBatchTests {
    @Test("a message PostgreSQL refuses (a NUL in the caller's name) fails alone: the rest of its batch is stored, once")
    func oneBadMessage() async throws {
        let (store, dispose) = try await StoreKind.postgresql.make()
        defer { dispose() }
        let messages = [
            message("default/1001//1/a", number: "+12125550001", name: "Ann"),
            message("default/1001//2/b", number: "+12125550002", name: "Eve\u{0}"),
            message("default/1001//3/c", number: "+12125550003", name: "Cy"),
        ]
        let recordings = messages.map {
            Recording(voicemail: $0, deadline: t0.addingTimeInterval(3600), queue: true, audioPath: { "/archive/\($0).wav" })
        }
        let outcomes = try await onIngestThread { try store.record(recordings, at: t0, actor: "ingest", rules: EscalationRules()) }
        #expect(outcomes.count == 3)
        guard outcomes.count == 3 else { return }
        if case .success(.stored) = outcomes[0] {} else { Issue.record("the first was not stored: \(outcomes[0])") }
        if case .failure(let error) = outcomes[1] {
            #expect(error.message.hasPrefix("could not store default/1001//2/b: "), "\(error)")
        } else {
            Issue.record("the bad one was stored: \(outcomes[1])")
        }
        if case .success(.stored) = outcomes[2] {} else { Issue.record("the last was not stored: \(outcomes[2])") }
        let queue = try await store.queue(at: t0.addingTimeInterval(60), includeAll: true, limit: nil, visibility: .staff)
        #expect(queue.map { $0.callback.caller.name ?? "" }.sorted() == ["Ann", "Cy"], "each good message stored once, with its callback")
        #expect(queue.allSatisfy { $0.messages.count == 1 })
    }
}
