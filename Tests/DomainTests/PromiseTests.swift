import BusinessTime
import Domain
import Foundation
import Testing

/// The promise rule and the forecast (DESIGN §10), as properties over many queues and as
/// cases worked by hand.
@Suite("Promises the business can keep")
struct PromiseTests {
    static let newYork = TimeZone(identifier: "America/New_York")!
    /// Saturday 2026-11-21 10:00 in New York; the business opens Monday 09:00.
    static let saturday = Date(timeIntervalSince1970: 1_795_273_200)
    static let monday9 = Date(timeIntervalSince1970: 1_795_442_400)

    static func hours() throws -> BusinessHours {
        let nineToFive = try OpeningInterval(parsing: "09:00-17:00")
        var weekly: [Weekday: [OpeningInterval]] = [:]
        for day in Weekday.allCases where day.rawValue <= 5 { weekly[day] = [nineToFive] }
        return try BusinessHours(timeZone: newYork, weekly: weekly)
    }

    static func staffing(people: Int) throws -> Staffing {
        let interval = try StaffedInterval(OpeningInterval(parsing: "09:00-17:00"), people: people)
        var weekly: [Weekday: [StaffedInterval]] = [:]
        for day in Weekday.allCases where day.rawValue <= 5 { weekly[day] = [interval] }
        return try Staffing(weekly: weekly, hours: hours())
    }

    static func callback(_ id: Int64, receivedAt: Date, deadline: Date, urgent: Bool = false, promisedBy: Date? = nil) -> Callback {
        Callback(
            id: id, caller: Caller(name: nil, number: PhoneNumber(e164: "+1212555\(1000 + id)"), rawNumber: nil), recordedStatus: .open,
            deadline: deadline, urgent: urgent, escalated: false, claimedBy: nil, claimExpiresAt: nil, retryAt: nil, attempts: 0,
            firstReceivedAt: receivedAt, closedAt: nil, availableAt: receivedAt, promisedBy: promisedBy)
    }

    /// `count` callers over the weekend, each due by Monday 11:00 (2 business hours).
    static func weekendBacklog(_ count: Int) -> [Callback] {
        let deadline = monday9.addingTimeInterval(7200)
        return (0..<count).map { callback(Int64($0 + 1), receivedAt: saturday.addingTimeInterval(Double($0) * 600), deadline: deadline) }
    }

    static func plan(_ queue: [Callback], people: Int = 1, handling: Int = 1800, at now: Date = saturday) throws -> PromisePlan {
        Promising.plan(
            Promising.Request(
                queue: queue, now: now, staffing: try staffing(people: people), model: .prior(seconds: handling), maxAttempts: 3,
                policy: .capacity))
    }

