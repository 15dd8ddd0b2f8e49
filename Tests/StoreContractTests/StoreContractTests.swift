import BusinessTime
import Domain
import SQLiteStore
import Foundation
import MemoryStore
import TestSupport
import PostgresStore
import Testing
import UseCases

/// Every store the project has. The contract below runs, unchanged, against each.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    /// A fresh database in a throwaway cluster the tests start themselves (PostgresCluster).
    case postgresql
    /// In this process's memory: the third store, with no rule of its own.
    case memory

    var testDescription: String { rawValue }

    /// A fresh, empty store and a way to throw it away.
    func make(channels: [String] = []) async throws -> (store: any Store, dispose: @Sendable () -> Void) {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-contract-\(UUID().uuidString)")
            let store = try SQLiteStore(path: folder.appendingPathComponent("afterhours.sqlite").path, notificationChannels: channels)
            return (store, { try? FileManager.default.removeItem(at: folder) })
        case .postgresql:
            let url = try await PostgresCluster.shared.createDatabase()
            let store = try PostgresStore(url: url, notificationChannels: channels)
            try await store.startInBackground()
            return (store, { Task { await store.shutdown() } })
        case .memory:
            return (MemoryStore(notificationChannels: channels), {})
        }
    }
}

extension StoreKind {
    /// Two stores on one database, as two nodes (or a CLI beside `serve`) open it.
    func makeTwo() async throws -> (first: any Store, second: any Store, dispose: @Sendable () -> Void) {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-contract-\(UUID().uuidString)")
            let path = folder.appendingPathComponent("afterhours.sqlite").path
            return (try SQLiteStore(path: path), try SQLiteStore(path: path), { try? FileManager.default.removeItem(at: folder) })
        case .postgresql:
            let url = try await PostgresCluster.shared.createDatabase()
            let first = try PostgresStore(url: url)
            let second = try PostgresStore(url: url)
            try await first.startInBackground()
            try await second.startInBackground()
            return (first, second, { Task { await first.shutdown(); await second.shutdown() } })
        case .memory:
            // One process's memory is one database: two handles on the same store.
            let store = MemoryStore()
            return (store, store, {})
        }
    }
}

/// Runs synchronous ingest on a thread of its own, as the service does (never the pool).
func onIngestThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

let t0 = Date(timeIntervalSince1970: 1_800_000_000)

func message(_ identity: String, number: String?, name: String? = nil, at seconds: Double = 0, urgent: Bool = false, mailbox: String = "1001")
    -> Voicemail
{
    Voicemail(
        identity: identity, receivedAt: t0.addingTimeInterval(seconds), mailbox: mailbox, context: "default", folder: "INBOX",
        urgent: urgent, caller: Caller(name: name, number: number.flatMap { PhoneNumber(e164: $0) }, rawNumber: number),
        pbxMessageID: nil,
        audio: AudioSummary(
            format: "wav-pcm16", sampleRate: 8000, channels: 1, frames: 8000, durationSeconds: 1, peak: 0.5, rms: 0.1,
            speechSeconds: 1, silent: false),
        audioError: nil)
}

extension IngestRepository {
    /// Stores one message due at `deadline`; returns its callback's id.
    @discardableResult
    func store(_ voicemail: Voicemail, due deadline: Date, rules: EscalationRules = EscalationRules()) throws -> Int64 {
        let outcomes = try record(
            [Recording(voicemail: voicemail, deadline: deadline, queue: true, audioPath: { "/archive/\($0).wav" })],
            at: t0, actor: "ingest", rules: rules)
        guard case .success(.stored(_, let callbackID?, _)) = outcomes.first else {
            throw StoreError("not queued: \(outcomes)")
        }
        return callbackID
    }
}

