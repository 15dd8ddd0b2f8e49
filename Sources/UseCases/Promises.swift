import BusinessTime
import Domain
import Foundation
import Synchronization

/// What the promise depends on, from the configuration.
public struct PromiseRules: Sendable {
    public var staffing: Staffing
    /// Staff-seconds a call is taken to need until enough have ended (`staffing.handling`).
    public var handlingPrior: Int
    public var policy: PromisePolicy
    public var callbacks: CallbackPolicy
    public var hours: BusinessHours

    public init(staffing: Staffing, handlingPrior: Int, policy: PromisePolicy = .capacity, callbacks: CallbackPolicy, hours: BusinessHours) {
        self.staffing = staffing
        self.handlingPrior = handlingPrior
        self.policy = policy
        self.callbacks = callbacks
        self.hours = hours
    }
}

/// Callback promises (DESIGN §10): the forecast of staff's queue, the promises it makes to
/// callers not yet promised, and what a caller leaving a message now would be told. Load,
/// decide in the domain (`Promising`), keep: the store only writes promises not yet made.
public struct PromiseDesk: Sendable {
    let store: any CallbackRepository
    public let rules: PromiseRules
    private let latest = Latest()

    /// A plan younger than this is read again rather than made again (`current`).
    public static let reuse: TimeInterval = 15

    public init(store: any CallbackRepository, rules: PromiseRules) {
        self.store = store
        self.rules = rules
    }

    /// The last plan made by this desk, and when.
    private final class Latest: Sendable {
        let state = Mutex<(at: Date, plan: PromisePlan)?>(nil)
    }

    /// The plan as of `now`: the last one when it is younger than `reuse` (a service plans
    /// every few seconds; a list need not plan again), else a new one.
    public func current(at now: Date) async throws(StoreError) -> PromisePlan {
        if let last = latest.state.withLock({ $0 }), now >= last.at, now.timeIntervalSince(last.at) < Self.reuse { return last.plan }
        return try await plan(at: now)
    }

    /// `details` with the at-risk marks of the plan as of `now`.
    public func marked(_ details: [CallbackDetail], at now: Date) async throws(StoreError) -> [CallbackDetail] {
        let plan = try await current(at: now)
        return details.map { detail in
            var marked = detail
            marked.atRisk = plan.atRisk[detail.callback.id]
            return marked
        }
    }

    /// How long calls take, learned from the calls that ended by `now`.
    public func handling(at now: Date) async throws(StoreError) -> HandlingModel {
        let samples = try await store.handlingSamples(endedIn: now.addingTimeInterval(-HandlingModel.window)...now)
        return HandlingModel.learn(from: samples, at: now, prior: rules.handlingPrior)
    }

    /// Forecasts the queue at `now` and keeps the promises it makes.
    @discardableResult
    public func plan(at now: Date) async throws(StoreError) -> PromisePlan {
        let queue = try await store.staffQueue()
        let plan = Promising.plan(
            Promising.Request(
                queue: queue, now: now, staffing: rules.staffing, model: try await handling(at: now),
                maxAttempts: rules.callbacks.maxAttempts, policy: rules.policy,
                offerDeadline: rules.hours.deadline(from: now, within: rules.callbacks.respondWithin),
                retryAfter: rules.callbacks.retryAfter))
        _ = try await store.keepPromises(plan.promises)
        latest.state.withLock { $0 = (now, plan) }
        return plan
    }
}
