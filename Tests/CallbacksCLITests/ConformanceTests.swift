import Foundation
import Testing

extension HTTPServer {
    /// Signs `name` in through the pages as a browser does: the link's page, then its
    /// "Sign in" button. Returns the session cookie (`name=value`) and the page's CSRF token.
    func signIn(_ name: String) async throws -> (cookie: String, csrf: String) {
        let link = await harness.run(["people", "link", name]).output.replacingOccurrences(of: "http://calls.example.com", with: base)
        let token = try #require(link.components(separatedBy: "token=").last)
        let signedIn = try Self.curl(["-X", "POST", "--data-urlencode", "token=\(token)", base + "/login"])
        #expect(signedIn.status == 303, "\(signedIn.text)")
        let cookie = try #require(signedIn.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        let queue = try Self.curl(["-H", "Cookie: \(cookie)", base + "/queue"])
        let csrf = try #require(queue.text.range(of: #"name="csrf" value="([^"]+)""#, options: .regularExpression).map {
            String(queue.text[$0].dropFirst(#"name="csrf" value=""#.count).dropLast())
        })
        return (cookie, csrf)
    }
}

@Suite("HTTP as its users expect", .serialized)
struct ConformanceTests {
    func installation() async throws -> (Harness, String) {
        let harness = try Harness(config: HTTPTests.config)
        try harness.copyExampleSpool()
        _ = try await harness.ingest()
        let added = await harness.run(["people", "add", "alice", "--role", "staff", "--json"])
        return (harness, try #require((added.json as? [String: Any])?["token"] as? String, "\(added.errors)"))
    }

    func code(_ answer: HTTPAnswer) -> String? {
        ((answer.json as? [String: Any])?["error"] as? [String: Any])?["code"] as? String
    }

    @Test("405 with Allow for a method a path does not take; 501 in the error shape for a method nobody knows; HEAD on every GET")
    func methods() async throws {
        let (harness, alice) = try await installation()
        let server = try await HTTPServer(harness)
        for (method, path, allow) in [
            ("PUT", "/api/v1/callbacks", "GET, HEAD"), ("DELETE", "/api/v1/callbacks/1", "GET, HEAD"),
            ("GET", "/api/v1/callbacks/1/done", "POST"), ("PATCH", "/api/v1/callbacks/next", "POST"), ("POST", "/healthz", "GET, HEAD"),
            ("PUT", "/queue", "GET, HEAD"),
        ] {
            let answer = try server.request(method, path, token: alice)
            #expect(answer.status == 405, "\(method) \(path) → \(answer.status)")
            #expect(answer.headers["allow"] == allow, "\(method) \(path)")
            #expect(code(answer) == "method_not_allowed", "\(method) \(path): \(answer.text)")
        }
        #expect(try server.request("PUT", "/api/v1/nowhere", token: alice).status == 404, "no such path is still a 404")
        let unknown = try server.request("FOO", "/api/v1/callbacks", token: alice)
        #expect(unknown.status == 501, "\(unknown.status)")
        #expect(code(unknown) == "not_implemented" && unknown.errorMessage != nil, "\(unknown.text)")
        #expect(try server.request("GET", "/healthz", token: nil).status == 200, "the service is still up")

        for path in ["/healthz", "/api/v1/callbacks", "/api/v1/callbacks/1", "/api/v1/stats", "/api/v1/voicemails/1/audio", "/api/v1/openapi.yaml"] {
            let get = try server.request("GET", path, token: alice)
            let head = try HTTPServer.curl(["-I", "-H", "Authorization: Bearer \(alice)", server.base + path])
            #expect(head.status == get.status && get.status == 200, "HEAD \(path) → \(head.status), GET → \(get.status)")
            // (curl -I writes the headers where the body would go: no body follows them.)
            #expect(head.text.hasSuffix("\r\n\r\n") && head.headers["content-type"] == get.headers["content-type"], "HEAD \(path): \(head.text)")
        }
        let headAudio = try HTTPServer.curl(["-I", "-H", "Authorization: Bearer \(alice)", server.base + "/api/v1/voicemails/1/audio"])
        let audio = try server.request("GET", "/api/v1/voicemails/1/audio", token: alice)
        #expect(headAudio.headers["content-length"] == String(audio.body.count))
    }

    @Test("a Range in another unit is ignored; a query parameter given twice is a 400")
    func rangesAndQueries() async throws {
        let (harness, alice) = try await installation()
        let server = try await HTTPServer(harness)
        let whole = try server.request("GET", "/api/v1/voicemails/1/audio", token: alice)
        #expect(whole.status == 200 && whole.body.count > 1000)
        for range in ["items=0-10", "pages=1-"] {
            let answer = try server.request("GET", "/api/v1/voicemails/1/audio", token: alice, headers: ["Range: \(range)"])
            #expect(answer.status == 200 && answer.body == whole.body, "Range: \(range) → \(answer.status)")
        }
        let upper = try server.request("GET", "/api/v1/voicemails/1/audio", token: alice, headers: ["Range: BYTES=0-9"])
        #expect(upper.status == 206 && upper.body.count == 10, "the unit compares without case")
        for path in ["/api/v1/callbacks?limit=1&limit=5", "/api/v1/callbacks?all=true&all=false", "/api/v1/stats?days=1&days=7"] {
            let answer = try server.request("GET", path, token: alice)
            #expect(answer.status == 400, "\(path) → \(answer.status)")
            #expect(answer.errorMessage?.contains("more than once") == true, "\(path): \(answer.text)")
        }
        #expect(try server.request("GET", "/api/v1/callbacks?limit=1", token: alice).status == 200)
    }

    @Test("a page's form posted with a bad value answers a page saying so, not JSON")
    func pageFormErrors() async throws {
        let (harness, _) = try await installation()
        let server = try await HTTPServer(harness)
        let (cookie, csrf) = try await server.signIn("alice")
        for (path, form) in [("/queue/1/outcome", "outcome=maybe"), ("/queue/abc/outcome", "outcome=done")] {
            let answer = try HTTPServer.curl(["-X", "POST", "-H", "Cookie: \(cookie)", "--data", "\(form)&csrf=\(csrf)", server.base + path])
            #expect(answer.status == 400, "\(path) \(form) → \(answer.status)")
            #expect(answer.headers["content-type"]?.hasPrefix("text/html") == true, "\(path): \(answer.headers)")
            #expect(answer.text.contains("<h1>That was not done</h1>") && answer.json == nil, "\(answer.text)")
        }
        let twice = try HTTPServer.curl(["-H", "Cookie: \(cookie)", server.base + "/queue?notice=nothing&notice=nothing"])
        #expect(twice.status == 400 && twice.headers["content-type"]?.hasPrefix("text/html") == true, "\(twice.status)")
    }
}
