import BusinessTime
import Foundation

/// How callers are promised a time (DESIGN §10). `capacity` is what `serve` does;
/// `fixed` (everyone told `respond_within`, whatever the queue) is what it is measured
/// against in `callbacks simulate`.
public enum PromisePolicy: String, Sendable, CaseIterable {
    case fixed, capacity
}

/// When a callback's call is forecast to start: the expected time and an upper estimate.
public struct Reach: Sendable, Equatable {
    public var expected: Date
    public var upper: Date

    public init(expected: Date, upper: Date) {
        self.expected = expected
        self.upper = upper
    }
}

/// What the forecast says of staff's queue at one moment, and the promises it makes.
public struct PromisePlan: Sendable, Equatable {
    /// When each callback waiting in staff's queue is forecast to be reached.
    public var reach: [Int64: Reach] = [:]
    /// Promises made now, to callbacks that had none: to be kept as what the caller was told.
    public var promises: [Int64: Date] = [:]
    /// Callbacks whose forecast start is after their promise, a promise not yet passed,
    /// with that forecast.
    public var atRisk: [Int64: Date] = [:]
    /// What a caller leaving a message now would be promised: the greeting's time.
    public var offer: Date?
    /// When the queue as it stands is forecast to be clear (its last call started).
    public var clearBy: Date?
    /// The handling times it was made with.
    public var model: HandlingModel

    public init(model: HandlingModel) { self.model = model }
}

/// The promise rule and the forecast it stands on (docs/promises.md). Pure: the use case
/// loads the queue and the ended calls, asks `plan`, and keeps the new promises.
///
/// The forecast is the fluid view of the queue: people on shift work through it in
/// serving order, each callback needing its learned staff time (retries included), so the
/// k-th call starts once the staff time ahead of it has been worked. The upper estimate
/// adds `z` standard deviations of that sum (its spread grows with the square root of the
/// calls ahead, not with their number): a quantile of the sum, never a sum of worst cases.
public enum Promising {
    /// The one-sided 95 % quantile of a normal sum.
    public static let z = 1.645
    /// Promises are told in quarter hours, rounded up.
    public static let granularity: TimeInterval = 900
    /// A message stored longer after it was left than this (a backlog found by a first
    /// run, a spool ingested by hand in the morning) was told the greeting of the time, not
    /// a forecast: it is promised its deadline, as that greeting said.
    public static let freshness: TimeInterval = 900

    public struct Request: Sendable {
        /// Every callback not done (the owner's line and blocked callers are left out here).
        public var queue: [Callback]
        public var now: Date
        public var staffing: Staffing
        public var model: HandlingModel
        public var maxAttempts: Int
        public var policy: PromisePolicy
        /// The SLA deadline of a message left now, to work out `offer`; nil: no offer.
        public var offerDeadline: Date?
        /// `callbacks.retry_after`: when a try that finds nobody comes back.
        public var retryAfter: Int

        public init(
            queue: [Callback], now: Date, staffing: Staffing, model: HandlingModel, maxAttempts: Int, policy: PromisePolicy,
            offerDeadline: Date? = nil, retryAfter: Int = 3600
        ) {
            self.retryAfter = retryAfter
            self.queue = queue
            self.now = now
            self.staffing = staffing
            self.model = model
            self.maxAttempts = maxAttempts
            self.policy = policy
            self.offerDeadline = offerDeadline
        }
    }

    /// The promise for a callback whose SLA deadline is `deadline` and whose call is
    /// forecast to start by `upper`: the deadline when that is in time, otherwise `upper`
    /// rounded up to the quarter hour. Never earlier than the deadline.
    public static func promise(deadline: Date, upper: Date) -> Date {
        guard upper > deadline else { return deadline }
        guard upper != .distantFuture else { return upper }
        let rounded = Date(timeIntervalSince1970: (upper.timeIntervalSince1970 / granularity).rounded(.up) * granularity)
        return max(deadline, rounded)
    }

