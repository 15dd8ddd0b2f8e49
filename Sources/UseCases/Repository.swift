import Domain
import Foundation

// The store, as the use cases need it. Every store (SQLite today, PostgreSQL next)
// implements these; every door (command line, HTTP, pages) reaches them only through the
// use cases. Failures are `StoreError`s whose code says what kind of refusal it is.

/// The queue, the escalations and the outbox. Asynchronous: the HTTP server and the
/// service's loops call it from Swift's cooperative pool, so a store must not block it.
public protocol CallbackRepository: Sendable {
    // The desk.
    func claimNext(by staff: String, at now: Date, lease: Int) async throws(StoreError) -> CallbackDetail?
    func nextToReturn(at now: Date) async throws(StoreError) -> CallbackDetail?
    /// The queue as `visibility` (the viewer's, decided in the domain) admits it.
    func queue(at now: Date, includeAll: Bool, limit: Int?, visibility: Visibility) async throws(StoreError) -> [CallbackDetail]
    func detail(id: Int64, for person: Acting) async throws(StoreError) -> CallbackDetail
    /// Every change of state, in persistence verbs: loads the callback's records inside the
    /// store's transaction and under its lock, asks `decide` (a decision of the domain:
    /// `Decide`), and writes the `Transition` it returns atomically, or nothing when it
    /// refuses. A store adds no rule of its own.
    func change(callback id: Int64, _ decide: @escaping @Sendable (CallbackRecords) throws(StoreError) -> Transition)
        async throws(StoreError) -> Changed
    /// Counts over the callbacks `visibility` admits.
    func stats(at now: Date, startOfToday: Date, period: ClosedRange<Date>, visibility: Visibility) async throws(StoreError) -> QueueStats
    /// The callbacks with a message whose transcript has every word of `text` (in any
    /// form: "refunds" finds "refund").
    func callbacks(matchingTranscript text: String) async throws(StoreError) -> Set<Int64>
    /// Where a message's audio is; the owner's line does not exist for staff.
    func voicemailAudio(id: Int64, for person: Acting) async throws(StoreError) -> StoredAudio

    // The owner's view.
    /// Each callback whose promise (its deadline while it has none) is at or before `now`
    /// and that was never escalated for it, loaded and locked as for `change`, decided by `decide` (nil: nothing to do) and
    /// written; how many changed. Once each, however many processes sweep at once.
    func sweepBreaches(at now: Date, _ decide: @escaping @Sendable (CallbackRecords) -> Transition?) async throws(StoreError) -> Int
    func escalations(includeResolved: Bool) async throws(StoreError) -> [EscalationDetail]
    func escalation(id: Int64) async throws(StoreError) -> EscalationDetail
    /// `change` for a decision on escalation `id` and its callback.
    func change(escalation id: Int64, _ decide: @escaping @Sendable (Escalation, CallbackRecords) throws(StoreError) -> Transition)
        async throws(StoreError) -> EscalationDetail

    // Promises (DESIGN §10).
    /// Every callback staff's queue holds (not done; not the owner's line, not a blocked
    /// caller), without messages or history: what the forecast runs forward.
    func staffQueue() async throws(StoreError) -> [Callback]
    /// Keeps what callers were told: each callback not yet promised gets its promise, one
    /// promised already keeps its first (whichever process promised first). How many were
    /// written.
    func keepPromises(_ promises: [Int64: Date]) async throws(StoreError) -> Int
    /// Every call whose outcome (done, or nobody answered) was recorded in `period`, from
    /// the claim that started it; an outcome recorded without a claim is no sample.
    func handlingSamples(endedIn period: ClosedRange<Date>) async throws(StoreError) -> [HandlingSample]

    // The outbox.
    func dueNotifications(at now: Date, limit: Int) async throws(StoreError) -> [(OwnerNotification, EscalationDetail)]
    func markDelivered(notification id: Int64, at now: Date) async throws(StoreError)
    func markFailed(notification id: Int64, error: String, retryAt: Date) async throws(StoreError)
}

/// A change written: the callback as it is now, and the transition that made it so.
public struct Changed: Sendable, Equatable {
    public var detail: CallbackDetail
    public var transition: Transition

    public init(detail: CallbackDetail, transition: Transition) {
        self.detail = detail
        self.transition = transition
    }
}

extension CallbackRepository {
    /// Escalates every breached deadline, as the domain words it in `timeZone`.
    @discardableResult
    public func sweepBreaches(at now: Date, timeZone: TimeZone) async throws(StoreError) -> Int {
        try await sweepBreaches(at: now) { records in Decide.breach(records, timeZone: timeZone, at: now) }
    }
}

