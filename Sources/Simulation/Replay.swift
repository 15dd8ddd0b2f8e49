import BusinessTime
import Domain
import Foundation
import MemoryStore
import UseCases

/// How one policy did over a replay (DESIGN §10: `callbacks simulate --json`).
public struct PolicyResult: Sendable, Equatable {
    public var policy: PromisePolicy
    /// Callers promised a time (a withheld number is never promised: there is no one to call).
    public var promises: Int
    /// Reached (their first call started) at or before their first promise.
    public var kept: Int
    /// Promises moved after they were made.
    public var moved: Int
    /// Promise minus reach over the kept promises later than the SLA deadline, median; nil
    /// when there are none.
    public var medianSlackMinutes: Double?
    /// Reach minus promise over the broken promises, 95th percentile; nil when none broke.
    public var p95LateMinutes: Double?
    /// Promises equal to the SLA deadline.
    public var atSLA: Int
    /// Callbacks never reached by the end of the replay (counted as broken promises).
    public var neverReached: Int

    public var keptRatio: Double { promises == 0 ? 1 : Double(kept) / Double(promises) }
}

/// Replays arrivals in virtual time through the same use cases `serve` runs, on a memory
/// store: each message recorded as ingest records it, promised by the promise desk, and
/// each person on shift taking `next` whenever free, the call lasting what the file says.
/// Deterministic: no real clock, no randomness.
public struct Replay: Sendable {
    public var hours: BusinessHours
    public var staffing: Staffing
    public var handlingPrior: Int
    public var callbacks: CallbackPolicy
    public var escalation: EscalationRules
    public var intake: IntakeRules
    public var defaultRegion: String

    public init(
        hours: BusinessHours, staffing: Staffing, handlingPrior: Int, callbacks: CallbackPolicy, escalation: EscalationRules,
        intake: IntakeRules, defaultRegion: String
    ) {
        self.hours = hours
        self.staffing = staffing
        self.handlingPrior = handlingPrior
        self.callbacks = callbacks
        self.escalation = escalation
        self.intake = intake
        self.defaultRegion = defaultRegion
    }

    /// Stop this long after the last arrival whatever is left (a queue no staffing clears).
    public static let tail: TimeInterval = 90 * 86_400

    public func run(_ arrivals: [Arrival], policy: PromisePolicy) async throws(StoreError) -> PolicyResult {
        let store = MemoryStore()
        // A person holds the claim for as long as the call lasts: no claim lapses mid-call
        // in a replay (`claim_lease` is for people who walk away, not for long calls).
        var callbacks = self.callbacks
        callbacks.claimLease = max(callbacks.claimLease, Int((arrivals.map(\.handlingSeconds).max() ?? 0).rounded(.up)) + 60)
        // Breach escalations are the owner's business; they reorder nothing staff serve
        // beyond what `serve` does, so they run here too.
        let desk = CallbackDesk(
            store: store,
            rules: DeskRules(hours: hours, policy: callbacks, escalateOnBreach: escalation.onBreach, anyoneReadsEscalations: true, defaultRegion: defaultRegion))
        let promises = PromiseDesk(
            store: store, rules: PromiseRules(staffing: staffing, handlingPrior: handlingPrior, policy: policy, callbacks: callbacks, hours: hours))
        let sorted = arrivals.enumerated().sorted { ($0.element.receivedAt, $0.offset) < ($1.element.receivedAt, $1.offset) }.map(\.element)
        guard let first = sorted.first, let last = sorted.last else {
            return PolicyResult(policy: policy, promises: 0, kept: 0, moved: 0, medianSlackMinutes: nil, p95LateMinutes: nil, atSLA: 0, neverReached: 0)
        }
        let end = last.receivedAt.addingTimeInterval(Self.tail)
        let people = staffing.lanes.indices.map { Acting("person \($0 + 1)") }

        struct Call { var ends: Date; var person: Int; var callback: Int64; var answered: Bool }
        var calls: [Call] = []  // in progress, soonest end first
        var busy = Set<Int>()
        var handling: [Int64: Arrival] = [:]  // the message that opened each callback
        var firstPromise: [Int64: (promise: Date, deadline: Date)] = [:]
        var firstReach: [Int64: Date] = [:]
        var answeredOnce = Set<Int64>()
        var nextArrival = 0
        var clock = first.receivedAt

        while clock <= end {
            // 1. Calls that have ended.
            while let call = calls.first, call.ends <= clock {
                calls.removeFirst()
                busy.remove(call.person)
                let person = people[call.person]
                if call.answered {
                    _ = try await desk.done(call.callback, by: person, note: nil, force: false, at: call.ends)
                } else {
                    _ = try await desk.noAnswer(call.callback, by: person, note: nil, force: false, at: call.ends)
                }
            }
            // 2. Messages left by now, recorded as ingest records them, then promised.
            var arrived = false
            while nextArrival < sorted.count, sorted[nextArrival].receivedAt <= clock {
                let arrival = sorted[nextArrival]
                nextArrival += 1
                let outcome = try record(arrival, index: nextArrival, in: store)
                if case .stored(_, let callbackID?, let joined) = outcome, !joined { handling[callbackID] = arrival }
                arrived = true
            }
            if arrived {
                let plan = try await promises.plan(at: clock)
                for (id, promise) in plan.promises where firstPromise[id] == nil {
                    let deadline = try await store.detail(id: id, for: Acting("owner", role: .owner)).callback.deadline
                    firstPromise[id] = (promise, deadline)
                }
            }
            // 3. Everyone free and on shift takes the next callback.
            for (index, person) in people.enumerated() where !busy.contains(index) && staffing.lanes[index].isOpen(at: clock) {
                guard case .claimed(let detail) = try await desk.next(for: person, at: clock) else { break }
                let id = detail.callback.id
                if firstReach[id] == nil { firstReach[id] = clock }
                let message = handling[id]
                // The first try goes as the file says; a retry finds the caller in.
                let answered = answeredOnce.contains(id) || (message?.answered ?? true)
                answeredOnce.insert(id)
                let ends = clock.addingTimeInterval(message?.handlingSeconds ?? Double(handlingPrior))
                busy.insert(index)
                calls.append(Call(ends: ends, person: index, callback: id, answered: answered))
                calls.sort { ($0.ends, $0.person) < ($1.ends, $1.person) }
            }
            // 4. The next moment anything can happen.
            var candidates: [Date] = []
            if nextArrival < sorted.count { candidates.append(sorted[nextArrival].receivedAt) }
            if let call = calls.first { candidates.append(call.ends) }
            let free = people.indices.filter { !busy.contains($0) }
            if !free.isEmpty {
                let open = try await store.queue(at: clock, includeAll: false, limit: 1, visibility: .staff)
                var workAt: Date?
                if !open.isEmpty {
                    workAt = clock
                } else if let back = try await store.nextToReturn(at: clock)?.callback.availableAt {
                    workAt = back
                }
                if let workAt {
                    for index in free {
                        let shift = staffing.lanes[index].nextOpening(atOrAfter: max(workAt, clock.addingTimeInterval(1)))
                        if shift != .distantFuture { candidates.append(shift) }
                    }
                }
            }
            guard let next = candidates.min() else { break }
            clock = max(next, clock)
        }
        return Self.result(policy: policy, promised: firstPromise, reached: firstReach)
    }

