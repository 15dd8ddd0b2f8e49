import Foundation

/// Why a callback went to the owner (docs/reference.md).
public enum EscalationReason: String, Sendable, Codable, CaseIterable {
    /// A message on the owner's private line.
    case ownerLine = "owner_line"
    /// `repeat_calls` messages from one caller within `repeat_window`.
    case repeatCaller = "repeat_caller"
    case vip
    /// The deadline passed with the caller not reached.
    case breach
    /// `max_attempts` attempts without reaching the caller.
    case maxAttempts = "max_attempts"
    /// A member of staff handed it over.
    case staff
    /// The caller's words match a complaint phrase (`content.complaint`), heard in the
    /// message's machine transcript.
    case complaint

    /// How urgent the owner should find it: lower first.
    public var rank: Int {
        switch self {
        case .ownerLine: 0
        case .vip: 1
        case .complaint: 2
        case .breach: 3
        case .repeatCaller: 4
        case .maxAttempts: 5
        case .staff: 6
        }
    }
}

/// When messages and callbacks go to the owner, from `owner:` and `escalation:`.
public struct EscalationRules: Sendable, Equatable {
    public var ownerMailboxes: Set<String>
    public var vip: Set<PhoneNumber>
    public var repeatCalls: Int
    /// Wall-clock seconds.
    public var repeatWindow: Int
    public var onBreach: Bool

    public init(ownerMailboxes: Set<String> = [], vip: Set<PhoneNumber> = [], repeatCalls: Int = 3, repeatWindow: Int = 86_400, onBreach: Bool = true) {
        self.ownerMailboxes = ownerMailboxes
        self.vip = vip
        self.repeatCalls = repeatCalls
        self.repeatWindow = repeatWindow
        self.onBreach = onBreach
    }

    /// Reasons a new message raises by itself; `recentFromCaller` counts the caller's
    /// messages within `repeatWindow` before it, this one included.
    public func reasons(for voicemail: Voicemail, recentFromCaller: Int) -> [EscalationReason] {
        var reasons: [EscalationReason] = []
        if ownerMailboxes.contains(voicemail.mailbox) { reasons.append(.ownerLine) }
        if let number = voicemail.caller.number {
            if vip.contains(number) { reasons.append(.vip) }
            if recentFromCaller >= repeatCalls { reasons.append(.repeatCaller) }
        }
        return reasons
    }
}

/// An escalation's life: open → acknowledged → resolved.
public enum EscalationState: String, Sendable, Codable {
    case open, acknowledged, resolved
}

/// One reason an escalation was raised for, with what it says: staff's words, the
/// promise missed, the attempts made.
public struct RaisedReason: Sendable, Equatable {
    public var kind: EscalationReason
    public var detail: String?

    public init(_ kind: EscalationReason, detail: String? = nil) {
        self.kind = kind
        self.detail = detail
    }
}

/// A callback handed to the owner, with every reason it was raised for.
public struct Escalation: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var callbackID: Int64
    /// The first reason; `reasons` holds all of them, in the order they came.
    public var reason: EscalationReason
    public var reasons: [RaisedReason]
    public var state: EscalationState
    public var createdAt: Date
    public var acknowledgedBy: String?
    public var acknowledgedAt: Date?
    public var resolvedBy: String?
    public var resolvedAt: Date?
    public var resolution: String?

    public init(
        id: Int64, callbackID: Int64, reason: EscalationReason, reasons: [RaisedReason], state: EscalationState,
        createdAt: Date, acknowledgedBy: String?, acknowledgedAt: Date? = nil, resolvedBy: String?, resolvedAt: Date?,
        resolution: String?
    ) {
        self.id = id
        self.callbackID = callbackID
        self.reason = reason
        self.reasons = reasons
        self.state = state
        self.createdAt = createdAt
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedAt = acknowledgedAt
        self.resolvedBy = resolvedBy
        self.resolvedAt = resolvedAt
        self.resolution = resolution
    }

    /// When the escalation entered its current state: each state is measured from its own start.
    public var stateSince: Date {
        switch state {
        case .open: createdAt
        case .acknowledged: acknowledgedAt ?? createdAt
        case .resolved: resolvedAt ?? acknowledgedAt ?? createdAt
        }
    }
}

/// What a notification announces: a reason the escalation was raised for, or its resolution.
public enum NotificationSubject: Sendable, Equatable {
    case raised(EscalationReason)
    case resolved

    public init?(rawValue: String) {
        if rawValue == "resolved" {
            self = .resolved
        } else if let reason = EscalationReason(rawValue: rawValue) {
            self = .raised(reason)
        } else {
            return nil
        }
    }

    public var rawValue: String {
        switch self {
        case .raised(let reason): reason.rawValue
        case .resolved: "resolved"
        }
    }
}

/// One notification of one escalation on one channel, as the outbox holds it.
public struct OwnerNotification: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var escalationID: Int64
    /// `webhook:URL`, `command:PATH` or `email:ADDRESS`.
    public var channel: String
    /// `webhook`, `command` or `email`: the channel without its address.
    public var channelKind: String { String(channel.prefix { $0 != ":" }) }
    /// What this notification announces: the first reason, one added later, or the resolution.
    public var subject: NotificationSubject
    public var attempts: Int
    public var nextAttemptAt: Date
    public var deliveredAt: Date?
    public var lastError: String?

    public init(
        id: Int64, escalationID: Int64, channel: String, subject: NotificationSubject, attempts: Int, nextAttemptAt: Date,
        deliveredAt: Date?, lastError: String?
    ) {
        self.id = id
        self.escalationID = escalationID
        self.channel = channel
        self.subject = subject
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.deliveredAt = deliveredAt
        self.lastError = lastError
    }

    /// The outbox's name for a resolution, beside the reasons' names.
    public static let resolvedSubject = NotificationSubject.resolved.rawValue

    /// Stable per escalation, channel and announced subject, so a receiver that sees a
    /// retry can drop it.
    public var idempotencyKey: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in channel.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return "afterhours-escalation-\(escalationID)-\(String(hash, radix: 16))-\(subject.rawValue)"
    }
}
