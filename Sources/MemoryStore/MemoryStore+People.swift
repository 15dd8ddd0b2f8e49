import Domain
import Foundation
import UseCases

// People, their tokens, sign-in links and sessions, and push-ingest receipts, in memory.

extension MemoryStore: PeopleRepository {
    public func addPerson(name: String, role: Role, tokenHash: String, at now: Date) async throws(StoreError) -> Person {
        try state.withLock { state throws(StoreError) -> Person in
            if let existing = state.person(named: name) { throw StoreError(.nameClashes(name, existing: existing.person.name)) }
            // The databases hold tokens unique; so does memory.
            if state.people.values.contains(where: { $0.tokenHash == tokenHash }) {
                throw StoreError(.breaksInvariant("person.token_hash is unique"))
            }
            let person = Person(id: state.nextID(.person), name: name, role: role, createdAt: now)
            state.people[person.id] = (person, tokenHash)
            return person
        }
    }

    public func people() async throws(StoreError) -> [Person] {
        state.withLock { state in state.people.values.map(\.person).sorted { $0.name < $1.name } }
    }

    public func removePerson(name: String) async throws(StoreError) {
        try state.withLock { state throws(StoreError) in
            guard let id = state.person(named: name)?.person.id else { throw StoreError(.noPerson(name)) }
            state.people[id] = nil
            state.sessions = state.sessions.filter { $0.value.person != id }
            state.signInLinks = state.signInLinks.filter { $0.value.person != id }
        }
    }

    public func person(named name: String) async throws(StoreError) -> Person? {
        state.withLock { state in state.person(named: name)?.person }
    }

    public func person(tokenHash: String) async throws(StoreError) -> (person: Person, storedHash: String)? {
        state.withLock { state in
            state.people.values.first { $0.tokenHash == tokenHash }.map { (person: $0.person, storedHash: $0.tokenHash) }
        }
    }

    public func hasPeople() async throws(StoreError) -> Bool {
        state.withLock { state in !state.people.isEmpty }
    }

    public func addSignInLink(person name: String, tokenHash: String, expiresAt: Date) async throws(StoreError) {
        try state.withLock { state throws(StoreError) in
            guard let person = state.person(named: name)?.person else { throw StoreError(.noPerson(name)) }
            state.signInLinks[tokenHash] = (person.id, expiresAt, false)
        }
    }

    public func redeemSignInLink(tokenHash: String, at now: Date) async throws(StoreError) -> SignInOutcome {
        state.withLock { state in
            guard let link = state.signInLinks[tokenHash] else { return .unknown }
            if link.used { return .used }
            if link.expiresAt <= now { return .expired }
            state.signInLinks[tokenHash]?.used = true
            return state.people[link.person].map { .signedIn($0.person) } ?? .unknown
        }
    }

    public func addSession(person id: Int64, tokenHash: String, csrf: String, expiresAt: Date) async throws(StoreError) {
        state.withLock { state in state.sessions[tokenHash] = (id, csrf, expiresAt) }
    }

    public func session(tokenHash: String, at now: Date) async throws(StoreError) -> (person: Person, csrf: String)? {
        state.withLock { state in
            guard let session = state.sessions[tokenHash], session.expiresAt > now, let person = state.people[session.person]?.person
            else { return nil }
            return (person, session.csrf)
        }
    }

    public func endSession(tokenHash: String) async throws(StoreError) {
        state.withLock { state in state.sessions[tokenHash] = nil }
    }

    public func reservePushKey(_ reservation: PushKeyReservation) async throws(StoreError) -> PushReceipt? {
        state.withLock { state in
            let id = MemoryStore.PushKeyID(sender: reservation.sender, key: reservation.key)
            // A new key, or one left by a crash or expired, is this request's; any other is
            // the first request's.
            if let held = state.pushKeys[id],
                !(held.done ? held.createdAt < reservation.expiredBefore : held.createdAt < reservation.takeOverBefore)
            {
                return PushReceipt(fingerprint: held.fingerprint, status: held.status, body: held.body, reservedAt: held.createdAt)
            }
            state.pushKeys[id] = MemoryStore.PushKey(fingerprint: reservation.fingerprint, done: false, createdAt: reservation.at)
            return nil
        }
    }

    public func completePushKey(sender: String, key: String, fingerprint: String, status: Int, body: String) async throws(StoreError) {
        state.withLock { state in
            let id = MemoryStore.PushKeyID(sender: sender, key: key)
            guard let held = state.pushKeys[id], held.fingerprint == fingerprint, !held.done else { return }
            state.pushKeys[id] = MemoryStore.PushKey(fingerprint: fingerprint, done: true, status: status, body: body, createdAt: held.createdAt)
        }
    }

    public func releasePushKey(sender: String, key: String, fingerprint: String) async throws(StoreError) {
        state.withLock { state in
            let id = MemoryStore.PushKeyID(sender: sender, key: key)
            if let held = state.pushKeys[id], held.fingerprint == fingerprint, !held.done { state.pushKeys[id] = nil }
        }
    }

    public func purgePushKeys(before date: Date) async throws(StoreError) -> Int {
        state.withLock { state in
            let before = state.pushKeys.count
            state.pushKeys = state.pushKeys.filter { $0.value.createdAt >= date }
            return before - state.pushKeys.count
        }
    }
}

extension MemoryStore.State {
    /// People are found by `Person.key`: names compared without case or spaces.
    func person(named name: String) -> (person: Person, tokenHash: String)? {
        people.values.first { Person.key($0.person.name) == Person.key(name) }
    }
}
