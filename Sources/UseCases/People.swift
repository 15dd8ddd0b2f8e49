import Domain
import Crypto
import Foundation

/// Secrets handed to people: bearer tokens, sign-in links, session cookies. Each is 32
/// random bytes from the system's generator; only its SHA-256 is stored.
public enum Secret {
    public static func make(prefix: String = "") -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return prefix + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Equal without revealing, through timing, where two strings first differ.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Managing people, and knowing who is acting.
public struct PeopleDesk: Sendable {
    public let store: any PeopleRepository
    /// `owner.people` from the configuration: who has the owner role on the command line
    /// while no people have been added.
    public let configuredOwners: [String]
    /// How long a sign-in link lasts.
    public static let linkLifetime: TimeInterval = 15 * 60

    public init(store: any PeopleRepository, configuredOwners: [String]) {
        self.store = store
        self.configuredOwners = configuredOwners
    }

    /// Adds a person and returns their token, shown once.
    public func add(_ name: String, role: Role, at now: Date) async throws(StoreError) -> (person: Person, token: String) {
        let name = Person.cleaned(name)
        guard !name.isEmpty, name.count <= 64, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw StoreError("a person's name must be 1 to 64 printable characters", code: .invalid)
        }
        // Names are one person whatever their case: say who has this one already.
        if let existing = try await store.person(named: name) {
            let same = existing.name == name ? "" : " (names are compared without case)"
            throw StoreError(
                "\(name) clashes with \(existing.name), who already exists\(same): remove \(existing.name) first to give a new token or role, or choose another name",
                code: .refused)
        }
        let token = Secret.make(prefix: "ah_")
        let person = try await store.addPerson(name: name, role: role, tokenHash: Secret.hash(token), at: now)
        return (person, token)
    }

    public func list() async throws(StoreError) -> [Person] { try await store.people() }

    /// Whether anyone was added with `callbacks people add` (then roles come from the
    /// people); also the cheapest question that proves the store answers.
    public func anyoneAdded() async throws(StoreError) -> Bool { try await store.hasPeople() }

    /// Removes the person `name` names (in any case, spaces around it aside); returns their
    /// name as it was kept.
    @discardableResult
    public func remove(_ name: String) async throws(StoreError) -> String {
        let kept = try await store.person(named: name)?.name ?? Person.cleaned(name)
        try await store.removePerson(name: name)
        return kept
    }

    /// A one-time sign-in link for the pages, valid 15 minutes.
    public func link(_ name: String, publicURL: String, at now: Date) async throws(StoreError) -> String {
        let token = Secret.make()
        try await store.addSignInLink(person: name, tokenHash: Secret.hash(token), expiresAt: now.addingTimeInterval(Self.linkLifetime))
        return publicURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/login?token=" + token
    }

    /// The person a bearer token names, or nil.
    public func authenticate(token: String) async throws(StoreError) -> Acting? {
        let hash = Secret.hash(token)
        guard let (person, stored) = try await store.person(tokenHash: hash), Secret.constantTimeEqual(stored, hash) else { return nil }
        return person.acting
    }

    /// Who is acting at the server's shell under `name` (`--as` or the login name): before
    /// anyone is added, anyone, with the owner role if `owner.people` names them; after,
    /// one of the people, with their role.
    public func local(_ name: String) async throws(StoreError) -> Acting {
        guard try await store.hasPeople() else {
            return Acting(name, isOwner: configuredOwners.contains { Person.key($0) == Person.key(name) })
        }
        guard let person = try await store.person(named: name) else {
            throw StoreError("\(name) is not one of the people (callbacks people list): act as one of them with --as NAME", code: .forbidden)
        }
        return person.acting
    }

    /// The person a session cookie names, with the session's CSRF token; nil when unknown
    /// or expired.
    public func session(_ cookie: String, at now: Date) async throws(StoreError) -> (person: Acting, csrf: String)? {
        guard let (person, csrf) = try await store.session(tokenHash: Secret.hash(cookie), at: now) else { return nil }
        return (person.acting, csrf)
    }

    /// Uses a one-time sign-in link.
    public func redeem(link token: String, at now: Date) async throws(StoreError) -> SignInOutcome {
        guard !token.isEmpty else { return .unknown }
        return try await store.redeemSignInLink(tokenHash: Secret.hash(token), at: now)
    }

    /// A session for the pages: the cookie and CSRF token are the caller's secrets.
    public func startSession(_ person: Person, cookie: String, csrf: String, expiresAt: Date) async throws(StoreError) {
        try await store.addSession(person: person.id, tokenHash: Secret.hash(cookie), csrf: csrf, expiresAt: expiresAt)
    }

    public func endSession(_ cookie: String) async throws(StoreError) {
        try await store.endSession(tokenHash: Secret.hash(cookie))
    }
}
