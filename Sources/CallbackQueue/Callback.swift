import Foundation

/// Where a callback stands, as staff see it.
public enum CallbackStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting to be served by `callbacks next`.
    case open
    /// Someone is calling back; the claim lapses at its lease's end.
    case claimed
    /// Tried without reaching the caller; served again after the retry time.
    case waiting
    /// The caller was reached.
    case done
}

/// The promise to call one caller back, holding every message they left.
public struct Callback: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var caller: Caller
    /// As recorded; see `status(at:)` for what it means now.
    public var recordedStatus: CallbackStatus
    /// By when the caller must be called back: the earliest promise among its messages.
    public var deadline: Date
    public var urgent: Bool
    public var escalated: Bool
    public var claimedBy: String?
    public var claimExpiresAt: Date?
    public var retryAt: Date?
    public var attempts: Int
    /// When the first of its messages was left (the tie-break after the deadline).
    public var firstReceivedAt: Date
    public var closedAt: Date?

    public init(
        id: Int64, caller: Caller, recordedStatus: CallbackStatus, deadline: Date, urgent: Bool,
        escalated: Bool, claimedBy: String?, claimExpiresAt: Date?, retryAt: Date?, attempts: Int,
        firstReceivedAt: Date, closedAt: Date?
    ) {
        self.id = id
        self.caller = caller
        self.recordedStatus = recordedStatus
        self.deadline = deadline
        self.urgent = urgent
        self.escalated = escalated
        self.claimedBy = claimedBy
        self.claimExpiresAt = claimExpiresAt
        self.retryAt = retryAt
        self.attempts = attempts
        self.firstReceivedAt = firstReceivedAt
        self.closedAt = closedAt
    }

    /// The status at `now`: a claim whose lease ran out, or a retry whose time came, is open again.
    public func status(at now: Date) -> CallbackStatus {
        switch recordedStatus {
        case .claimed:
            if let expires = claimExpiresAt, expires <= now { return .open }
            return .claimed
        case .waiting:
            if let retry = retryAt, retry <= now { return .open }
            return .waiting
        case .open, .done:
            return recordedStatus
        }
    }
}