/// A desk open around the clock, three attempts, a ten-minute lease.
func desk(_ store: any Store, anyoneReadsEscalations: Bool = false) throws -> CallbackDesk {
    let always = try OpeningInterval(start: TimeOfDay(secondsSinceMidnight: 0), end: TimeOfDay(secondsSinceMidnight: 86_400))
    let hours = try BusinessHours(
        timeZone: TimeZone(identifier: "America/New_York") ?? .gmt,
        weekly: Dictionary(uniqueKeysWithValues: Weekday.allCases.map { ($0, [always]) }))
    return CallbackDesk(
        store: store,
        rules: DeskRules(
            hours: hours, policy: CallbackPolicy(retryAfter: 3600, maxAttempts: 3, claimLease: 600), escalateOnBreach: true,
            anyoneReadsEscalations: anyoneReadsEscalations, defaultRegion: "US"))
}

let alice = Acting("alice")
let bob = Acting("bob")
let owner = Acting("olivia", isOwner: true)

@Suite("Store contract: the same behaviour from every store")
struct StoreContractTests {
    @Test("a message stored twice is one message; one number is one callback keeping the earliest deadline", arguments: StoreKind.allCases)
    func onceAndOneCallbackPerCaller(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let later = t0.addingTimeInterval(7200)
        let first = try store.store(message("a", number: "+12125550101", at: 0), due: later)
        let outcomes = try store.record(
            [
                Recording(voicemail: message("a", number: "+12125550101", at: 0), deadline: later, queue: true, audioPath: { _ in nil }),
                Recording(voicemail: message("b", number: "+12125550101", name: "Jane", at: 60), deadline: t0.addingTimeInterval(600), queue: true, audioPath: { _ in nil }),
            ], at: t0, actor: "ingest", rules: EscalationRules())
        guard case .success(.duplicate) = outcomes[0] else { Issue.record("a second copy was stored: \(outcomes[0])"); return }
        guard case .success(.stored(_, let joined?, true)) = outcomes[1] else { Issue.record("did not join: \(outcomes[1])"); return }
        #expect(joined == first)
        let queue = try await desk(store).list(.init(), for: alice, at: t0)
        #expect(queue.count == 1)
        #expect(queue.first?.messages.count == 2)
        #expect(queue.first?.callback.deadline == t0.addingTimeInterval(600))
        #expect(queue.first?.callback.caller.name == "Jane")
    }