    /// Records one arrival as ingest does: its deadline from the policy, queued as intake says.
    private func record(_ arrival: Arrival, index: Int, in store: MemoryStore) throws(StoreError) -> RecordOutcome {
        let voicemail = Voicemail(
            identity: "replay-\(index)", receivedAt: arrival.receivedAt, mailbox: "1001", context: "default",
            folder: arrival.urgent ? "Urgent" : "INBOX", urgent: arrival.urgent,
            caller: Caller(name: nil, number: arrival.caller, rawNumber: arrival.caller?.e164), pbxMessageID: nil,
            audio: AudioSummary(
                format: "WAV PCM 16", sampleRate: 8000, channels: 1, frames: 240_000, durationSeconds: 30, peak: 0.5, rms: 0.1,
                speechSeconds: 25, silent: false),
            audioError: nil)
        let deadline = callbacks.deadline(for: voicemail, hours: hours)
        let queued = intake.intake(voicemail, deadline: deadline, firstRun: false, at: arrival.receivedAt)
        let recording = Recording(voicemail: voicemail, deadline: deadline, queue: queued.queued, audioPath: { _ in nil })
        guard let outcome = try store.record([recording], at: arrival.receivedAt, actor: "replay", rules: escalation).first else {
            throw StoreError("the replay's store recorded nothing for line \(arrival.line)")
        }
        return try outcome.get()
    }

    static func result(policy: PromisePolicy, promised: [Int64: (promise: Date, deadline: Date)], reached: [Int64: Date]) -> PolicyResult {
        var kept = 0
        var slack: [Double] = []
        var late: [Double] = []
        var atSLA = 0
        var neverReached = 0
        for (id, first) in promised {
            if first.promise == first.deadline { atSLA += 1 }
            guard let reach = reached[id] else {
                neverReached += 1
                continue
            }
            if reach <= first.promise {
                kept += 1
                if first.promise > first.deadline { slack.append(first.promise.timeIntervalSince(reach) / 60) }
            } else {
                late.append(reach.timeIntervalSince(first.promise) / 60)
            }
        }
        return PolicyResult(
            policy: policy, promises: promised.count, kept: kept, moved: 0, medianSlackMinutes: quantile(slack, 0.5),
            p95LateMinutes: quantile(late, 0.95), atSLA: atSLA, neverReached: neverReached)
    }

    /// The `q` quantile by the nearest rank; nil for no values.
    static func quantile(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = max(Int((q * Double(sorted.count)).rounded(.up)) - 1, 0)
        return sorted[min(rank, sorted.count - 1)]
    }
}