    /// Runs the queue forward and promises every callback that has no promise yet, in the
    /// order they arrived, each placed where it breaks no promise already made if such a
    /// place exists in its class (escalated and urgent callbacks still go first).
    public static func plan(_ request: Request) -> PromisePlan {
        var planner = Planner(request)
        let newcomers = planner.takeNewcomers()
        for callback in newcomers {
            let stale = request.now.timeIntervalSince(callback.firstReceivedAt) > Promising.freshness
            switch stale ? .fixed : request.policy {
            case .fixed: planner.insert(callback, promise: callback.deadline, at: planner.servingPosition(of: callback, promise: callback.deadline))
            case .capacity:
                let (position, promise) = planner.placement(of: callback)
                planner.insert(callback, promise: promise, at: position)
            }
        }
        var plan = PromisePlan(model: request.model)
        plan.promises = planner.promised
        for index in planner.entries.indices {
            let entry = planner.entries[index]
            let reach = planner.reach(at: index)
            plan.reach[entry.callback.id] = reach
            // At risk before it breaks: a promise already passed is late, not at risk.
            if entry.callback.attempts == 0, entry.promise > request.now, reach.expected > entry.promise {
                plan.atRisk[entry.callback.id] = reach.expected
            }
        }
        if !planner.entries.isEmpty { plan.clearBy = planner.reach(at: planner.entries.count - 1).expected }
        if let deadline = request.offerDeadline {
            let caller = Callback(
                id: .max, caller: Caller(name: nil, number: nil, rawNumber: nil), recordedStatus: .open, deadline: deadline, urgent: false,
                escalated: false, claimedBy: nil, claimExpiresAt: nil, retryAt: nil, attempts: 0, firstReceivedAt: request.now, closedAt: nil)
            plan.offer = request.policy == .fixed ? deadline : planner.placement(of: caller).promise
        }
        return plan
    }
}

/// The queue as the forecast sees it, with the running sums a placement needs.
private struct Planner {
    struct Entry {
        var callback: Callback
        /// What it was (or is now) promised; the SLA deadline for one reached already.
        var promise: Date
        var load: (mean: Double, variance: Double)
        /// Of that, what its tries after a first that finds nobody need: they come back
        /// `retry_after` later, so they are ahead only of callbacks reached after that.
        var retries: (mean: Double, variance: Double)
        /// Staff-seconds on offer from now until its promise.
        var capacityToPromise: Double
    }

    let request: Promising.Request
    var curve: CapacityCurve
    var entries: [Entry] = []
    /// Staff-seconds ahead of each entry (and after the last), mean and variance.
    var ahead: [Double] = []
    var aheadVariance: [Double] = []
    /// Running sums of the entries' first tries and of their retries.
    private var firsts: [(mean: Double, variance: Double)] = []
    private var retries: [(mean: Double, variance: Double)] = []
    /// How many callbacks are reached in `retry_after`: a retry is ahead only of those
    /// further back.
    private let retryLag: Int
    /// The least slack (staff-seconds that can still go ahead without breaking a promise)
    /// from each entry to the end.
    var slackFrom: [Double] = []
    var promised: [Int64: Date] = [:]
    private var newcomers: [Callback] = []
    /// The work of calls in progress, ahead of everything waiting.
    private let busy: (mean: Double, variance: Double)

    init(_ request: Promising.Request) {
        self.request = request
        curve = request.staffing.capacity(from: request.now)
        let now = request.now
        let live = request.queue.filter { !$0.ownerLine && !$0.callerBlocked && $0.status(at: now) != .done }
        // A call in progress is taken to be half done.
        let calls = Double(live.filter { $0.status(at: now) == .claimed }.count)
        let model = request.model
        busy = (calls * model.meanSeconds / 2, calls * model.deviationSeconds * model.deviationSeconds / 4)
        let people = Double(request.staffing.people(at: request.staffing.nextStaffed(atOrAfter: now)))
        retryLag = Int(Double(request.retryAfter) * max(people, 1) / max(model.meanSeconds, 1))
        var waiting: [Entry] = []
        for callback in live where callback.status(at: now) != .claimed {
            if callback.promisedBy == nil, callback.attempts == 0 {
                newcomers.append(callback)
            } else {
                waiting.append(entry(callback, promise: callback.promisedBy ?? callback.deadline))
            }
        }
        entries = waiting.sorted { ServingOrder.precedes($0.callback, $1.callback) }
        recompute(from: 0)
    }

    mutating func takeNewcomers() -> [Callback] {
        defer { newcomers = [] }
        return newcomers.sorted { ($0.firstReceivedAt, $0.id) < ($1.firstReceivedAt, $1.id) }
    }

    mutating func entry(_ callback: Callback, promise: Date) -> Entry {
        var promisedCallback = callback
        promisedCallback.promisedBy = promise
        let attemptsLeft = request.maxAttempts - callback.attempts
        let load = request.model.load(attemptsLeft: attemptsLeft)
        // A callback tried before comes back as a whole; a new one's retries come later.
        let first = callback.attempts == 0 ? request.model.load(attemptsLeft: 1) : load
        return Entry(
            callback: promisedCallback, promise: promise, load: load,
            retries: (max(0, load.mean - first.mean), max(0, load.variance - first.variance)),
            capacityToPromise: curve.staffSeconds(until: promise))
    }

