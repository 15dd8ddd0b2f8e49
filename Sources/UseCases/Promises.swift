import BusinessTime
import Domain
import Foundation

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

    public init(store: any CallbackRepository, rules: PromiseRules) {
        self.store = store
        self.rules = rules
    }

    /// How long calls take, learned from the calls that ended by `now`.
    public func handling(at now: Date) async throws(StoreError) -> HandlingModel {
        let samples = try await store.handlingSamples(endedIn: now.addingTimeInterval(-HandlingModel.window)...now)
        return HandlingModel.learn(from: samples, at: now, prior: rules.handlingPrior)
    }

    /// Forecasts the queue at `now` and keeps the promises it makes.
    @discardableResult
    public func plan(at now: Date) async throws(StoreError) -> PromisePlan {
        let queue = try await store.queue(at: now, includeAll: true, limit: nil, visibility: .everything)
            .map(\.callback).filter { $0.recordedStatus != .done }
        let plan = Promising.plan(
            Promising.Request(
                queue: queue, now: now, staffing: rules.staffing, model: try await handling(at: now),
                maxAttempts: rules.callbacks.maxAttempts, policy: rules.policy,
                offerDeadline: rules.hours.deadline(from: now, within: rules.callbacks.respondWithin)))
        _ = try await store.keepPromises(plan.promises)
        return plan
    }
}
