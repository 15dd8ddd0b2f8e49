import Foundation
import Testing

/// Who sees what (issue 22, items 5–7): the owner lists the owner's line; blocking closes
/// a number's callbacks and hides it from staff; the block list and transcript requests
/// through the API, the remote `callbacks` and the pages. A real `serve` on loopback, a
/// real SQLite store.
@Suite("Who sees what: the owner's line, blocked callers, the block list over HTTP", .serialized)
struct VisibilityTests {
    static let config = Harness.acme + """

        owner:
          mailboxes: ["200"]
        """

    /// The example spool and Pat's message on the owner's line (mailbox 200); alice is
    /// staff, olivia the owner.
    func installation(config: String = VisibilityTests.config, people: Bool = true) async throws -> (Harness, [String: String]) {
        let harness = try Harness(config: config)
        try harness.copyExampleSpool()
        try harness.put("default/200/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/200/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Pat\" <5551112222>", origtime: 1_795_280_400))
        _ = try await harness.ingest()
        var tokens: [String: String] = [:]
        if people {
            for (name, role) in [("alice", "staff"), ("olivia", "owner")] {
                let added = await harness.run(["people", "add", name, "--role", role, "--json"])
                tokens[name] = try #require((added.json as? [String: Any])?["token"] as? String, "\(added.errors)")
            }
        }
        return (harness, tokens)
    }

    static func ids(_ answer: Any?) -> [Int] { (answer as? [[String: Any]])?.compactMap { $0["id"] as? Int } ?? [] }

    static func callback(_ answer: Any?, named name: String) -> [String: Any]? {
        (answer as? [[String: Any]])?.first { (($0["caller"] as? [String: Any])?["name"] as? String) == name }
    }

    @Test("the owner lists the owner's line — by token, --as and owner.people — in every list and count; staff never do")
    func ownerListsOwnerLine() async throws {
        let (harness, tokens) = try await installation()
        let server = try await HTTPServer(harness)
        let (alice, olivia) = (try #require(tokens["alice"]), try #require(tokens["olivia"]))

        let ownerAPI = try server.request("GET", "/api/v1/callbacks?all=true", token: olivia)
        let pat = try #require(Self.callback(ownerAPI.json, named: "Pat"), "the owner's list: \(ownerAPI.text)")
        let patID = try #require(pat["id"] as? Int)
        let staffAPI = try server.request("GET", "/api/v1/callbacks?all=true", token: alice)
        #expect(!Self.ids(staffAPI.json).contains(patID))
        #expect(Set(Self.ids(ownerAPI.json)) == Set(Self.ids(staffAPI.json)).union([patID]))
        // The queue itself (not only --all), by token.
        #expect(Self.ids(try server.request("GET", "/api/v1/callbacks", token: olivia).json).contains(patID))
        #expect(!Self.ids(try server.request("GET", "/api/v1/callbacks", token: alice).json).contains(patID))

        // The remote command line prints what the local one does, for each of them.
        for (name, token) in [("olivia", olivia), ("alice", alice)] {
            for arguments in [["list", "--all"], ["list", "--json"], ["list", "--all", "--json"], ["stats", "--json"]] {
                let local = await harness.run(arguments + ["--as", name])
                let remote = await server.remote(arguments, token: token)
                #expect(local.status == 0, "\(name) \(arguments): \(local.errors)")
                if arguments.contains("--json") {
                    // The same JSON but for where the audio is: a file here, the API's address there.
                    #expect(HTTPTests.withoutPaths(remote.json) == HTTPTests.withoutPaths(local.json), "\(name) \(arguments): \(remote.errors)")
                } else {
                    #expect(remote.output == local.output, "\(name) \(arguments): \(remote.errors)")
                }
            }
        }
        let ownerList = await harness.run(["list", "--all", "--json", "--as", "olivia"])
        #expect(Self.ids(ownerList.json).contains(patID))
        #expect(!Self.ids(await harness.run(["list", "--all", "--json", "--as", "alice"]).json).contains(patID))
        #expect(await harness.run(["list", "--all", "--as", "olivia"]).output.contains("Pat"))
        #expect(!(await harness.run(["list", "--all", "--as", "alice"]).output.contains("Pat")))

        // Counts: the owner's open count has Pat's callback; staff's does not.
        let ownerStats = try #require(try server.request("GET", "/api/v1/stats", token: olivia).json as? [String: Any])
        let staffStats = try #require(try server.request("GET", "/api/v1/stats", token: alice).json as? [String: Any])
        #expect((ownerStats["open"] as? Int) == (staffStats["open"] as? Int).map { $0 + 1 }, "\(ownerStats) \(staffStats)")

        // The queue page, signed in as the owner, lists Pat; as staff it does not.
        #expect(try await pageText(server, harness, person: "olivia", path: "/queue").contains("Pat"))
        #expect(!(try await pageText(server, harness, person: "alice", path: "/queue").contains("Pat")))
    }

    @Test("before anyone is added, owner.people gives the owner's view at the command line")
    func configuredOwnerLists() async throws {
        let config = Self.config.replacingOccurrences(of: "owner:\n", with: "owner:\n  people: [maria]\n")
        let (harness, _) = try await installation(config: config, people: false)
        let maria = await harness.run(["list", "--all", "--json", "--as", "maria"])
        #expect(Self.callback(maria.json, named: "Pat") != nil, "\(maria.output)\(maria.errors)")
        let tom = await harness.run(["list", "--all", "--json", "--as", "tom"])
        #expect(Self.callback(tom.json, named: "Pat") == nil)
        #expect(!Self.ids(tom.json).isEmpty)
    }

    @Test("blocking closes the number's callbacks, claimed too; staff get 404 for its callbacks, messages and audio; unblocking requeues nothing")
    func blockingHidesFromStaff() async throws {
        let (harness, tokens) = try await installation()
        let server = try await HTTPServer(harness)
        let (alice, olivia) = (try #require(tokens["alice"]), try #require(tokens["olivia"]))
        let queue = try server.request("GET", "/api/v1/callbacks?all=true", token: alice)
        let bob = try #require(Self.callback(queue.json, named: "Bob Smith"), "\(queue.text)")
        let bobID = try #require(bob["id"] as? Int)
        let number = try #require((bob["caller"] as? [String: Any])?["number"] as? String)
        let messageID = try #require(((bob["messages"] as? [[String: Any]])?.first)?["id"] as? Int)
        #expect(try server.request("GET", "/api/v1/voicemails/\(messageID)/audio", token: alice).status == 200)
        // alice holds Bob's callback: a claim in flight.
        let claimed = try server.request("POST", "/api/v1/callbacks/\(bobID)/escalate", token: alice, body: #"{"reason": "shouting"}"#)
        #expect(claimed.status == 200)
        let assigned = await harness.run(["assign", String(bobID), "--to", "alice", "--as", "alice"])
        #expect(assigned.status == 0, "\(assigned.errors)")

        let blocked = await server.remote(["block", number, "--reason", "threats to staff"], token: olivia)
        #expect(blocked.status == 0, "\(blocked.errors)")
        #expect(blocked.output.contains("is blocked: its messages are stored and kept from staff."), "\(blocked.output)")
        #expect(blocked.output.contains("Closed callback #\(bobID) (outcome blocked)"), "\(blocked.output)")

        // Staff: gone from every list, and by id; their claim is refused cleanly.
        #expect(!Self.ids(try server.request("GET", "/api/v1/callbacks?all=true", token: alice).json).contains(bobID))
        #expect(try server.request("GET", "/api/v1/callbacks/\(bobID)", token: alice).status == 404)
        let done = try server.request("POST", "/api/v1/callbacks/\(bobID)/done", token: alice, body: "{}")
        #expect(done.status == 404 && done.errorMessage == "there is no callback #\(bobID)", "\(done.text)")
        #expect(try server.request("GET", "/api/v1/voicemails/\(messageID)/audio", token: alice).status == 404)
        let play = await server.remote(["play", String(messageID), "--out", harness.root.appendingPathComponent("x.wav").path], token: alice)
        #expect(play.status != 0)
        #expect(await harness.run(["show", String(bobID), "--as", "alice"]).status != 0)

        // The owner: still there, closed with a history line naming who and why.
        #expect(try server.request("GET", "/api/v1/voicemails/\(messageID)/audio", token: olivia).status == 200)
        let shown = try #require(try server.request("GET", "/api/v1/callbacks/\(bobID)", token: olivia).json as? [String: Any])
        #expect(shown["status"] as? String == "done")
        let line = try #require((shown["history"] as? [[String: Any]])?.first { $0["kind"] as? String == "blocked" }, "\(shown)")
        #expect(line["actor"] as? String == "olivia" && line["note"] as? String == "threats to staff")
        #expect(Self.ids(try server.request("GET", "/api/v1/callbacks?all=true", token: olivia).json).contains(bobID))
        // Its escalation was resolved with it.
        #expect(await harness.run(["escalations", "--as", "olivia"]).output.contains("Bob Smith") == false)

        // Blocked again: what changed is said, never silently replaced.
        let same = await server.remote(["block", number, "--reason", "threats to staff"], token: olivia)
        #expect(same.output.contains("was already blocked by olivia") && same.output.contains("so nothing changed."), "\(same.output)")
        let other = await server.remote(["block", number, "--reason", "abuse on the phone"], token: olivia)
        #expect(
            other.output.contains("the reason was \u{201C}threats to staff\u{201D} and is now \u{201C}abuse on the phone\u{201D}."),
            "\(other.output)")

        // The owner cannot reopen while it is blocked; unblocked, nothing comes back by itself.
        let early = await harness.run(["reopen", String(bobID), "--as", "olivia"])
        #expect(early.status != 0 && early.errors.contains("unblock it first"), "\(early.errors)")
        let unblocked = await server.remote(["unblock", number], token: olivia)
        #expect(unblocked.output.contains("is no longer blocked"), "\(unblocked.errors)")
        #expect(!Self.ids(try server.request("GET", "/api/v1/callbacks", token: alice).json).contains(bobID))
        #expect(Self.ids(try server.request("GET", "/api/v1/callbacks?all=true", token: alice).json).contains(bobID))
        let reopened = await harness.run(["reopen", String(bobID), "--as", "olivia"])
        #expect(reopened.status == 0, "\(reopened.errors)")
        #expect(Self.ids(try server.request("GET", "/api/v1/callbacks", token: alice).json).contains(bobID))
    }

    @Test("the block list and transcript requests through the API and the remote callbacks, as the local ones print them")
    func blockListOverHTTP() async throws {
        let (harness, tokens) = try await installation()
        let server = try await HTTPServer(harness)
        let (alice, olivia) = (try #require(tokens["alice"]), try #require(tokens["olivia"]))
        #expect(try server.request("GET", "/api/v1/blocked", token: alice).status == 403)
        #expect(try server.request("POST", "/api/v1/blocked", token: alice, body: #"{"number": "617 555 0123", "reason": "x"}"#).status == 403)
        #expect(try server.request("POST", "/api/v1/blocked", token: olivia, body: #"{"number": "617 555 0123", "reason": " "}"#).status == 422)
        #expect(try server.request("POST", "/api/v1/blocked", token: olivia, body: #"{"number": "no number", "reason": "x"}"#).status == 422)
        let created = try server.request("POST", "/api/v1/blocked", token: olivia, body: #"{"number": "617 555 0123", "reason": "spam calls"}"#)
        #expect(created.status == 201, "\(created.text)")
        let body = try #require(created.json as? [String: Any])
        #expect(body["number"] as? String == "+16175550123" && body["reason"] as? String == "spam calls" && body["previous"] is NSNull)
        #expect((body["closed_callbacks"] as? [Int])?.count == 1)
        let again = try server.request("POST", "/api/v1/blocked", token: olivia, body: #"{"number": "+16175550123", "reason": "robocalls"}"#)
        #expect(again.status == 200 && ((again.json as? [String: Any])?["previous"] as? [String: Any])?["reason"] as? String == "spam calls")

        for arguments in [["blocked"], ["blocked", "--json"]] {
            let local = await harness.run(arguments + ["--as", "olivia"])
            let remote = await server.remote(arguments, token: olivia)
            #expect(local.status == 0 && remote.output == local.output && remote.output.contains("robocalls"), "\(arguments): \(remote.errors)")
        }
        #expect(await server.remote(["blocked"], token: alice).errors == (await harness.run(["blocked", "--as", "alice"])).errors)
        #expect(try server.request("DELETE", "/api/v1/blocked/%2B16175550123", token: alice).status == 403)
        let unblocked = await server.remote(["unblock", "+1 617 555 0123", "--json"], token: olivia)
        #expect((unblocked.json as? [String: Any])?["blocked"] as? Bool == false, "\(unblocked.output)\(unblocked.errors)")
        let missing = try server.request("DELETE", "/api/v1/blocked/%2B16175550123", token: olivia)
        #expect(missing.status == 404 && missing.errorMessage == "(617) 555-0123 is not blocked", "\(missing.text)")
        #expect(await server.remote(["blocked"], token: olivia).output == "No number is blocked.")

        // Transcription, asked for by the owner: the server's transcriber hears it.
        let listed = try server.request("GET", "/api/v1/callbacks?all=true", token: olivia)
        let message = try #require(
            (listed.json as? [[String: Any]])?.flatMap { ($0["messages"] as? [[String: Any]]) ?? [] }
                .first { $0["transcript_status"] as? String != "skipped" }?["id"] as? Int, "\(listed.text)")
        #expect(try server.request("POST", "/api/v1/voicemails/\(message)/transcribe", token: alice).status == 403)
        #expect(try server.request("POST", "/api/v1/voicemails/99999/transcribe", token: olivia).status == 404)
        let asked = await server.remote(["transcribe", String(message)], token: olivia)
        #expect(asked.status == 0 && asked.output == "Message #\(message) waits for the transcriber; callbacks show prints its words once it is heard.", "\(asked.errors)")
        let json = try server.request("POST", "/api/v1/voicemails/\(message)/transcribe", token: olivia)
        #expect(json.status == 202 && (json.json as? [String: Any])?["transcript_status"] as? String == "pending")
        #expect(await server.remote(["transcribe", "--all"], token: olivia).status != 0)
    }

    @Test("the pages: Block this caller on an escalation, the blocked list with unblock, CSRF like every form")
    func blockPages() async throws {
        let (harness, tokens) = try await installation()
        let server = try await HTTPServer(harness)
        let olivia = try #require(tokens["olivia"])
        let escalations = try #require(try server.request("GET", "/api/v1/escalations", token: olivia).json as? [[String: Any]])
        let pat = try #require(escalations.first { (($0["callback"] as? [String: Any])?["caller"] as? [String: Any])?["name"] as? String == "Pat" })
        let escalationID = try #require(pat["id"] as? Int)
        let session = try await signIn(server, harness, person: "olivia")
        let page = try HTTPServer.curl(["-H", session, server.base + "/escalations/\(escalationID)"])
        #expect(page.text.contains("Block this caller") && page.text.contains("value=\"+15551112222\""), "\(page.text)")
        let csrf = try #require(Self.csrf(in: page.text))
        // Without the token the form is refused.
        let forged = try HTTPServer.curl(["-H", session, "--data-urlencode", "number=+15551112222", "--data-urlencode", "reason=x", server.base + "/blocked"])
        #expect(forged.status == 403)
        let posted = try HTTPServer.curl([
            "-H", session, "--data-urlencode", "csrf=\(csrf)", "--data-urlencode", "number=+15551112222",
            "--data-urlencode", "reason=calls at night", server.base + "/blocked",
        ])
        #expect(posted.status == 200 && posted.text.contains("is blocked") && posted.text.contains("calls at night"), "\(posted.text)")
        #expect(await harness.run(["blocked", "--as", "olivia"]).output.contains("calls at night"))
        let unblocked = try HTTPServer.curl([
            "-H", session, "--data-urlencode", "csrf=\(csrf)", "--data-urlencode", "number=+15551112222", server.base + "/blocked/unblock",
        ])
        #expect(unblocked.status == 200 && unblocked.text.contains("is no longer blocked") && unblocked.text.contains("No number is blocked."))
        // Staff: the page does not exist for them.
        let staff = try await signIn(server, harness, person: "alice")
        #expect(try HTTPServer.curl(["-H", staff, server.base + "/blocked"]).status == 404)
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Signs `person` in through a one-time link, as a browser does; returns the cookie
    /// header. (Where the link's GET shows a "Sign in" button, the button's POST signs in.)
    func signIn(_ server: HTTPServer, _ harness: Harness, person: String) async throws -> String {
        let link = await harness.run(["people", "link", person]).output
            .replacingOccurrences(of: "http://calls.example.com", with: server.base)
            .split(whereSeparator: \.isWhitespace).first { $0.contains("/login") }.map(String.init) ?? ""
        // The link's GET shows the "Sign in" button; its form posts the link's token.
        let token = URLComponents(string: link)?.queryItems?.first { $0.name == "token" }?.value ?? ""
        let answer = try HTTPServer.curl(["-X", "POST", "--data-urlencode", "token=\(token)", server.base + "/login"])
        let cookie = try #require(answer.headers["set-cookie"]?.split(separator: ";").first.map(String.init), "\(answer.status) \(answer.text)")
        return "Cookie: \(cookie)"
    }

    func pageText(_ server: HTTPServer, _ harness: Harness, person: String, path: String) async throws -> String {
        let cookie = try await signIn(server, harness, person: person)
        return try HTTPServer.curl(["-H", cookie, server.base + path]).text
    }
}
