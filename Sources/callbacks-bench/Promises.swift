import BusinessTime
import Domain
import Foundation
import Simulation
import UseCases

// MARK: - Promises: replays of generated traffic, and the forecast's speed

/// A line as soon as it is measured, also when the output is piped (`make bench | tee`).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// SplitMix64: the same traffic on every run.
struct Seeded: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BD_1133_11EB
        return z ^ (z >> 31)
    }

    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// A normal draw (Box–Muller).
    mutating func normal() -> Double {
        let u = max(unit(), 1e-12)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * unit())
    }
}

/// A business like the documentation's: Mon–Fri 08:00–17:00 in New York, answer within
/// 2 business hours (30 minutes when urgent), Thanksgiving closed.
struct Business: Sendable {
    let zone = TimeZone(identifier: "America/New_York") ?? .current
    let hours: BusinessHours
    let policy = CallbackPolicy(respondWithin: 7200, urgentWithin: 1800, retryAfter: 3600, maxAttempts: 3)

    init() throws {
        let day = [try OpeningInterval(parsing: "08:00-17:00")]
        hours = try BusinessHours(
            timeZone: zone, weekly: [.monday: day, .tuesday: day, .wednesday: day, .thursday: day, .friday: day],
            holidays: [try LocalDate(year: 2026, month: 11, day: 26)])
    }

    func staffing(_ perDay: [Weekday: [String]]) throws -> Staffing {
        var weekly: [Weekday: [StaffedInterval]] = [:]
        for (day, intervals) in perDay { weekly[day] = try intervals.map(StaffedInterval.init(parsing:)) }
        return try Staffing(weekly: weekly, hours: hours)
    }

    func weekdays(_ intervals: [String]) throws -> Staffing {
        try staffing([.monday: intervals, .tuesday: intervals, .wednesday: intervals, .thursday: intervals, .friday: intervals])
    }

    /// Local midnight of 2026-11-02 (a Monday) plus `days`, then `hour` o'clock.
    func at(day: Int, hour: Double) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let midnight = calendar.date(from: DateComponents(year: 2026, month: 11, day: 2 + day)) ?? Date(timeIntervalSince1970: 0)
        return midnight.addingTimeInterval(hour * 3600)
    }
}

/// Traffic for `days` from Monday 2026-11-02: per day, how many messages and over which
/// hours; calls of a log-normal length (median `median` minutes), some urgent, some not
/// answered the first time, some callers ringing twice.
func traffic(
    _ business: Business, days: Int, seed: UInt64, median: Double = 7,
    urgentShare: Double = Double(ProcessInfo.processInfo.environment["AFTERHOURS_BENCH_URGENT"] ?? "") ?? 0.05, perDay: (Int) -> (count: Int, from: Double, to: Double)
) -> [Arrival] {
    var random = Seeded(state: seed)
    var arrivals: [Arrival] = []
    var callers: [PhoneNumber] = []
    for day in 0..<days {
        let (count, from, to) = perDay(day)
        for _ in 0..<count {
            let hour = from + random.unit() * (to - from)
            // One in ten rings again (same number) within the day; the rest are new.
            let number: PhoneNumber
            if !callers.isEmpty, random.unit() < 0.1 {
                number = callers[Int(random.unit() * Double(callers.count)) % callers.count]
            } else {
                number = PhoneNumber(e164: "+1212\(String(format: "%07d", 1_000_000 + callers.count))") ?? callers.first!
                callers.append(number)
            }
            let minutes = max(1, median * exp(0.5 * random.normal()))
            arrivals.append(
                Arrival(
                    line: arrivals.count + 2, receivedAt: business.at(day: day, hour: hour), caller: number, urgent: random.unit() < urgentShare,
                    handlingSeconds: (minutes * 60).rounded(), answered: random.unit() >= 0.15))
        }
    }
    return arrivals.sorted { $0.receivedAt < $1.receivedAt }
}