/// What ingest needs of the store. Synchronous on purpose: ingest is a batch pipeline that
/// runs on its own threads (never the cooperative pool), one message after another.
public protocol IngestRepository: Sendable {
    /// Stores a batch in one transaction, each message alone in a savepoint.
    func record(_ recordings: [Recording], at now: Date, actor: String, rules: EscalationRules)
        throws(StoreError) -> [Result<RecordOutcome, StoreError>]
    func identities(prefix: String) throws(StoreError) -> [String]
    func hasLegacyIdentities() throws(StoreError) -> Bool
    func setAudioPath(voicemail id: Int64, _ path: String) throws(StoreError)
    func setQuarantinePath(voicemail id: Int64, _ path: String) throws(StoreError)
    func voicemail(identityPrefix: String) throws(StoreError) -> Int64?
    /// Whether any message is stored: none means this ingest is the first run.
    func hasVoicemails() throws(StoreError) -> Bool
}

/// A whole store: what `callbacks` opens from `storage.database`.
public typealias Store = CallbackRepository & IngestRepository & PeopleRepository & TranscriptRepository & StoreLifetime

/// What a store needs running for as long as it is used (PostgreSQL's connection pool):
/// `serve` runs it first in its service group, so the database outlives the services that
/// use it. A store that needs nothing running (SQLite, memory) says so.
public protocol StoreLifetime: Sendable {
    var needsRunning: Bool { get }
    /// Runs until the task is cancelled.
    func run() async throws
}

extension StoreLifetime {
    public var needsRunning: Bool { false }
    public func run() async throws {}
}

/// People, their tokens, sign-in links and sessions, and push-ingest receipts.
public protocol PeopleRepository: Sendable {
    func addPerson(name: String, role: Role, tokenHash: String, at now: Date) async throws(StoreError) -> Person
    func people() async throws(StoreError) -> [Person]
    func removePerson(name: String) async throws(StoreError)
    func person(named name: String) async throws(StoreError) -> Person?
    /// The person whose token hashes to `tokenHash`, with the stored hash (compared again
    /// in constant time by the caller).
    func person(tokenHash: String) async throws(StoreError) -> (person: Person, storedHash: String)?
    func hasPeople() async throws(StoreError) -> Bool
    func addSignInLink(person name: String, tokenHash: String, expiresAt: Date) async throws(StoreError)
    /// Uses a sign-in link once.
    func redeemSignInLink(tokenHash: String, at now: Date) async throws(StoreError) -> SignInOutcome
    func addSession(person id: Int64, tokenHash: String, csrf: String, expiresAt: Date) async throws(StoreError)
    func session(tokenHash: String, at now: Date) async throws(StoreError) -> (person: Person, csrf: String)?
    func endSession(tokenHash: String) async throws(StoreError)
    /// Holds `reservation.key` for its sender in one atomic step (a unique sender and key
    /// in the database, across nodes): nil when this call now holds it, else the receipt
    /// already there. A key still in progress past `takeOverBefore` (a crash), or answered
    /// before `expiredBefore`, is taken over.
    func reservePushKey(_ reservation: PushKeyReservation) async throws(StoreError) -> PushReceipt?
    /// Keeps the answer with the key this sender holds for `fingerprint`.
    func completePushKey(sender: String, key: String, fingerprint: String, status: Int, body: String) async throws(StoreError)
    /// Lets go of a key held in progress (the request was refused or not stored).
    func releasePushKey(sender: String, key: String, fingerprint: String) async throws(StoreError)
    /// Forgets every key reserved before `date`; how many.
    func purgePushKeys(before date: Date) async throws(StoreError) -> Int
}

public enum SignInOutcome: Sendable, Equatable {
    case signedIn(Person)
    case expired
    case used
    case unknown
}

/// A stored message's audio file: in the archive, or in the quarantine when unreadable.
public struct StoredAudio: Sendable, Equatable {
    public var voicemailID: Int64
    public var path: String?
    public var quarantinePath: String?
    public var format: String?

    /// The file that is there: the archived audio, else the quarantined one.
    public var existingFile: String? {
        [path, quarantinePath].compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }

    public init(voicemailID: Int64, path: String?, quarantinePath: String?, format: String?) {
        self.voicemailID = voicemailID
        self.path = path
        self.quarantinePath = quarantinePath
        self.format = format
    }
}
