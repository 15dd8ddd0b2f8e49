import Foundation
import Testing

@Suite("The one-time sign-in link", .serialized)
struct SignInTests {
    func installation() async throws -> Harness {
        let harness = try Harness(config: HTTPTests.config)
        try harness.copyExampleSpool()
        _ = try await harness.ingest()
        _ = await harness.run(["people", "add", "alice", "--role", "staff"])
        return harness
    }

    @Test("the sign-in link's GET shows a Sign in button and spends nothing; only its POST signs in, once")
    func signInNeedsPost() async throws {
        let harness = try await installation()
        let server = try await HTTPServer(harness)
        let link = await harness.run(["people", "link", "alice"]).output.replacingOccurrences(of: "http://calls.example.com", with: server.base)
        let token = try #require(link.components(separatedBy: "token=").last)
        // A chat app's preview, a HEAD, a second look: none of them signs in or uses the link.
        for _ in 0..<2 {
            let preview = try HTTPServer.curl([link + "&next=/queue"])
            #expect(preview.status == 200 && preview.headers["set-cookie"] == nil, "\(preview.status)")
            #expect(preview.text.contains(#"<form method="post" action="/login">"#) && preview.text.contains("Sign in"))
            #expect(preview.text.contains(#"name="token" value="\#(token)""#) && preview.text.contains(#"name="next" value="/queue""#))
            #expect(preview.headers["referrer-policy"] == "same-origin")
        }
        let head = try HTTPServer.curl(["-I", link])
        #expect(head.status == 200 && head.headers["set-cookie"] == nil)
        // A sign-in posted from another site is refused, and spends nothing.
        let forged = try HTTPServer.curl(["-X", "POST", "-H", "Origin: https://evil.example", "--data-urlencode", "token=\(token)", server.base + "/login"])
        #expect(forged.status == 403 && forged.headers["set-cookie"] == nil, "\(forged.status)")
        // The button: a session, once.
        let signedIn = try HTTPServer.curl(["-X", "POST", "--data-urlencode", "token=\(token)", "--data-urlencode", "next=/queue", server.base + "/login"])
        #expect(signedIn.status == 303 && signedIn.headers["location"] == "/queue", "\(signedIn.status) \(signedIn.text)")
        let cookie = try #require(signedIn.headers["set-cookie"]?.split(separator: ";").first.map(String.init))
        #expect(try HTTPServer.curl(["-H", "Cookie: \(cookie)", server.base + "/queue"]).status == 200)
        let again = try HTTPServer.curl(["-X", "POST", "--data-urlencode", "token=\(token)", server.base + "/login"])
        #expect(again.status == 410 && again.text.contains("already used") && again.headers["set-cookie"] == nil)
    }
}
