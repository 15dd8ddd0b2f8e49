import Foundation

// The read models and results the store returns, owned by the domain so that every door
// (command line, HTTP) and every store speaks them without importing a store.

/// An escalation with its callback and its notifications, as the owner sees it.
public struct EscalationDetail: Sendable, Equatable {
    public var escalation: Escalation
    public var callback: CallbackDetail
    public var notifications: [OwnerNotification]

    public init(escalation: Escalation, callback: CallbackDetail, notifications: [OwnerNotification]) {
        self.escalation = escalation
        self.callback = callback
        self.notifications = notifications
    }
}

/// What storing one message did.
public enum RecordOutcome: Sendable, Equatable {
    /// A new message; `callbackID` is nil when it was kept out of the queue.
    case stored(voicemailID: Int64, callbackID: Int64?, joinedExisting: Bool)
    /// Already stored earlier (re-run, renumbered slot, rewritten `.txt`, crash recovery).
    case duplicate(voicemailID: Int64, audioPath: String?)
}

/// One message to store: what `record` needs besides the clock and the rules.
public struct Recording: Sendable {
    public var voicemail: Voicemail
    public var deadline: Date
    /// False keeps the message out of the queue (silent with `silent: skip`, or nothing to call).
    public var queue: Bool
    /// The archive path for the new message's id, so the row says where its audio will be
    /// before the file moves.
    public var audioPath: @Sendable (Int64) -> String?
    /// What ingest did not take as given (an impossible time, a time without offset, audio
    /// cut short), kept in the callback's history with the message.
    public var notes: [String]
    /// False for a first run's backlog (`IntakeRules`): a callback it opens raises no
    /// breach escalation when its deadline passes.
    public var escalatesBreach: Bool

    public init(
        voicemail: Voicemail, deadline: Date, queue: Bool, audioPath: @escaping @Sendable (Int64) -> String?, notes: [String] = [],
        escalatesBreach: Bool = true
    ) {
        self.voicemail = voicemail
        self.deadline = deadline
        self.queue = queue
        self.audioPath = audioPath
        self.notes = notes
        self.escalatesBreach = escalatesBreach
    }
}

/// Queue health for `callbacks stats`.
public struct QueueStats: Sendable, Equatable {
    public var open = 0
    public var claimed = 0
    public var waiting = 0
    public var doneToday = 0
    /// Not done, deadline passed.
    public var overdue = 0
    /// Over the period: callbacks whose deadline fell in it or that were done in it ahead
    /// of their deadline, and how many of those were done by their deadline.
    public var dueInPeriod = 0
    public var doneByDeadlineInPeriod = 0
    /// The earliest deadline among the overdue callbacks.
    public var oldestOverdueDeadline: Date?

    public init() {}
}

/// A store failure or a refused change, with the sentence the user sees.
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: Sendable, Equatable {
        case database
        case notFound
        /// The change is not allowed in the callback's current state (a colleague's
        /// claim, already done): HTTP 409.
        case refused
        /// The person may see it but not do this (a staff member on the escalations): 403.
        case forbidden
        /// What was asked is not well formed (an empty reason, not a phone number): 422.
        case invalid
    }
    public let code: Code
    public let message: String
    /// A refusal over a colleague's claim: whose claim it is. The message says only that;
    /// each door adds how its users override it (`--force`, `"force": true`, or nothing on
    /// a page), so no door's words come out of the domain or a store.
    public var claimedBy: String?
    /// The refusal this error words, when it is one (see `Refusal`).
    public var refusal: Refusal?

    public init(_ message: String, code: Code = .database, claimedBy: String? = nil) {
        self.code = code
        self.message = message
        self.claimedBy = claimedBy
    }

    public var description: String { message }

    /// The same error: the same kind, words and claim holder, however it was made (from a
    /// `Refusal` or from its words).
    public static func == (lhs: StoreError, rhs: StoreError) -> Bool {
        (lhs.code, lhs.message, lhs.claimedBy) == (rhs.code, rhs.message, rhs.claimedBy)
    }
}
