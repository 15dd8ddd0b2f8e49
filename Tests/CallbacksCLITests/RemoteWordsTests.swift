import Foundation
import Testing

@Suite("The remote callbacks says what its user can do from where they are", .serialized)
struct RemoteWordsTests {
    func installation() async throws -> (Harness, [String: String]) {
        let harness = try Harness(config: HTTPTests.config)
        try harness.copyExampleSpool()
        _ = try await harness.ingest()
        var tokens: [String: String] = [:]
        for name in ["alice", "bob"] {
            let added = await harness.run(["people", "add", name, "--role", "staff", "--json"])
            tokens[name] = try #require((added.json as? [String: Any])?["token"] as? String, "\(added.errors)")
        }
        return (harness, tokens)
    }

    @Test("a wrong token, https to a plain server: one line each, saying what to check")
    func tokenAndTLS() async throws {
        let (harness, tokens) = try await installation()
        let server = try await HTTPServer(harness)
        let wrong = await server.remote(["list"], token: "ah_wrong")
        #expect(wrong.status != 0)
        #expect(wrong.errors == "Error: the server at \(server.base) refused this token (check CALLBACKS_TOKEN)", "\(wrong.errors)")
        let byOption = await harness.run(["list", "--server", server.base, "--token", "ah_wrong"])
        #expect(byOption.errors == "Error: the server at \(server.base) refused this token (check --token)", "\(byOption.errors)")

        let https = "https://127.0.0.1:\(server.port)"
        let plain = await harness.run(["list"], environment: ["CALLBACKS_URL": https, "CALLBACKS_TOKEN": try #require(tokens["alice"])])
        #expect(plain.status != 0)
        #expect(
            plain.errors == "Error: the server at \(https) does not speak TLS (HTTPS): if it serves plain HTTP, use http://127.0.0.1:\(server.port)",
            "\(plain.errors)")
    }

    @Test("show through a server names no file on the server")
    func noServerPaths() async throws {
        let (harness, tokens) = try await installation()
        let server = try await HTTPServer(harness)
        let alice = try #require(tokens["alice"])
        let local = await harness.run(["show", "1", "--as", "alice"])
        #expect(local.output.contains(harness.archive.lastPathComponent + "/"), "the shell shows the archive path: \(local.output)")
        let remote = await server.remote(["show", "1"], token: alice)
        #expect(remote.status == 0, "\(remote.errors)")
        #expect(!remote.output.contains(harness.root.path) && !remote.output.contains("archive/"), "\(remote.output)")
        let json = await server.remote(["show", "1", "--json"], token: alice)
        let messages = try #require((json.json as? [String: Any])?["messages"] as? [[String: Any]])
        for message in messages {
            let id = try #require(message["id"] as? Int)
            #expect(message["audio"] as? String == "/api/v1/voicemails/\(id)/audio", "\(message)")
            #expect(message["quarantine"] is NSNull)
        }
        #expect(!json.output.contains(harness.root.path))
    }

    @Test("a colleague's claim: --force on the command line, \"force\": true in the API, no flag on a page")
    func claimWords() async throws {
        let (harness, tokens) = try await installation()
        let server = try await HTTPServer(harness)
        let (alice, bob) = (try #require(tokens["alice"]), try #require(tokens["bob"]))
        let claimed = try server.request("POST", "/api/v1/callbacks/next", token: alice)
        let id = try #require(claimed.headers["afterhours-callback-id"])
        let api = try server.request("POST", "/api/v1/callbacks/\(id)/done", token: bob, body: "{}")
        #expect(api.status == 409)
        #expect(api.errorMessage == "callback #\(id) is claimed by alice; send \"force\": true to record it anyway", "\(api.text)")
        #expect(((api.json as? [String: Any])?["error"] as? [String: Any])?["claimed_by"] as? String == "alice")
        let remote = await server.remote(["done", id], token: bob)
        #expect(remote.errors == "Error: callback #\(id) is claimed by alice; use --force to record it anyway", "\(remote.errors)")
        let local = await harness.run(["done", id, "--as", "bob"])
        #expect(local.errors == remote.errors)
        let (cookie, csrf) = try await server.signIn("bob")
        let page = try HTTPServer.curl(["-X", "POST", "-H", "Cookie: \(cookie)", "--data", "outcome=done&csrf=\(csrf)", server.base + "/queue/\(id)/outcome"])
        #expect(page.status == 409 && page.text.contains("claimed by alice") && !page.text.contains("--force"), "\(page.text)")
        #expect(page.text.contains("ask them to release it"))
    }
}