    @Test("worked by hand: ten weekend callers, one person, 30-minute calls: the first three by the deadline, the rest by the quarter hour the sum reaches")
    func weekendByHand() throws {
        let plan = try Self.plan(Self.weekendBacklog(10))
        let clock = { (text: String) in try #require(ISO8601DateFormatter().date(from: "2026-11-23T\(text):00-05:00")) }
        // k-th call: 30k minutes of work ahead, 15√k spread; upper = 30k + 1.645·15·√k.
        let expected = [
            "11:00", "11:00", "11:00", "11:15", "12:00", "12:30", "13:15", "13:45", "14:15", "14:45",
        ]
        for (index, time) in expected.enumerated() {
            #expect(plan.promises[Int64(index + 1)] == (try clock(time)), "caller \(index + 1)")
        }
        #expect(plan.reach[4]?.expected == (try clock("10:30")))
        #expect(plan.atRisk.isEmpty)
        #expect(plan.clearBy == (try clock("13:30")))
    }

    @Test("a promise already made is kept as it is; a callback reached once is not promised again")
    func promisesAreKept() throws {
        var queue = Self.weekendBacklog(3)
        queue[0].promisedBy = Self.monday9.addingTimeInterval(3 * 3600)
        queue[1].attempts = 1
        let plan = try Self.plan(queue)
        #expect(plan.promises[1] == nil && plan.promises[2] == nil)
        #expect(plan.promises[3] != nil)
    }

    @Test("the forecast says at risk when a callback's expected start is after its promise")
    func atRisk() throws {
        // Promised the deadline long ago, but ten 30-minute calls are ahead of the last.
        var queue = Self.weekendBacklog(10)
        for index in queue.indices { queue[index].promisedBy = queue[index].deadline }
        let plan = try Self.plan(queue)
        #expect(plan.promises.isEmpty)
        // Calls 6–10 start at 11:30 and later: after 11:00. Call 5 starts at 11:00 exactly.
        #expect(Set(plan.atRisk.keys) == [6, 7, 8, 9, 10])
        #expect(plan.atRisk[6] == Self.monday9.addingTimeInterval(150 * 60))
    }

    @Test("a backlog stored long after it was left is promised its deadline, as the greeting of the time said")
    func backlogIsPromisedItsDeadline() throws {
        let queue = Self.weekendBacklog(10)
        let plan = try Self.plan(queue, at: Self.monday9.addingTimeInterval(-3600))
        #expect(plan.promises.count == 10)
        #expect(queue.allSatisfy { plan.promises[$0.id] == $0.deadline })
        // Still forecast: half of them will be late, and are at risk.
        #expect(plan.atRisk.count == 5)
    }

    @Test("a quiet queue is promised the SLA deadline: no padding when capacity allows")
    func quietQueue() throws {
        let plan = try Self.plan(Self.weekendBacklog(3), handling: 360)
        #expect(plan.promises.values.allSatisfy { $0 == Self.monday9.addingTimeInterval(7200) })
        #expect(plan.promises.count == 3)
    }

    @Test("the offer a new caller would be told moves with the queue")
    func offer() throws {
        let deadline = Self.monday9.addingTimeInterval(7200)
        func offer(_ queue: [Callback]) throws -> Date? {
            Promising.plan(
                Promising.Request(
                    queue: queue, now: Self.saturday, staffing: try Self.staffing(people: 1), model: .prior(seconds: 1800), maxAttempts: 3,
                    policy: .capacity, offerDeadline: deadline)
            ).offer
        }
        #expect(try offer([]) == deadline)
        #expect(try offer(Self.weekendBacklog(10)) == ISO8601DateFormatter().date(from: "2026-11-23T15:30:00-05:00"))
    }

    /// Queues of every shape, from a seeded generator: the same cases on every run.
    static func randomQueues(_ count: Int) -> [[Callback]] {
        var generator = SeededGenerator(seed: 42)
        return (0..<count).map { _ in
            let size = Int.random(in: 0...60, using: &generator)
            var at = saturday
            return (0..<size).map { index in
                at = at.addingTimeInterval(Double.random(in: 0...1200, using: &generator))  // all before Monday
                let urgent = Int.random(in: 0..<10, using: &generator) == 0
                let deadline = monday9.addingTimeInterval(urgent ? 1800 : 7200).addingTimeInterval(at.timeIntervalSince(saturday) / 100)
                return callback(Int64(index + 1), receivedAt: at, deadline: deadline, urgent: urgent)
            }
        }
    }

    @Test("property: a promise is never earlier than the SLA deadline")
    func neverEarlier() throws {
        for queue in Self.randomQueues(60) {
            for people in 1...3 {
                let plan = try Self.plan(queue, people: people)
                for callback in queue {
                    let promise = try #require(plan.promises[callback.id])
                    #expect(promise >= callback.deadline)
                    #expect(promise.timeIntervalSince1970.truncatingRemainder(dividingBy: 900) == 0 || promise == callback.deadline)
                }
            }
        }
    }

    @Test("property: adding staff never makes a promise later")
    func moreStaffNeverLater() throws {
        for queue in Self.randomQueues(60) {
            let one = try Self.plan(queue, people: 1)
            let two = try Self.plan(queue, people: 2)
            let three = try Self.plan(queue, people: 3)
            for callback in queue {
                let (a, b, c) = (try #require(one.promises[callback.id]), try #require(two.promises[callback.id]), try #require(three.promises[callback.id]))
                #expect(b <= a && c <= b, "caller \(callback.id): \(a) \(b) \(c)")
            }
        }
    }

    @Test("property: an arrival never breaks a promise already made when a place exists that breaks none")
    func arrivalsBreakNothing() throws {
        var generator = SeededGenerator(seed: 7)
        var tried = (feasible: 0, urgent: 0, held: 0)
        for queue in Self.randomQueues(40) where !queue.isEmpty {
            for people in 1...2 {
                // The queue promised as it stands, then one more caller, urgent or not.
                let last = queue.map(\.firstReceivedAt).max() ?? Self.saturday
                // (Planned from Saturday morning, when every message is fresh; nobody works
                // the weekend, so the forecast is the same from any hour of it.)
                let first = try Self.plan(queue, people: people)
                let promised = queue.map { callback -> Callback in
                    var callback = callback
                    callback.promisedBy = first.promises[callback.id]
                    return callback
                }
                let urgent = Bool.random(using: &generator)
                let arrival = Self.callback(
                    Int64(queue.count + 1), receivedAt: last.addingTimeInterval(60), deadline: Self.monday9.addingTimeInterval(urgent ? 1800 : 7300),
                    urgent: urgent)
                let after = try Self.plan(promised + [arrival], people: people)
                let feasible = try Self.placeBreakingNone(arrival, in: promised, people: people, at: Self.saturday)
                guard feasible else { continue }
                tried.feasible += 1
                if urgent { tried.urgent += 1 }
                for callback in promised {
                    let promise = try #require(callback.promisedBy)
                    let before = try #require(first.reach[callback.id])
                    guard before.upper <= promise else { continue }  // already short before the arrival
                    tried.held += 1
                    let now = try #require(after.reach[callback.id])
                    #expect(now.upper <= promise, "caller \(callback.id) promised \(promise), now reached by \(now.upper)")
                }
            }
        }
        // Not a property that holds by having nothing to check.
        #expect(tried.feasible >= 30 && tried.urgent >= 5 && tried.held >= 300, "\(tried)")
    }

    /// Whether some place in the arrival's class keeps every promise that held: each tried
    /// by the forecast of the queue with the arrival promised just before a callback of its
    /// class (so serving order puts it there), or after the last of them.
    static func placeBreakingNone(_ arrival: Callback, in queue: [Callback], people: Int, at now: Date) throws -> Bool {
        let before = try plan(queue, people: people, at: now)
        let holding = queue.filter { (before.reach[$0.id]?.upper ?? .distantFuture) <= ($0.promisedBy ?? $0.deadline) }
        let sameClass = queue.filter { $0.urgent == arrival.urgent }.map(\.servedBy).sorted()
        let places = sameClass.map { $0.addingTimeInterval(-1) } + [(sameClass.last ?? arrival.deadline).addingTimeInterval(86_400)]
        for place in places {
            var placed = arrival
            placed.promisedBy = max(place, arrival.deadline)
            let after = try plan(queue + [placed], people: people, at: now)
            if holding.allSatisfy({ (after.reach[$0.id]?.upper ?? .distantFuture) <= ($0.promisedBy ?? $0.deadline) }) { return true }
        }
        return false
    }
}

/// SplitMix64: the same numbers on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BD_1133_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Handling times, learned")
struct HandlingModelTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("the prior until twenty calls have ended; then their mean, spread and no-answer rate, recent weeks weighing more")
    func learned() {
        let nineteen = (0..<19).map { HandlingSample(endedAt: Self.now.addingTimeInterval(-Double($0) * 60), seconds: 600, answered: true) }
        #expect(HandlingModel.learn(from: nineteen, at: Self.now, prior: 360) == .prior(seconds: 360))
        // A call that has not ended by now is not known yet.
        let later = HandlingSample(endedAt: Self.now.addingTimeInterval(60), seconds: 600, answered: true)
        #expect(HandlingModel.learn(from: nineteen + [later], at: Self.now, prior: 360).samples == 0)

        let twenty = nineteen + [HandlingSample(endedAt: Self.now, seconds: 600, answered: false)]
        let model = HandlingModel.learn(from: twenty, at: Self.now, prior: 360)
        #expect(model.samples == 20 && abs(model.meanSeconds - 600) < 0.001 && model.deviationSeconds < 0.001)
        #expect(abs(model.noAnswerRate - 1.0 / 20) < 0.001)

        // Ten 4-minute calls today, ten 12-minute calls four weeks ago (a quarter of the
        // weight each): the mean is nearer today's.
        let mixed = (0..<10).map { HandlingSample(endedAt: Self.now.addingTimeInterval(-Double($0)), seconds: 240, answered: true) }
            + (0..<10).map { HandlingSample(endedAt: Self.now.addingTimeInterval(-28 * 86_400 - Double($0)), seconds: 720, answered: true) }
        let weighted = HandlingModel.learn(from: mixed, at: Self.now, prior: 360)
        #expect(abs(weighted.meanSeconds - (240 * 1 + 720 * 0.25) / 1.25) < 1)
    }

    @Test("a callback's load: one try, and one more for each that may find nobody, up to the attempts left")
    func load() {
        let model = HandlingModel(meanSeconds: 600, deviationSeconds: 0, noAnswerRate: 0.5, samples: 20)
        #expect(model.load(attemptsLeft: 1).mean == 600)
        #expect(model.load(attemptsLeft: 3).mean == 600 * 1.75)
    }
}
