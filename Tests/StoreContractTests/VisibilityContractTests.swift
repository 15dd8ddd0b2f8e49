import Domain
import Foundation
import Testing
import UseCases

/// Who sees what, the same from every store: the viewer's `Visibility` (decided in the
/// domain) is what each store's lists and counts admit; blocking closes a number's
/// callbacks and keeps them, and its messages, from staff.
@Suite("Store contract: who sees what")
struct VisibilityContractTests {
    @Test("the owner lists and counts the owner's line; staff never do", arguments: StoreKind.allCases)
    func ownerLine(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let staffOne = try store.store(message("s", number: "+12125550101"), due: t0.addingTimeInterval(3600))
        let ownerOne = try store.store(
            message("o", number: "+12125550199", mailbox: "9000"), due: t0.addingTimeInterval(3600), rules: EscalationRules(ownerMailboxes: ["9000"]))
        let desk = try desk(store)
        #expect(try await desk.list(.init(), for: owner, at: t0).map(\.callback.id) .sorted() == [staffOne, ownerOne].sorted())
        #expect(try await desk.list(.init(all: true), for: owner, at: t0).map(\.callback.id).sorted() == [staffOne, ownerOne].sorted())
        #expect(try await desk.list(.init(all: true), for: alice, at: t0).map(\.callback.id) == [staffOne])
        #expect(try await desk.list(.init(number: "212 555 0199"), for: owner, at: t0).map(\.callback.id) == [ownerOne])
        #expect(try await desk.list(.init(number: "212 555 0199"), for: alice, at: t0).isEmpty)
        #expect(try await desk.stats(days: 7, for: owner, at: t0).counts.open == 2)
        #expect(try await desk.stats(days: 7, for: alice, at: t0).counts.open == 1)
        // `next` serves staff: the owner's line is never handed out.
        guard case .claimed(let claimed) = try await desk.next(for: alice, at: t0) else { Issue.record("nothing claimed"); return }
        #expect(claimed.callback.id == staffOne)
        guard case .nothingNow = try await desk.next(for: alice, at: t0) else { Issue.record("served the owner's line"); return }
    }

    @Test("blocking closes the number's open and claimed callbacks with who and why; staff see none of it, the owner all", arguments: StoreKind.allCases)
    func blocking(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let desk = try desk(store)
        let list = BlockList(store: store, rules: desk.rules)
        let claimed = try store.store(message("a", number: "+12125550166"), due: t0.addingTimeInterval(600))
        let other = try store.store(message("b", number: "+12125550101"), due: t0.addingTimeInterval(3600))
        guard case .claimed(let held) = try await desk.next(for: alice, at: t0), held.callback.id == claimed else {
            Issue.record("alice did not claim #\(claimed)")
            return
        }
        let voicemail = try #require(held.messages.first?.id)
        #expect(try await store.voicemailAudio(id: voicemail, for: alice).voicemailID == voicemail)

        let change = try await list.block("212 555 0166", reason: "threats to staff", by: owner, at: t0.addingTimeInterval(60))
        #expect(change.previous == nil && change.closed == [claimed] && change.entry.reason == "threats to staff")
        // The claim in flight is refused cleanly: for alice the callback no longer exists.
        await #expect(throws: StoreError("there is no callback #\(claimed)", code: .notFound)) {
            _ = try await desk.done(claimed, by: alice, note: nil, force: false, at: t0.addingTimeInterval(90))
        }
        await #expect(throws: StoreError("there is no callback #\(claimed)", code: .notFound)) {
            _ = try await desk.show(claimed, for: alice, at: t0.addingTimeInterval(90))
        }
        await #expect(throws: StoreError("there is no message #\(voicemail)", code: .notFound)) {
            _ = try await store.voicemailAudio(id: voicemail, for: alice)
        }
        #expect(try await store.voicemailAudio(id: voicemail, for: owner).voicemailID == voicemail)
        let now = t0.addingTimeInterval(120)
        #expect(try await desk.list(.init(all: true), for: alice, at: now).map(\.callback.id) == [other])
        #expect(try await desk.list(.init(all: true), for: owner, at: now).map(\.callback.id).contains(claimed))
        let closed = try await desk.show(claimed, for: owner, at: now)
        #expect(closed.callback.status(at: now) == .done && closed.callback.closedBy == "olivia" && closed.callback.callerBlocked)
        let line = try #require(closed.history.last)
        #expect(line.kind == .blocked && line.actor == "olivia" && line.note == "threats to staff")
        #expect(try await desk.stats(days: 7, for: alice, at: now).counts.doneToday == 0)
        #expect(try await desk.stats(days: 7, for: owner, at: now).counts.doneToday == 1)

        // Again: the same reason changes nothing; another one says what it replaced.
        let same = try await list.block("+12125550166", reason: "threats to staff", by: owner, at: now)
        #expect(same.unchanged && same.previous?.reason == "threats to staff")
        let other2 = try await list.block("+12125550166", reason: "abuse", by: owner, at: now)
        #expect(other2.previous?.reason == "threats to staff" && other2.entry.reason == "abuse" && !other2.unchanged)
        #expect(other2.entry.blockedAt == t0.addingTimeInterval(60), "blocked since the first time")
        #expect(try await list.blocked(for: owner).map(\.reason) == ["abuse"])

        // Reopening waits for the unblock; unblocking requeues nothing.
        await #expect(throws: StoreError.self) { _ = try await desk.reopen(claimed, by: owner, note: nil, at: now) }
        _ = try await list.unblock("+12125550166", by: owner)
        #expect(try await desk.list(.init(), for: alice, at: now).map(\.callback.id) == [other])
        #expect(try await desk.show(claimed, for: alice, at: now).callback.status(at: now) == .done)
        _ = try await desk.reopen(claimed, by: owner, note: "they apologised", at: now)
        #expect(try await desk.list(.init(), for: alice, at: now).map(\.callback.id).contains(claimed))
    }
}
