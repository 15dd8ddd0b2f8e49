import Foundation
import Testing
import UseCases

/// Push ingest's Idempotency-Keys: one reservation per sender and key, taken atomically
/// in the database, on every store.
@Suite("Store contract: push Idempotency-Keys")
struct PushKeyContractTests {
    func reservation(_ sender: String, _ key: String, _ fingerprint: String, at seconds: Double = 0, lease: Double = 300, window: Double = 604_800)
        -> PushKeyReservation
    {
        let at = t0.addingTimeInterval(seconds)
        return PushKeyReservation(
            sender: sender, key: key, fingerprint: fingerprint, at: at, takeOverBefore: at.addingTimeInterval(-lease),
            expiredBefore: at.addingTimeInterval(-window))
    }

    @Test("a key is the sender's: reserved once, kept with its fingerprint and answer, released, taken over when abandoned, purged", arguments: StoreKind.allCases)
    func reservations(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        #expect(try await store.reservePushKey(reservation("alice", "k1", "fp-a")) == nil, "a new key is this request's")
        let held = try #require(try await store.reservePushKey(reservation("alice", "k1", "fp-a", at: 1)))
        #expect(held.fingerprint == "fp-a" && held.status == nil && held.body == nil, "in progress: no answer yet")
        let other = try #require(try await store.reservePushKey(reservation("alice", "k1", "fp-b", at: 2)))
        #expect(other.fingerprint == "fp-a", "another body gets the first request's fingerprint back, to be refused")
        #expect(try await store.reservePushKey(reservation("bob", "k1", "fp-b")) == nil, "another sender's k1 is another key")

        try await store.completePushKey(sender: "alice", key: "k1", fingerprint: "fp-a", status: 201, body: #"{"voicemail_id": 7}"#)
        let done = try #require(try await store.reservePushKey(reservation("alice", "k1", "fp-a", at: 3)))
        #expect(done.status == 201 && done.body == #"{"voicemail_id": 7}"#)
        // Completing with the wrong fingerprint, or releasing a finished key, changes nothing.
        try await store.completePushKey(sender: "alice", key: "k1", fingerprint: "fp-b", status: 200, body: "{}")
        try await store.releasePushKey(sender: "alice", key: "k1", fingerprint: "fp-a")
        #expect(try await store.reservePushKey(reservation("alice", "k1", "fp-a", at: 4))?.status == 201)

        // A refused request lets go of its key: the retry holds it.
        #expect(try await store.reservePushKey(reservation("alice", "k2", "fp-c")) == nil)
        try await store.releasePushKey(sender: "alice", key: "k2", fingerprint: "fp-c")
        #expect(try await store.reservePushKey(reservation("alice", "k2", "fp-d", at: 1)) == nil)

        // A reservation left by a crash is taken over once its lease has passed, not before.
        #expect(try await store.reservePushKey(reservation("alice", "k3", "fp-e")) == nil)
        #expect(try await store.reservePushKey(reservation("alice", "k3", "fp-e", at: 299)) != nil)
        #expect(try await store.reservePushKey(reservation("alice", "k3", "fp-e", at: 301)) == nil)
        // An answer older than the window has expired: the key is free again.
        #expect(try await store.reservePushKey(reservation("alice", "k1", "fp-z", at: 604_801)) == nil)

        // Purged by age: k1 (just taken again) stays; the rest go.
        let purged = try await store.purgePushKeys(before: t0.addingTimeInterval(1000))
        #expect(purged == 3, "bob's k1, alice's k2 and k3: \(purged)")
        #expect(try await store.reservePushKey(reservation("alice", "k2", "fp-new", at: 2000)) == nil)
        #expect(try await store.reservePushKey(reservation("alice", "k1", "fp-y", at: 604_802))?.fingerprint == "fp-z")
    }

    @Test("forty requests with one key at once, on two nodes: exactly one holds it", arguments: StoreKind.allCases)
    func concurrentReservations(kind: StoreKind) async throws {
        let (first, second, dispose) = try await kind.makeTwo()
        defer { dispose() }
        let held = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<40 {
                let store = index % 2 == 0 ? first : second
                let request = reservation("pbx", "same-key", "fp", at: Double(index % 3))
                group.addTask { try await store.reservePushKey(request) == nil }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(held == 1)
    }

    @Test("the use case: a twin waits for the first answer and replays it; another body is refused; busy when it never comes", arguments: StoreKind.allCases)
    func decisions(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let keys = PushKeys(store: store, window: 3600)
        let now: @Sendable () -> Date = { t0 }
        #expect(try await keys.begin(sender: "alice", key: "k", fingerprint: "fp", now: now) == .proceed)
        async let twin = keys.begin(sender: "alice", key: "k", fingerprint: "fp", now: now, polls: 100, pause: .milliseconds(20))
        try await Task.sleep(for: .milliseconds(100))
        try await keys.finish(sender: "alice", key: "k", fingerprint: "fp", status: 201, body: "first")
        #expect(try await twin == .replay(status: 201, body: "first"))
        #expect(try await keys.begin(sender: "alice", key: "k", fingerprint: "other", now: now) == .reused)
        #expect(try await keys.begin(sender: "alice", key: "slow", fingerprint: "fp", now: now) == .proceed)
        #expect(try await keys.begin(sender: "alice", key: "slow", fingerprint: "fp", now: now, polls: 2, pause: .milliseconds(10)) == .busy)
        #expect(try await keys.purge(at: t0.addingTimeInterval(3601)) == 2)
    }
}
