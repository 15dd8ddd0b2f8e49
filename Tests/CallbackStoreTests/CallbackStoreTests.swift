import CallbackQueue
import CallbackStore
import Foundation
import GRDB
import Testing

/// A store on a real SQLite file in a fresh temporary folder.
func temporaryStore() throws -> (CallbackStore, URL) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-store-\(UUID().uuidString)")
    let store = try CallbackStore(path: folder.appendingPathComponent("nested/afterhours.sqlite").path)
    return (store, folder)
}

func voicemail(
    _ identity: String, number: String?, name: String? = nil, at seconds: Double, urgent: Bool = false,
    mailbox: String = "1001"
) -> Voicemail {
    Voicemail(
        identity: identity, receivedAt: Date(timeIntervalSince1970: seconds), mailbox: mailbox,
        context: "default", folder: "INBOX", urgent: urgent,
        caller: Caller(name: name, number: number.flatMap { PhoneNumber(e164: $0) }, rawNumber: number),
        pbxMessageID: nil,
        audio: AudioSummary(
            format: "wav-pcm16", sampleRate: 8000, channels: 1, frames: 8000, durationSeconds: 1, peak: 0.5,
            rms: 0.1, speechSeconds: 1, silent: false),
        audioError: nil)
}

@Suite("Callback store")
struct CallbackStoreTests {
    let now = Date(timeIntervalSince1970: 1_000_000)

