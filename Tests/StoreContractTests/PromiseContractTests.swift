import BusinessTime
import Domain
import Foundation
import Testing
import UseCases

/// What the forecast reads and writes, the same from every store: staff's queue, the calls
/// that ended, and promises kept once.
@Suite("Store contract: promises")
struct PromiseContractTests {
    @Test("staff's queue without the owner's line; promises written once, the first kept; serving order and breaches on the promise", arguments: StoreKind.allCases)
    func promises(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let first = try store.store(message("1", number: "+12125550101"), due: t0.addingTimeInterval(3600))
        let second = try store.store(message("2", number: "+12125550102", at: 60), due: t0.addingTimeInterval(3600))
        _ = try store.store(message("3", number: "+12125550103", mailbox: "200"), due: t0.addingTimeInterval(3600), rules: EscalationRules(ownerMailboxes: ["200"]))
        #expect(Set(try await store.staffQueue().map(\.id)) == [first, second])

        // The first is told 10:00 later than its deadline; a second promise changes nothing.
        let later = t0.addingTimeInterval(3 * 3600)
        #expect(try await store.keepPromises([first: later]) == 1)
        #expect(try await store.keepPromises([first: t0, second: t0.addingTimeInterval(3600)]) == 1)
        let queue = try await store.staffQueue()
        #expect(queue.first { $0.id == first }?.promisedBy == later)
        #expect(queue.first { $0.id == second }?.promisedBy == t0.addingTimeInterval(3600))

        // Served by promise: the second (promised at its deadline) before the first.
        let desk = try desk(store)
        guard case .claimed(let next) = try await desk.next(for: alice, at: t0) else {
            Issue.record("nothing claimed")
            return
        }
        #expect(next.callback.id == second)
        // The first's deadline passes with its promise still ahead: no breach until the promise.
        try await store.sweepBreaches(at: t0.addingTimeInterval(7200), timeZone: .gmt)
        let waiting = try await store.detail(id: first, for: owner)
        #expect(!waiting.callback.escalated && !waiting.callback.breached)
        try await store.sweepBreaches(at: later, timeZone: .gmt)
        let breached = try await store.detail(id: first, for: owner)
        #expect(breached.callback.escalated && breached.callback.breached)
    }

    @Test("the calls that ended: from the claim to done or no answer, urgent or not; an outcome without a claim is no sample", arguments: StoreKind.allCases)
    func handlingSamples(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let urgent = try store.store(message("1", number: "+12125550101", urgent: true), due: t0.addingTimeInterval(600))
        let plain = try store.store(message("2", number: "+12125550102"), due: t0.addingTimeInterval(3600))
        let unclaimed = try store.store(message("3", number: "+12125550103"), due: t0.addingTimeInterval(7200))
        let desk = try desk(store)
        _ = try await desk.next(for: alice, at: t0)  // the urgent one
        _ = try await desk.noAnswer(urgent, by: alice, note: nil, force: false, at: t0.addingTimeInterval(120))
        _ = try await desk.next(for: bob, at: t0.addingTimeInterval(130))  // the plain one
        _ = try await desk.done(plain, by: bob, note: nil, force: false, at: t0.addingTimeInterval(130 + 420))
        _ = try await desk.done(unclaimed, by: bob, note: nil, force: false, at: t0.addingTimeInterval(600))
        let samples = try await store.handlingSamples(endedIn: t0...t0.addingTimeInterval(3600)).sorted { $0.endedAt < $1.endedAt }
        #expect(samples.map(\.seconds) == [120, 420])
        #expect(samples.map(\.answered) == [false, true])
        #expect(samples.map(\.urgent) == [true, false])
        #expect(try await store.handlingSamples(endedIn: t0.addingTimeInterval(200)...t0.addingTimeInterval(3600)).count == 1)
    }
}
