import Domain
import Foundation

/// A push's `Idempotency-Key`, asked for by one sender with one request's fingerprint.
public struct PushKeyReservation: Sendable, Equatable {
    public var sender: String
    public var key: String
    public var fingerprint: String
    public var at: Date
    /// A reservation still in progress from before this was left by a crash: taken over.
    public var takeOverBefore: Date
    /// An answer kept from before this has expired: the key is free again.
    public var expiredBefore: Date

    public init(sender: String, key: String, fingerprint: String, at: Date, takeOverBefore: Date, expiredBefore: Date) {
        self.sender = sender
        self.key = key
        self.fingerprint = fingerprint
        self.at = at
        self.takeOverBefore = takeOverBefore
        self.expiredBefore = expiredBefore
    }
}

/// What the store holds for a sender's key: the first request's fingerprint, and its
/// answer once it has one (nil while that request is still being stored).
public struct PushReceipt: Sendable, Equatable {
    public var fingerprint: String
    public var status: Int?
    public var body: String?
    public var reservedAt: Date

    public init(fingerprint: String, status: Int?, body: String?, reservedAt: Date) {
        self.fingerprint = fingerprint
        self.status = status
        self.body = body
        self.reservedAt = reservedAt
    }
}

/// Push ingest's idempotency, after the IETF `Idempotency-Key` draft and Stripe's
/// practice: a key belongs to its sender; the first request's fingerprint is kept with
/// its answer; the same key with the same fingerprint replays the answer, with another
/// fingerprint it is refused; two requests with one key store one message. Keys are kept
/// for `window` seconds, then purged.
public struct PushKeys: Sendable {
    let store: any PeopleRepository
    /// Seconds a key and its answer are kept (`http.idempotency_window`).
    public let window: Int
    /// A reservation older than this is a request that died before it answered.
    public static let reservationLease: TimeInterval = 300

    public init(store: any PeopleRepository, window: Int) {
        self.store = store
        self.window = window
    }

    public enum Decision: Sendable, Equatable {
        /// This request holds the key: store the message, then `finish`.
        case proceed
        /// The key's first request answered this: send it again.
        case replay(status: Int, body: String)
        /// The key was used for a different request: refuse, replay nothing, store nothing.
        case reused
        /// The key's first request is still being stored: ask again shortly.
        case busy
    }

    /// Takes the key for this request, or says why not. A request whose twin is still
    /// being stored waits for its answer (`polls` times `pause`), then is told `busy`.
    public func begin(
        sender: String, key: String, fingerprint: String, now: @Sendable () -> Date, polls: Int = 50, pause: Duration = .milliseconds(100)
    ) async throws(StoreError) -> Decision {
        for poll in 0...polls {
            let at = now()
            let reservation = PushKeyReservation(
                sender: sender, key: key, fingerprint: fingerprint, at: at,
                takeOverBefore: at.addingTimeInterval(-Self.reservationLease), expiredBefore: at.addingTimeInterval(-TimeInterval(window)))
            guard let receipt = try await store.reservePushKey(reservation) else { return .proceed }
            if receipt.fingerprint != fingerprint { return .reused }
            if let status = receipt.status, let body = receipt.body { return .replay(status: status, body: body) }
            if poll < polls { try? await Task.sleep(for: pause) }
        }
        return .busy
    }

    /// Keeps the answer of a request that held the key.
    public func finish(sender: String, key: String, fingerprint: String, status: Int, body: String) async throws(StoreError) {
        try await store.completePushKey(sender: sender, key: key, fingerprint: fingerprint, status: status, body: body)
    }

    /// Frees the key of a request that was refused or not stored: a retry may use it.
    public func abandon(sender: String, key: String, fingerprint: String) async {
        try? await store.releasePushKey(sender: sender, key: key, fingerprint: fingerprint)
    }

    /// Forgets the keys older than the window; how many.
    public func purge(at now: Date) async throws(StoreError) -> Int {
        try await store.purgePushKeys(before: now.addingTimeInterval(-TimeInterval(window)))
    }
}
