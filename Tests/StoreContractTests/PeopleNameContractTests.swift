import Domain
import Foundation
import Testing
import UseCases

@Suite("Store contract: people's names")
struct PeopleNameContractTests {
    @Test("names are trimmed, compared without case and unique that way; a clash names who has the name", arguments: StoreKind.allCases)
    func namesWithoutCase(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let people = PeopleDesk(store: store, configuredOwners: [])
        let alice = try await people.add("Alice", role: .staff, at: t0)
        #expect(alice.person.name == "Alice")
        do {
            _ = try await people.add("  alice ", role: .owner, at: t0)
            Issue.record("alice was added beside Alice")
        } catch {
            #expect(error.code == .refused)
            #expect(error.message.contains("Alice"), "\(error.message)")
        }
        #expect(try await people.list().map(\.name) == ["Alice"])
        #expect(try await people.local("ALICE").name == "Alice", "--as finds the person whatever the case")
        // The store itself refuses the namesake too (two commands adding at once).
        do {
            _ = try await store.addPerson(name: "ALICE", role: .staff, tokenHash: "x", at: t0)
            Issue.record("the store added ALICE beside Alice")
        } catch {
            #expect(error.code == .refused)
            #expect(error.message.contains("Alice"), "\(error.message)")
        }
        _ = try await people.add("bob", role: .staff, at: t0)
        _ = try await people.link(" BOB ", publicURL: "https://calls.example.com", at: t0)
        try await people.remove(" bob ")
        #expect(try await people.list().map(\.name) == ["Alice"])
        try await people.remove("alice")
        #expect(try await people.list().isEmpty)
    }

    @Test("a write that breaks an invariant the database holds is the same typed refusal on every store", arguments: StoreKind.allCases)
    func invariantsRefusedAlike(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        _ = try await store.addPerson(name: "alice", role: .staff, tokenHash: "same-hash", at: t0)
        do {
            _ = try await store.addPerson(name: "bob", role: .staff, tokenHash: "same-hash", at: t0)
            Issue.record("two people were given one token")
        } catch {
            #expect(error.code == .refused)
            guard case .breaksInvariant? = error.refusal else {
                Issue.record("not the invariant refusal: \(error.message)")
                return
            }
        }
        #expect(try await store.people().map(\.name) == ["alice"])
    }
}