    @Test("two nodes ingesting the same messages at once: each stored once, one callback per caller", arguments: StoreKind.allCases)
    func twoNodesIngest(kind: StoreKind) async throws {
        let (first, second, dispose) = try await kind.makeTwo()
        defer { dispose() }
        // Ten callers, four messages each, in batches of eight; both nodes see them all.
        let recordings = (0..<40).map { index in
            Recording(
                voicemail: message("two/\(index)", number: "+1212555\(1000 + index % 10)", at: Double(index)),
                deadline: t0.addingTimeInterval(3600 + Double(index)), queue: true, audioPath: { "/archive/\($0).wav" })
        }
        let batches = stride(from: 0, to: recordings.count, by: 8).map { Array(recordings[$0..<min($0 + 8, recordings.count)]) }
        let outcomes = try await withThrowingTaskGroup(of: [Result<RecordOutcome, StoreError>].self) { group in
            for store in [first, second] {
                group.addTask {
                    try await onIngestThread {
                        try batches.flatMap { try store.record($0, at: t0, actor: "ingest", rules: EscalationRules(repeatCalls: 99)) }
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        var stored = 0
        var duplicates = 0
        for outcome in outcomes {
            switch outcome {
            case .success(.stored): stored += 1
            case .success(.duplicate): duplicates += 1
            case .failure(let error): Issue.record("a message failed: \(error)")
            }
        }
        #expect(stored == 40)
        #expect(duplicates == 40)
        let queue = try await desk(first).list(.init(), for: alice, at: t0)
        #expect(queue.count == 10, "one callback per caller")
        #expect(queue.allSatisfy { $0.messages.count == 4 })
    }

    @Test("next serves urgent first, then the earliest deadline; a claim is never handed out twice until its lease ends", arguments: StoreKind.allCases)
    func servingAndClaims(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        try store.store(message("1", number: "+12125550101"), due: t0.addingTimeInterval(3000))
        try store.store(message("2", number: "+12125550102"), due: t0.addingTimeInterval(2000))
        try store.store(message("3", number: "+12125550103", urgent: true), due: t0.addingTimeInterval(5000))
        let desk = try desk(store)
        var order: [String] = []
        for person in [alice, bob, Acting("carol")] {
            guard case .claimed(let detail) = try await desk.next(for: person, at: t0) else { Issue.record("nothing for \(person.name)"); return }
            order.append(detail.callback.caller.number?.e164 ?? "?")
        }
        #expect(order == ["+12125550103", "+12125550102", "+12125550101"])
        guard case .nothingNow(let back?) = try await desk.next(for: Acting("dan"), at: t0) else { Issue.record("expected nothing now"); return }
        #expect(back.callback.claimExpiresAt == t0.addingTimeInterval(600))
        guard case .claimed(let retaken) = try await desk.next(for: Acting("dan"), at: t0.addingTimeInterval(600)) else {
            Issue.record("lapsed claim not taken over"); return
        }
        #expect(retaken.history.map(\.kind) == [.ingested, .claimed, .lapsed, .claimed])
    }

    @Test("forty concurrent claims on twenty callbacks: each handed out once", arguments: StoreKind.allCases)
    func concurrentClaims(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        for index in 0..<20 { try store.store(message("c\(index)", number: "+1212555\(1000 + index)"), due: t0.addingTimeInterval(Double(index))) }
        let desk = try desk(store)
        let claimed = try await withThrowingTaskGroup(of: Int64?.self) { group in
            for index in 0..<40 {
                group.addTask {
                    if case .claimed(let detail) = try await desk.next(for: Acting("staff\(index)"), at: t0) { return detail.callback.id }
                    return nil
                }
            }
            return try await group.reduce(into: [Int64]()) { if let id = $1 { $0.append(id) } }
        }
        #expect(claimed.count == 20)
        #expect(Set(claimed).count == 20, "a callback was handed out twice")
    }

    @Test("outcomes: a colleague's claim is refused without force; done closes once; no-answer waits and escalates at the last attempt", arguments: StoreKind.allCases)
    func outcomes(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make(channels: ["webhook:http://127.0.0.1:9/hook"])
        defer { dispose() }
        let first = try store.store(message("1", number: "+12125550101"), due: t0.addingTimeInterval(3600))
        let second = try store.store(message("2", number: "+12125550102"), due: t0.addingTimeInterval(30 * 86_400))
        let desk = try desk(store)
        _ = try await desk.next(for: alice, at: t0)
        await #expect(throws: StoreError(
            "callback #\(first) is claimed by alice", code: .refused, claimedBy: "alice")) {
            _ = try await desk.done(first, by: bob, note: nil, force: false, at: t0)
        }
        let done = try await desk.done(first, by: bob, note: "booked", force: true, at: t0)
        #expect(done.detail.callback.status(at: t0) == .done)
        #expect(done.detail.callback.closedBy == "bob")
        #expect(done.detail.history.last?.note?.contains("booked") == true)
        await #expect(throws: StoreError("callback #\(first) is already done", code: .refused)) {
            _ = try await desk.done(first, by: alice, note: nil, force: true, at: t0)
        }
        var now = t0
        for attempt in 1...3 {
            let outcome = try await desk.noAnswer(second, by: alice, note: nil, force: false, at: now)
            #expect(outcome.retryAt == now.addingTimeInterval(3600))
            #expect(outcome.escalatedNow == (attempt == 3))
            now = outcome.retryAt
        }
        let escalations = try await OwnerDesk(desk: desk).escalations(includeResolved: false, for: owner, at: now)
        #expect(escalations.map(\.escalation.callbackID) == [second])
        #expect(escalations.first?.escalation.reasons.map(\.kind) == [.maxAttempts])
    }

    @Test("the owner's line does not exist for staff; escalations are refused to them", arguments: StoreKind.allCases)
    func ownerLine(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let id = try store.store(message("o", number: "+12125550199", mailbox: "9000"), due: t0.addingTimeInterval(3600), rules: EscalationRules(ownerMailboxes: ["9000"]))
        let desk = try desk(store)
        await #expect(throws: StoreError.self) { _ = try await desk.show(id, for: alice, at: t0) }
        #expect(try await desk.list(.init(all: true), for: alice, at: t0).isEmpty)
        guard case .nothingNow = try await desk.next(for: alice, at: t0) else { Issue.record("staff were handed the owner's line"); return }
        #expect(try await desk.show(id, for: owner, at: t0).callback.ownerLine)
        await #expect(throws: StoreError.self) {
            _ = try await OwnerDesk(desk: desk).escalations(includeResolved: false, for: alice, at: t0)
        }
        let open = try await OwnerDesk(desk: desk).escalations(includeResolved: false, for: owner, at: t0)
        #expect(open.first?.escalation.reasons.map(\.kind) == [.ownerLine])
    }