    /// The running sums from `index` on, and the least slack from every entry.
    mutating func recompute(from index: Int) {
        ahead.removeSubrange(min(index, ahead.count)...)
        aheadVariance.removeSubrange(min(index, aheadVariance.count)...)
        firsts.removeSubrange(min(index, firsts.count)...)
        retries.removeSubrange(min(index, retries.count)...)
        if firsts.isEmpty {
            firsts.append((busy.mean, busy.variance))
            retries.append((0, 0))
        }
        while firsts.count <= entries.count {
            let position = firsts.count
            let (first, retry) = (firsts[position - 1], retries[position - 1])
            let entry = entries[position - 1]
            firsts.append((first.mean + entry.load.mean - entry.retries.mean, first.variance + entry.load.variance - entry.retries.variance))
            retries.append((retry.mean + entry.retries.mean, retry.variance + entry.retries.variance))
        }
        while ahead.count <= entries.count {
            let position = ahead.count
            let retried = retries[max(0, position - retryLag)]
            ahead.append(firsts[position].mean + retried.mean)
            aheadVariance.append(firsts[position].variance + retried.variance)
        }
        slackFrom = Array(repeating: .infinity, count: entries.count + 1)
        for position in stride(from: entries.count - 1, through: 0, by: -1) {
            let entry = entries[position]
            var slack = Double.infinity
            if entry.callback.attempts == 0 {
                let kept = Self.rank(entry.callback) == 3 ? reserve(until: entry.promise) : 0
                slack = entry.capacityToPromise - kept - (ahead[position] + Promising.z * aheadVariance[position].squareRoot())
            }
            slackFrom[position] = min(slack, slackFrom[position + 1])
        }
    }

    /// When the call of the entry at `position` (of `rank`) starts: after the work ahead,
    /// and for callbacks urgent ones go ahead of, after the urgent calls still to come by
    /// then (`HandlingModel.urgentLoadRate`, found in a few rounds: it is small beside the
    /// staff on shift).
    mutating func reach(at position: Int, rank: Int? = nil) -> Reach {
        let mean = ahead[position]
        let upper = mean + Promising.z * aheadVariance[position].squareRoot()
        let reserving = (rank ?? (position < entries.count ? Self.rank(entries[position].callback) : 3)) == 3
        func start(after work: Double) -> Date {
            var at = curve.instant(afterStaffSeconds: work)
            guard reserving, request.model.urgentLoadRate > 0 else { return at }
            for _ in 0..<3 where at != .distantFuture {
                at = curve.instant(afterStaffSeconds: work + reserve(until: at))
            }
            return at
        }
        return Reach(expected: start(after: mean), upper: start(after: upper))
    }

    /// Staff-seconds kept for urgent callers from now until `instant`.
    func reserve(until instant: Date) -> Double {
        request.model.urgentLoadRate * max(0, instant.timeIntervalSince(request.now))
    }

    /// Where serving order puts `callback` if it is promised `promise`.
    func servingPosition(of callback: Callback, promise: Date) -> Int {
        var candidate = callback
        candidate.promisedBy = promise
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if ServingOrder.precedes(entries[middle].callback, candidate) { low = middle + 1 } else { high = middle }
        }
        return low
    }

    static func rank(_ callback: Callback) -> Int { (callback.escalated ? 0 : 2) + (callback.urgent ? 0 : 1) }

    /// The earliest place for a newcomer, and its promise there: the first position from
    /// where its deadline would put it at which the promises behind it still hold and
    /// serving order agrees; failing that, the end of its class.
    mutating func placement(of callback: Callback) -> (position: Int, promise: Date) {
        let rank = Self.rank(callback)
        let start = servingPosition(of: callback, promise: callback.deadline)
        var end = start
        while end < entries.count, Self.rank(entries[end].callback) <= rank { end += 1 }
        let load = request.model.load(attemptsLeft: request.maxAttempts - callback.attempts)
        let room = load.mean + Promising.z * load.variance.squareRoot()
        var fallback = (position: end, promise: callback.deadline)
        for position in start...end {
            var promise = Promising.promise(deadline: callback.deadline, upper: reach(at: position, rank: rank).upper)
            // Behind an entry of its own class it cannot be promised earlier than that one.
            if position > 0, Self.rank(entries[position - 1].callback) == rank {
                promise = max(promise, entries[position - 1].promise)
            }
            var candidate = callback
            candidate.promisedBy = promise
            let agrees = position == entries.count || ServingOrder.precedes(candidate, entries[position].callback)
            if agrees, slackFrom[position] >= room { return (position, promise) }
            if position == end { fallback.promise = promise }
        }
        return fallback
    }

    mutating func insert(_ callback: Callback, promise: Date, at position: Int) {
        entries.insert(entry(callback, promise: promise), at: position)
        promised[callback.id] = promise
        recompute(from: position)
    }
}
