import Foundation

/// A change the rules refuse, or a record that is not there, as a value. The domain's
/// decisions and the stores name one of these; the words a person reads are made from it
/// here, in one place, so the SQLite, PostgreSQL and in-memory stores cannot word (or
/// classify) the same refusal differently.
public enum Refusal: Sendable, Equatable {
    case noCallback(Int64)
    case noEscalation(Int64)
    case noMessage(Int64)
    case noPerson(String)
    /// The callback is done: no outcome can be recorded on it.
    case alreadyDone(Int64)
    /// A colleague holds the claim (each door adds how its users override it).
    case claimedBy(Int64, String)
    case notClaimed(Int64, CallbackStatus)
    case notDone(Int64, CallbackStatus)
    /// Reopening would give the caller a second open callback beside `open`.
    case callerHasOpenCallback(reopening: Int64, open: Int64)
    /// Closed because its number is blocked: unblocking comes first.
    case callerBlocked(Int64, PhoneNumber)
    case escalationAlready(Int64, EscalationState)
    case emptyEscalationReason(Int64)
    case emptyNote(Int64)
    case emptyResolution(Int64)
    /// A name that would clash with someone's once case is ignored.
    case nameClashes(String, existing: String)
    case nothingToTranscribe(Int64, why: String)
    /// The database refused a write that would break one of its invariants (a unique key,
    /// one open callback per caller): the same refusal from every store, with the
    /// database's own account of which.
    case breaksInvariant(String)
    /// A database that holds several open callbacks for one caller (written by a version
    /// with a bug), named rather than guessed at.
    case callerOpenTwice(number: String, callbacks: String)
    /// `storage copy` fills only an empty database.
    case databaseNotEmpty(String, table: String)
    /// `storage.database` (shown with its password masked) is not a PostgreSQL URL.
    case notPostgresURL(String)
    case unknownSSLMode(String, url: String)
    case unsupportedURLOption(String, url: String)

    /// How the refusal is classified at every door: missing (404), refused in the current
    /// state (409), or input that is not well formed (422).
    public var code: StoreError.Code {
        switch self {
        case .noCallback, .noEscalation, .noMessage, .noPerson: .notFound
        case .alreadyDone, .claimedBy, .notClaimed, .notDone, .callerHasOpenCallback, .callerBlocked, .escalationAlready, .nameClashes,
            .nothingToTranscribe, .breaksInvariant, .callerOpenTwice, .databaseNotEmpty:
            .refused
        case .emptyEscalationReason, .emptyNote, .emptyResolution, .notPostgresURL, .unknownSSLMode, .unsupportedURLOption: .invalid
        }
    }

    /// The sentence a person reads.
    public var sentence: String {
        switch self {
        case .noCallback(let id): "there is no callback #\(id)"
        case .noEscalation(let id): "there is no escalation #\(id)"
        case .noMessage(let id): "there is no message #\(id)"
        case .noPerson(let name): "there is no person named \(name)"
        case .alreadyDone(let id): "callback #\(id) is already done"
        case .claimedBy(let id, let holder): "callback #\(id) is claimed by \(holder)"
        case .notClaimed(let id, let status): "callback #\(id) is not claimed (it is \(status.rawValue))"
        case .notDone(let id, let status):
            "callback #\(id) is not done (it is \(status.rawValue)); only a done callback can be reopened"
        case .callerHasOpenCallback(let id, let open):
            "this caller already has callback #\(open) open; add to it (callbacks note \(open) …) rather than reopen #\(id)"
        case .callerBlocked(let id, let number):
            "callback #\(id) was closed because \(number.formatted) is blocked: unblock it first (callbacks unblock \(number.e164))"
        case .escalationAlready(let id, let state): "escalation #\(id) is already \(state.rawValue)"
        case .emptyEscalationReason(let id): "say why the owner should take callback #\(id): the reason is empty"
        case .emptyNote(let id): "the note for callback #\(id) is empty"
        case .emptyResolution(let id): "say what was done for escalation #\(id): the resolution note is empty"
        case .nameClashes(let name, let existing): "\(name) clashes with \(existing), who already exists"
        case .nothingToTranscribe(let id, let why): "message #\(id) has nothing to transcribe: \(why)"
        case .breaksInvariant(let which): "the store refused the change, which would break one of its rules: \(which)"
        case .callerOpenTwice(let number, let callbacks):
            "callbacks #\(callbacks) are all open for \(number); a caller has one open callback: close all but one "
                + "with the version that wrote them, then start this one"
        case .databaseNotEmpty(let name, let table): "\(name) is not empty (\(table) has rows): copy only into an empty database"
        case .notPostgresURL(let url): "\(url) is not a PostgreSQL URL (postgresql://user:password@host:port/name)"
        case .unknownSSLMode(let mode, let url): "sslmode=\(mode) in \(url) is not one of disable, prefer, require, verify-full"
        case .unsupportedURLOption(let key, let url): "\(key)= in \(url) is not supported (only sslmode)"
        }
    }
}

extension StoreError {
    /// The error every door shows for `refusal`.
    public init(_ refusal: Refusal) {
        var claimedBy: String?
        if case .claimedBy(_, let holder) = refusal { claimedBy = holder }
        self.init(refusal.sentence, code: refusal.code, claimedBy: claimedBy)
        self.refusal = refusal
    }
}
