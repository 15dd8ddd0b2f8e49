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
    /// Who reached the caller (or resolved the owner's escalation that closed it).
    public var closedBy: String?
    /// When `next` may serve it: the retry time of a waiting one, the lease end of a
    /// claimed one; nil once done.
    public var availableAt: Date?
    /// From the owner's private line: the owner's, never shown to staff.
    public var ownerLine: Bool
    /// Its caller's number is on the block list (read with the callback where a store
    /// looks one up by id): then it is the owner's alone, like the owner's line.
    public var callerBlocked = false
    /// Its deadline passed and was escalated as breached (once per callback).
    public var breached = false
    /// What the caller was told (DESIGN §10): the deadline when the staff on shift can
    /// meet it, else later; nil until the forecast has promised it.
    public var promisedBy: Date?

    public init(
        id: Int64, caller: Caller, recordedStatus: CallbackStatus, deadline: Date, urgent: Bool,
        escalated: Bool, claimedBy: String?, claimExpiresAt: Date?, retryAt: Date?, attempts: Int,
        firstReceivedAt: Date, closedAt: Date?, closedBy: String? = nil, availableAt: Date? = nil, ownerLine: Bool = false,
        breached: Bool = false, promisedBy: Date? = nil
    ) {
        self.breached = breached
        self.promisedBy = promisedBy
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
        self.closedBy = closedBy
        self.availableAt = availableAt
        self.ownerLine = ownerLine
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

/// The person acting on a callback, with their role.
public struct Acting: Sendable, Equatable {
    public var name: String
    public var role: Role

    public init(_ name: String, role: Role) {
        self.name = name
        self.role = role
    }

    public init(_ name: String, isOwner: Bool = false) {
        self.init(name, role: isOwner ? .owner : .staff)
    }

    /// Has the owner role (or admin): sees and acts on callbacks from the owner's line.
    public var isOwner: Bool { role != .staff }
}

/// What a person may see of the callbacks and messages: the one rule that every list,
/// page, count and lookup by id applies. Stores take it as a parameter of their queries
/// and translate it into their own filter; they never decide it.
public struct Visibility: Sendable, Equatable {
    /// Callbacks from the owner's private line.
    public var ownerLine: Bool
    /// Callbacks and messages of a number on the block list.
    public var blockedCallers: Bool

    public init(ownerLine: Bool, blockedCallers: Bool) {
        self.ownerLine = ownerLine
        self.blockedCallers = blockedCallers
    }

    /// Staff: neither the owner's line nor a blocked caller exists for them.
    public static let staff = Visibility(ownerLine: false, blockedCallers: false)
    /// The owner (and admins): everything.
    public static let everything = Visibility(ownerLine: true, blockedCallers: true)

    /// Whether a callback or message with these marks exists for this viewer.
    public func admits(ownerLine: Bool, callerBlocked: Bool) -> Bool {
        (!ownerLine || self.ownerLine) && (!callerBlocked || blockedCallers)
    }
}

extension Acting {
    /// What this person sees: the owner role (by token, `--as` or `owner.people`) sees
    /// everything; staff never see the owner's line or a blocked caller.
    public var visibility: Visibility { isOwner ? .everything : .staff }
}

extension Callback {
    /// A callback from the owner's line, or from a blocked number, does not exist for
    /// anyone but the owner.
    public func isVisible(to person: Acting) -> Bool {
        person.visibility.admits(ownerLine: ownerLine, callerBlocked: callerBlocked)
    }

    /// Whose claim an outcome recorded by `person` at `now` overrides: nil when the
    /// callback is not claimed by someone else.
    public func claimOverridden(by person: Acting, at now: Date) -> String? {
        guard status(at: now) == .claimed, let holder = claimedBy, holder != person.name else { return nil }
        return holder
    }
}

extension Callback {
    /// Whether `person` may record an outcome now: refused on a done callback, and on a
    /// colleague's claim unless `force`. Returns whose claim `force` overrode, to be kept
    /// in the history. Every decision on an outcome (`Decide`) applies it.
    public func checkOutcomeAllowed(by person: Acting, at now: Date, force: Bool) throws(StoreError) -> String? {
        if status(at: now) == .done {
            throw StoreError(.alreadyDone(id))
        }
        guard let holder = claimOverridden(by: person, at: now) else { return nil }
        guard force else {
            throw StoreError(.claimedBy(id, holder))
        }
        return holder
    }

    /// A history note that says when a colleague's claim was overridden.
    public static func withForce(_ note: String?, _ forcedOver: String?) -> String? {
        guard let forcedOver else { return note }
        let forced = "--force over \(forcedOver)'s claim"
        return note.map { "\($0); \(forced)" } ?? forced
    }
}
