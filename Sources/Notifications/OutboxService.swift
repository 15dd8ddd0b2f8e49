import Foundation
import Logging
import Metrics
import ServiceLifecycle
import UseCases

/// `callbacks serve`'s notifications: every second, escalate breached deadlines and
/// deliver what the outbox holds. A failed delivery is retried with exponential backoff
/// and jitter; the outbox lives in the database, so nothing is lost across restarts,
/// and a delivery is marked done only once a channel accepted it.
public struct OutboxService: Service {
    let store: any CallbackRepository
    let notifier: Notifier
    let now: @Sendable () -> Date
    let logger: Logger
    let sweepBreaches: Bool
    /// The first retry waits about this long; each further one twice as long.
    public var backoffBase: Double = 2
    public var backoffCap: Double = 900

    public init(store: any CallbackRepository, notifier: Notifier, now: @escaping @Sendable () -> Date, logger: Logger, sweepBreaches: Bool) {
        self.store = store
        self.notifier = notifier
        self.now = now
        self.logger = logger
        self.sweepBreaches = sweepBreaches
    }

    public func run() async throws {
        // Shutdown cancels the wait between ticks; that is a normal end, not a failure.
        // A delivery in flight when it comes is not marked, so it is sent again on the
        // next start: at least once, never lost.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await tick()
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    func tick() async {
        do {
            let (store, now, zone) = (store, now, notifier.configuration.business.hours.timeZone)
            if sweepBreaches {
                let raised = try await store.sweepBreaches(at: now(), timeZone: zone)
                if raised > 0 { logger.notice("deadlines breached", metadata: ["escalations.raised": "\(raised)"]) }
            }
            for (notification, detail) in try await store.dueNotifications(at: now(), limit: 50) {
                let failure: DeliveryError?
                do {
                    try await notifier.deliver(notification, detail, now: now())
                    failure = nil
                } catch {
                    failure = error
                }
                if let error = failure {
                    Counter(label: "afterhours_notification_failures_total", dimensions: [("channel", notification.channelKind)]).increment()
                    let delay = min(backoffCap, backoffBase * pow(2, Double(notification.attempts))) * Double.random(in: 0.5...1)
                    let retryAt = now().addingTimeInterval(delay)
                    try await store.markFailed(notification: notification.id, error: error.description, retryAt: retryAt)
                    logger.warning(
                        "notification failed; will retry",
                        metadata: [
                            "escalation.id": "\(notification.escalationID)", "notification.channel": "\(notification.channel)",
                            "error": "\(error.description)", "retry.in": "\(Int(delay))s",
                            "notification.attempts": "\(notification.attempts + 1)",
                        ])
                } else {
                    try await store.markDelivered(notification: notification.id, at: now())
                    logger.info(
                        "notified the owner",
                        metadata: [
                            "escalation.id": "\(notification.escalationID)", "notification.channel": "\(notification.channel)",
                            "escalation.reason": "\(notification.subject.rawValue)",
                        ])
                }
            }
        } catch {
            logger.error("outbox", metadata: ["error": "\(error)"])
        }
    }
}