    @Test("creates its folders and file on first use, and reopens with the same data")
    func createsAndReopens() throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try store.record(voicemail("a", number: "+15551234567", at: 10), deadline: now, queue: true, at: now, actor: "t", audioPath: { _ in nil })
        let reopened = try CallbackStore(path: folder.appendingPathComponent("nested/afterhours.sqlite").path)
        #expect(try reopened.queue(at: now, includeAll: true).count == 1)
    }

    @Test("a message recorded twice is stored once")
    func duplicate() throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let message = voicemail("ctx/1001/id/10/abc", number: "+15551234567", at: 10)
        let first = try store.record(message, deadline: now, queue: true, at: now, actor: "t", audioPath: { "/a/\($0).wav" })
        let second = try store.record(message, deadline: now, queue: true, at: now, actor: "t", audioPath: { "/b/\($0).wav" })
        guard case .stored(let id, _, _) = first else { Issue.record("first was not stored"); return }
        #expect(second == .duplicate(voicemailID: id, audioPath: "/a/\(id).wav"))
        #expect(try store.queue(at: now, includeAll: true).flatMap(\.messages).count == 1)
    }

    @Test("a batch is one transaction with a savepoint per message: a refused message rolls back alone")
    func batch() throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Make the database itself refuse one message, after its callback row is written.
        let database = try DatabaseQueue(path: folder.appendingPathComponent("nested/afterhours.sqlite").path)
        try database.write { db in
            try db.execute(sql: """
                CREATE TRIGGER refuse_mailbox BEFORE INSERT ON voicemail WHEN NEW.mailbox = 'refused'
                BEGIN SELECT RAISE(ABORT, 'refused by test'); END
                """)
        }
        try database.close()
        let first = voicemail("a", number: "+15551234567", at: 10)
        let recordings = [
            Recording(voicemail: first, deadline: now.addingTimeInterval(60), queue: true, audioPath: { "/a/\($0).wav" }),
            Recording(voicemail: voicemail("x", number: "+15559990000", at: 15, mailbox: "refused"), deadline: now, queue: true, audioPath: { _ in nil }),
            Recording(voicemail: voicemail("b", number: "+15551234567", at: 20), deadline: now, queue: true, audioPath: { _ in nil }),
            Recording(voicemail: first, deadline: now, queue: true, audioPath: { _ in nil }),
        ]
        let outcomes = try store.record(recordings, at: now, actor: "t")
        #expect(outcomes.count == 4)
        guard case .success(.stored(let firstID, let callbackID?, false)) = outcomes[0] else {
            Issue.record("first not stored: \(outcomes[0])")
            return
        }
        guard case .failure(let refused) = outcomes[1] else { Issue.record("the refused message was stored"); return }
        #expect(refused.description.contains("refused by test"))
        #expect(outcomes[2] == .success(.stored(voicemailID: firstID + 1, callbackID: callbackID, joinedExisting: true)))
        #expect(outcomes[3] == .success(.duplicate(voicemailID: firstID, audioPath: "/a/\(firstID).wav")))
        let queue = try store.queue(at: now, includeAll: true)
        #expect(queue.count == 1, "the refused message's callback was rolled back with it")
        #expect(queue.first?.messages.count == 2)
        #expect(queue.first?.callback.deadline == now, "the later message's earlier deadline")
    }

    @Test("messages from one number join one callback, which keeps the earliest deadline")
    func merging() throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let later = now.addingTimeInterval(3600)
        _ = try store.record(voicemail("1", number: "+15551234567", at: 10), deadline: later, queue: true, at: now, actor: "t", audioPath: { _ in nil })
        let joined = try store.record(
            voicemail("2", number: "+15551234567", name: "Jane", at: 20, urgent: true), deadline: now, queue: true, at: now,
            actor: "t", audioPath: { _ in nil })
        _ = try store.record(voicemail("3", number: nil, at: 30), deadline: now, queue: true, at: now, actor: "t", audioPath: { _ in nil })
        _ = try store.record(voicemail("4", number: nil, at: 40), deadline: now, queue: true, at: now, actor: "t", audioPath: { _ in nil })
        guard case .stored(_, _, let wasJoined) = joined else { Issue.record("not stored"); return }
        #expect(wasJoined)
        let queue = try store.queue(at: now, includeAll: false)
        #expect(queue.count == 3, "anonymous messages stand alone")
        let jane = try #require(queue.first { $0.callback.caller.number?.e164 == "+15551234567" })
        #expect(jane.messages.count == 2)
        #expect(jane.callback.deadline == now)
        #expect(jane.callback.urgent)
        #expect(jane.callback.caller.name == "Jane")
        #expect(queue.first?.callback.id == jane.callback.id, "urgent is served first")
    }

    @Test("next claims in serving order, never hands out a claimed callback, and takes over lapsed claims")
    func claims() throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try store.record(voicemail("1", number: "+15550000001", at: 10), deadline: now.addingTimeInterval(200), queue: true, at: now, actor: "t", audioPath: { _ in nil })
        _ = try store.record(voicemail("2", number: "+15550000002", at: 20), deadline: now.addingTimeInterval(100), queue: true, at: now, actor: "t", audioPath: { _ in nil })
        let first = try #require(try store.claimNext(by: "alice", at: now, lease: 600))
        let second = try #require(try store.claimNext(by: "bob", at: now, lease: 600))
        #expect(first.callback.caller.number?.e164 == "+15550000002")
        #expect(second.callback.caller.number?.e164 == "+15550000001")
        #expect(try store.claimNext(by: "carol", at: now, lease: 600) == nil)

        let afterLease = now.addingTimeInterval(600)
        let retaken = try #require(try store.claimNext(by: "carol", at: afterLease, lease: 600))
        #expect(retaken.callback.id == first.callback.id)
        #expect(retaken.callback.claimedBy == "carol")
        #expect(retaken.history.map(\.kind) == [.ingested, .claimed, .lapsed, .claimed])
    }

    @Test("done closes; a second done and a foreign claim are refused")
    func done() throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try store.record(voicemail("1", number: "+15550000001", at: 10), deadline: now, queue: true, at: now, actor: "t", audioPath: { _ in nil })
        let claimed = try #require(try store.claimNext(by: "alice", at: now, lease: 600))
        let id = claimed.callback.id
        #expect(throws: StoreError.self) { try store.markDone(id: id, by: Acting("bob"), note: nil, at: now, force: false) }
        let closed = try store.markDone(id: id, by: Acting("alice"), note: "booked Tuesday", at: now, force: false).detail
        #expect(closed.callback.status(at: now) == .done)
        #expect(closed.callback.closedBy == "alice")
        #expect(closed.history.last?.note == "booked Tuesday")
        #expect(throws: StoreError.self) { try store.markDone(id: id, by: Acting("alice"), note: nil, at: now, force: true) }
        #expect(throws: StoreError.self) { try store.detail(id: 999, for: Acting("alice", isOwner: true)) }
        #expect(try store.queue(at: now, includeAll: false).isEmpty)
    }

    @Test("the store serves in the order ServingOrder states, escalations and urgency included")
    func storeOrderMatchesDomainRule() throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        var random = SystemRandomNumberGenerator()
        for index in 0..<60 {
            let message = voicemail(
                "order/\(index)", number: "+1555000\(String(format: "%04d", index))",
                at: Double(Int.random(in: 0...20, using: &random) * 60), urgent: Bool.random(using: &random))
            guard case .stored(_, let callbackID?, _) = try store.record(
                message, deadline: now.addingTimeInterval(Double(Int.random(in: 0...5, using: &random) * 600)), queue: true,
                at: now, actor: "t", audioPath: { _ in nil })
            else { Issue.record("not queued"); continue }
            if Bool.random(using: &random) { _ = try store.escalate(id: callbackID, by: Acting("t"), reason: "test", at: now, force: false) }
        }
        let served = try store.queue(at: now, includeAll: false).map(\.callback)
        #expect(served.count == 60)
        #expect(served.map(\.id) == served.sorted(by: ServingOrder.precedes).map(\.id))
    }
}