    @Test("an escalation goes open → acknowledged → resolved, with its note; resolving twice is refused", arguments: StoreKind.allCases)
    func escalationLifecycle(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let id = try store.store(message("1", number: "+12125550101"), due: t0.addingTimeInterval(3600))
        let desk = try desk(store)
        let owners = OwnerDesk(desk: desk)
        await #expect(throws: StoreError.self) { _ = try await desk.escalate(id, by: alice, reason: "  ", force: false, at: t0) }
        _ = try await desk.escalate(id, by: alice, reason: "wants a refund", force: false, at: t0)
        let escalation = try #require(try await owners.escalations(includeResolved: false, for: owner, at: t0).first)
        #expect(escalation.escalation.state == .open)
        let acknowledged = try await owners.acknowledge(escalation.escalation.id, by: owner, at: t0.addingTimeInterval(60))
        #expect(acknowledged.escalation.state == .acknowledged)
        let resolved = try await owners.resolve(escalation.escalation.id, by: owner, note: "refund agreed", at: t0.addingTimeInterval(120))
        #expect(resolved.escalation.state == .resolved)
        #expect(resolved.escalation.resolution == "refund agreed")
        await #expect(throws: StoreError.self) {
            _ = try await owners.resolve(escalation.escalation.id, by: owner, note: "again", at: t0.addingTimeInterval(180))
        }
        #expect(try await owners.escalations(includeResolved: false, for: owner, at: t0).isEmpty)
        #expect(try await owners.escalations(includeResolved: true, for: owner, at: t0).count == 1)
    }

    @Test("a breached deadline raises one escalation however many times it is swept", arguments: StoreKind.allCases)
    func breachesOnce(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        try store.store(message("1", number: "+12125550101"), due: t0.addingTimeInterval(60))
        let zone = TimeZone(identifier: "America/New_York") ?? .gmt
        let sweeps = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try await store.sweepBreaches(at: t0.addingTimeInterval(120), timeZone: zone) } }
            return try await group.reduce(0, +)
        }
        #expect(sweeps == 1)
        #expect(try await store.escalations(includeResolved: true).count == 1)
    }

    @Test("the outbox: one notification per channel, delivered once, a failure retried later", arguments: StoreKind.allCases)
    func outbox(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make(channels: ["webhook:http://127.0.0.1:9/a", "command:/bin/true"])
        defer { dispose() }
        let id = try store.store(message("1", number: "+12125550101"), due: t0.addingTimeInterval(3600))
        _ = try await desk(store).escalate(id, by: alice, reason: "complaint", force: false, at: t0)
        let due = try await store.dueNotifications(at: t0, limit: 50)
        #expect(due.map(\.0.channel).sorted() == ["command:/bin/true", "webhook:http://127.0.0.1:9/a"])
        let (delivered, failed) = (due[0].0, due[1].0)
        try await store.markDelivered(notification: delivered.id, at: t0)
        try await store.markFailed(notification: failed.id, error: "connection refused", retryAt: t0.addingTimeInterval(30))
        #expect(try await store.dueNotifications(at: t0.addingTimeInterval(10), limit: 50).isEmpty)
        let retried = try await store.dueNotifications(at: t0.addingTimeInterval(30), limit: 50)
        #expect(retried.map(\.0.id) == [failed.id])
        #expect(retried.first?.0.attempts == 1)
        #expect(retried.first?.0.lastError == "connection refused")
    }

    @Test("notes, reopen and assign are kept in the history with who did them", arguments: StoreKind.allCases)
    func corrections(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let id = try store.store(message("1", number: "+12125550101"), due: t0.addingTimeInterval(3600))
        let desk = try desk(store)
        _ = try await desk.note(id, by: alice, text: "prefers mornings", at: t0)
        _ = try await desk.done(id, by: alice, note: nil, force: false, at: t0)
        let reopened = try await desk.reopen(id, by: bob, note: "wrong caller", at: t0)
        #expect(reopened.callback.status(at: t0) == .open)
        let assigned = try await desk.assign(id, to: "carol", by: bob, force: false, at: t0)
        #expect(assigned.callback.claimedBy == "carol")
        #expect(assigned.callback.claimExpiresAt == t0.addingTimeInterval(600))
        let history = try await desk.show(id, for: alice, at: t0).history
        #expect(history.contains { $0.actor == "alice" && $0.note == "prefers mornings" })
        #expect(history.contains { $0.actor == "bob" && $0.kind == .reopened })
    }

    @Test("stats count the queue and the promises kept", arguments: StoreKind.allCases)
    func stats(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let kept = try store.store(message("1", number: "+12125550101"), due: t0.addingTimeInterval(3600))
        try store.store(message("2", number: "+12125550102"), due: t0.addingTimeInterval(60))
        try store.store(message("3", number: "+12125550103"), due: t0.addingTimeInterval(7200))
        let desk = try desk(store)
        _ = try await desk.done(kept, by: alice, note: nil, force: false, at: t0.addingTimeInterval(30))
        let stats = try await desk.stats(days: 7, for: alice, at: t0.addingTimeInterval(120))
        #expect(stats.counts.open == 2)
        #expect(stats.counts.overdue == 1)
        #expect(stats.counts.doneToday == 1)
        #expect(stats.counts.dueInPeriod == 2)
        #expect(stats.counts.doneByDeadlineInPeriod == 1)
        #expect(stats.keptShare == 0.5)
    }

    @Test("the store serves in the order ServingOrder states, escalations and urgency included", arguments: StoreKind.allCases)
    func orderMatchesDomainRule(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        var random = SystemRandomNumberGenerator()
        let desk = try desk(store)
        for index in 0..<60 {
            let id = try store.store(
                message("order/\(index)", number: "+1212555\(String(format: "%04d", index))",
                    at: Double(Int.random(in: 0...20, using: &random) * 60), urgent: Bool.random(using: &random)),
                due: t0.addingTimeInterval(Double(Int.random(in: 1...5, using: &random) * 600)))
            if Bool.random(using: &random) { _ = try await desk.escalate(id, by: alice, reason: "test", force: false, at: t0) }
        }
        let served = try await desk.list(.init(), for: alice, at: t0).map(\.callback)
        #expect(served.count == 60)
        #expect(served.map(\.id) == served.sorted(by: ServingOrder.precedes).map(\.id))
    }

    @Test("a callback recorded without breach escalation (a first run's backlog) is queued and never breach-escalated; another is", arguments: StoreKind.allCases)
    func backlogNotBreached(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let passed = t0.addingTimeInterval(-3600)
        let outcomes = try await onIngestThread {
            try store.record(
                [
                    Recording(voicemail: message("old", number: "+12125550101", at: -7200), deadline: passed, queue: true, audioPath: { _ in nil },
                        escalatesBreach: false),
                    Recording(voicemail: message("new", number: "+12125550102", at: -7200), deadline: passed, queue: true, audioPath: { _ in nil }),
                ], at: t0, actor: "ingest", rules: EscalationRules())
        }
        guard case .success(.stored(_, let backlog?, _)) = outcomes[0], case .success(.stored(_, let fresh?, _)) = outcomes[1] else {
            Issue.record("not both queued: \(outcomes)"); return
        }
        #expect(try await store.sweepBreaches(at: t0, timeZone: .gmt) == 1)
        let raised = try await store.escalations(includeResolved: true).map(\.callback.callback.id)
        #expect(raised == [fresh] && !raised.contains(backlog))
        #expect(try await onIngestThread { try store.hasVoicemails() })
    }
}
