import BusinessTime
import Foundation

/// The promises the business makes, from `callbacks:` in the configuration.
public struct CallbackPolicy: Sendable, Equatable {
    /// Business time from a message to its deadline.
    public var respondWithin: Int
    /// The same for messages flagged urgent.
    public var urgentWithin: Int
    /// Business time between attempts.
    public var retryAfter: Int
    public var maxAttempts: Int
    /// Wall-clock seconds a claim lasts before the callback returns to the queue.
    public var claimLease: Int
    /// Whether silent messages (hang-ups) join the queue.
    public var queueSilent: Bool

    public init(
        respondWithin: Int = 7200, urgentWithin: Int = 1800, retryAfter: Int = 3600,
        maxAttempts: Int = 3, claimLease: Int = 1800, queueSilent: Bool = true
    ) {
        self.respondWithin = respondWithin
        self.urgentWithin = urgentWithin
        self.retryAfter = retryAfter
        self.maxAttempts = maxAttempts
        self.claimLease = claimLease
        self.queueSilent = queueSilent
    }

    /// The promise for one message: `respond_within` (or `urgent_within`) of business time
    /// counted from when it was left.
    public func deadline(for voicemail: Voicemail, hours: BusinessHours) -> Date {
        hours.deadline(
            from: voicemail.receivedAt, within: voicemail.urgent ? urgentWithin : respondWithin)
    }
}