func promiseBenchmark() throws {
    let business = try Business()
    @Sendable func replay(_ staffing: Staffing, prior: Int = 360) -> Replay {
        Replay(
            hours: business.hours, staffing: staffing, handlingPrior: prior, callbacks: business.policy,
            escalation: EscalationRules(), intake: IntakeRules(), defaultRegion: "US")
    }
    func weekday(_ day: Int) -> Bool { day % 7 < 5 }

    // Four weeks each: the first three are the history the replay learns from, as `serve`
    // would; the figures are over the whole file.
    let scenarios: [(String, [Arrival], Staffing)] = [
        (
            "busy weeks, one person (staffing too thin for a 2h SLA)",
            traffic(business, days: 28, seed: 1) { day in weekday(day) ? (45, 7, 19) : (15, 9, 18) },
            try business.weekdays(["08:00-17:00 1"])
        ),
        (
            "quiet weeks, two people",
            traffic(business, days: 28, seed: 2) { day in weekday(day) ? (18, 7, 19) : (6, 9, 18) },
            try business.weekdays(["08:00-17:00 2"])
        ),
        (
            "Thanksgiving week and weekend, two people (Thursday closed)",
            traffic(business, days: 28, seed: 3) { day in
                switch day {
                case 24, 25, 26, 27: (55, 0, 24)  // Thanksgiving Thursday to Sunday: closed, messages pile up
                default: weekday(day) ? (30, 7, 19) : (10, 9, 18)
                }
            },
            try business.weekdays(["08:00-12:00 2", "12:00-17:00 2"])
        ),
        (
            "a storm day, three people from noon",
            traffic(business, days: 28, seed: 4) { day in
                day == 22 ? (220, 6, 14) : (weekday(day) ? (30, 7, 19) : (10, 9, 18))
            },
            try business.weekdays(["08:00-12:00 2", "12:00-17:00 3"])
        ),
    ]
    let pick = ProcessInfo.processInfo.environment["AFTERHOURS_BENCH_SCENARIO"].flatMap(Int.init)
    for (index, (name, arrivals, staffing)) in scenarios.enumerated() where pick == nil || pick == index {
        let results = try runBlocking { [arrivals] in
            [try await replay(staffing).run(arrivals, policy: .fixed), try await replay(staffing).run(arrivals, policy: .capacity)]
        }
        say("promises: \(name): \(arrivals.count) arrivals")
        for result in results {
            say(
                String(
                    format: "promises:   %-8@ kept %5.1f %% of %d, at the SLA %5.1f %%, median slack %@, p95 late %@, never reached %d",
                    result.policy.rawValue as NSString, result.keptRatio * 100, result.promises,
                    Double(result.atSLA) / Double(max(result.promises, 1)) * 100,
                    (result.medianSlackMinutes.map { String(format: "%.0f min", $0) } ?? "-") as NSString,
                    (result.p95LateMinutes.map { String(format: "%.0f min", $0) } ?? "-") as NSString, result.neverReached))
        }
    }

    // The forecast of a 10,000-callback queue: all promised already (every pass of
    // `serve`), and all new (a first promise for a backlog that size).
    let staffing = try business.weekdays(["08:00-17:00 3"])
    let now = business.at(day: 7, hour: 6)
    let queue = (0..<10_000).map { index -> Callback in
        let received = now.addingTimeInterval(-Double(index) * 30)
        return Callback(
            id: Int64(index + 1), caller: Caller(name: nil, number: nil, rawNumber: nil), recordedStatus: .open,
            deadline: business.hours.deadline(from: received, within: 7200), urgent: index % 20 == 0, escalated: false, claimedBy: nil,
            claimExpiresAt: nil, retryAt: nil, attempts: 0, firstReceivedAt: now.addingTimeInterval(-Double(10_000 - index)),
            closedAt: nil, availableAt: received)
    }
    let model = HandlingModel.prior(seconds: 420)
    let fresh = Promising.plan(Promising.Request(queue: queue, now: now, staffing: staffing, model: model, maxAttempts: 3, policy: .capacity))
    let promised = queue.map { callback -> Callback in
        var callback = callback
        callback.promisedBy = fresh.promises[callback.id]
        return callback
    }
    for (label, input) in [("all promised", promised), ("all new", queue)] {
        var times: [Double] = []
        for _ in 0..<5 {
            let elapsed = clock.measure {
                _ = Promising.plan(Promising.Request(queue: input, now: now, staffing: staffing, model: model, maxAttempts: 3, policy: .capacity))
            }
            times.append(seconds(elapsed) * 1000)
        }
        say(String(format: "promises: forecast of 10,000 callbacks (%@): median %.1f ms (min %.1f, max %.1f) of 5 runs", label as NSString, median(times), times.min() ?? 0, times.max() ?? 0))
    }

    // A month of 5,000 arrivals replayed, both policies, as `callbacks simulate` does.
    let month = traffic(business, days: 30, seed: 5) { day in weekday(day) ? (200, 7, 19) : (70, 9, 18) }.prefix(5000)
    let thin = try business.weekdays(["08:00-17:00 3"])
    var runs: [Double] = []
    for _ in 0..<3 {
        let elapsed = try clock.measure {
            _ = try runBlocking { [month] in try await replay(thin).run(Array(month), policy: .capacity) }
        }
        runs.append(seconds(elapsed))
    }
    say(String(format: "promises: simulate, a month of %d arrivals (capacity policy): median %.2f s (min %.2f, max %.2f) of 3 runs", month.count, median(runs), runs.min() ?? 0, runs.max() ?? 0))
}
