import Foundation
import GRDB
import Testing

@Suite("People and roles at the shell")
struct PeopleTests {
    @Test("tokens are shown once and stored hashed; once people exist, --as must name one of them, with their role")
    func people() async throws {
        let harness = try Harness(config: HTTPTests.config)
        try harness.copyExampleSpool()
        _ = try await harness.ingest()
        #expect(await harness.run(["next", "--as", "anyone"]).status == 0, "before anyone is added, anyone acts")
        let added = await harness.run(["people", "add", "alice", "--role", "staff"])
        let token = try #require(added.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("ah_") })
        #expect(token.count > 40)
        _ = await harness.run(["people", "add", "olivia", "--role", "owner"])
        #expect(await harness.run(["people", "add", "alice"]).errors.contains("alice clashes with alice, who already exists"))
        #expect(await harness.run(["people", "add", "   "]).status != 0)
        let database = try DatabaseQueue(path: harness.root.appendingPathComponent("afterhours.sqlite").path)
        let stored = try await database.read { db in try String.fetchAll(db, sql: "SELECT token_hash FROM person") }
        #expect(stored.count == 2 && !stored.contains(token) && stored.allSatisfy { $0.count == 64 }, "only the SHA-256 is kept")
        try database.close()

        let refused = await harness.run(["next", "--as", "mallory"])
        #expect(refused.errors.contains("mallory is not one of the people"), "\(refused.errors)")
        #expect(await harness.run(["next", "--as", "alice"]).status == 0)
        #expect(await harness.run(["escalations", "--as", "alice"]).errors.contains("escalations are the owner's"))
        #expect(await harness.run(["escalations", "--as", "olivia"]).status == 0, "the role comes from the people, not owner.people")
        #expect(await harness.run(["people", "list"]).output == "alice  staff\nolivia  owner")
        #expect(await harness.run(["people", "remove", "alice"]).output == "Removed alice.")
        #expect(await harness.run(["next", "--as", "alice"]).errors.contains("alice is not one of the people"))
        #expect(await harness.run(["people", "remove", "alice"]).errors.contains("there is no person named alice"))
    }

    @Test("names are trimmed and compared without case: Alice and alice are one person, ' bob ' is bob")
    func namesWithoutCase() async throws {
        let harness = try Harness(config: HTTPTests.config)
        #expect(await harness.run(["people", "add", "Alice"]).status == 0)
        let clash = await harness.run(["people", "add", "alice", "--role", "owner"])
        #expect(clash.status != 0)
        #expect(
            clash.errors
                == "Error: alice clashes with Alice, who already exists (names are compared without case): remove Alice first to give a new token or role, or choose another name",
            "\(clash.errors)")
        #expect(await harness.run(["people", "add", " bob "]).status == 0)
        #expect(await harness.run(["people", "list"]).output == "Alice  staff\nbob  staff")
        #expect(await harness.run(["next", "--as", "ALICE"]).status == 0, "--as finds Alice in any case")
        let removed = await harness.run(["people", "remove", " BOB "])
        #expect(removed.output == "Removed bob.", "\(removed.errors)")
        #expect(await harness.run(["people", "list"]).output == "Alice  staff")
    }

    @Test("a sign-in link is built on http.public_url and valid once; without public_url the command says what to set")
    func link() async throws {
        let harness = try Harness(config: HTTPTests.config)
        _ = await harness.run(["people", "add", "olivia", "--role", "owner"])
        #expect(await harness.run(["people", "link", "olivia"]).errors.contains("http.public_url is not set"))
        let file = harness.root.appendingPathComponent("callbacks.yaml")
        try (try String(contentsOf: file, encoding: .utf8) + "\nhttp:\n  public_url: https://calls.example.com/\n").write(to: file, atomically: true, encoding: .utf8)
        let link = await harness.run(["people", "link", "olivia"])
        #expect(link.output.hasPrefix("https://calls.example.com/login?token="), "\(link.output)\(link.errors)")
        #expect(await harness.run(["people", "link", "nobody"]).errors.contains("there is no person named nobody"))
    }

    @Test("doctor checks folders, database, the HTTP address and channels, and says what to fix")
    func doctor() async throws {
        let harness = try Harness(config: HTTPTests.config + """

              notify:
                - command: /nonexistent/pager
            """)
        let port = try freePort()
        let file = harness.root.appendingPathComponent("callbacks.yaml")
        try (try String(contentsOf: file, encoding: .utf8) + "\nhttp:\n  listen: 127.0.0.1:\(port)\ntranscription:\n  python: /nonexistent/python\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let report = await harness.run(["doctor"])
        #expect(report.status != 0)
        #expect(report.output.contains("✓ spool"), "\(report.output)")
        #expect(report.output.contains("✓ database"))
        #expect(report.output.contains("✓ http.listen 127.0.0.1:\(port)"))
        #expect(report.output.contains("✗ http.public_url: not set"))
        #expect(report.output.contains("✗ notify command /nonexistent/pager: is not an executable file"))
        #expect(report.output.contains("✗ transcriber tiny.en with /nonexistent/python: the transcriber is not available"))
        #expect(report.output.hasSuffix("3 problems to fix."))
    }
}
