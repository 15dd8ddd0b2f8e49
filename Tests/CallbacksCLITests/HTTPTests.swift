import Foundation
import Testing

/// A free TCP port on loopback (bound, read, released).
func freePort() throws -> Int {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(listener) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(listener, pointer, length) == 0 && getsockname(listener, pointer, &length) == 0
        }
    }
    guard bound else { throw CocoaError(.fileNoSuchFile) }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// One HTTP exchange with the service, through URLSession-free plain sockets' stand-in:
/// Foundation's URLSession is not used on Linux here, so curl does it.
struct HTTPAnswer {
    var status: Int
    var headers: [String: String]
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
    var errorMessage: String? { ((json as? [String: Any])?["error"] as? [String: Any])?["message"] as? String }
}

/// `callbacks serve` with HTTP on a free loopback port, its clock stopped at the staff
/// commands' instant so its answers can be compared with theirs word for word.
final class HTTPServer: @unchecked Sendable {
    let harness: Harness
    let port: Int
    let serve: ServeProcess
    var base: String { "http://127.0.0.1:\(port)" }

    init(_ harness: Harness, extra: String = "") async throws {
        self.harness = harness
        port = try freePort()
        let file = harness.root.appendingPathComponent("callbacks.yaml")
        let config = try String(contentsOf: file, encoding: .utf8)
        try (config + "\nhttp:\n  listen: 127.0.0.1:\(port)\n  public_url: http://calls.example.com\n" + extra).write(to: file, atomically: true, encoding: .utf8)
        serve = try ServeProcess(harness, environment: ["CALLBACKS_NOW": "2026-11-23T08:05:00-05:00", "CALLBACKS_CLOCK": "stopped"])
        let up = await waitUntil(seconds: 20) { [port] in (try? Self.curl(["-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/healthz"]).status) == 200 }
        guard up else {
            serve.stop()
            throw CocoaError(.fileReadUnknown)
        }
    }

    deinit { serve.stop() }

    /// Runs curl and returns the status, headers and body.
    static func curl(_ arguments: [String]) throws -> HTTPAnswer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (headers, body) = (folder.appendingPathComponent("h"), folder.appendingPathComponent("b"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "-D", headers.path, "-o", body.path, "--max-time", "30"] + arguments
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let head = (try? String(contentsOf: headers, encoding: .utf8)) ?? ""
        let lines = head.components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPAnswer(status: status, headers: fields, body: (try? Data(contentsOf: body)) ?? Data())
    }

    func request(_ method: String, _ path: String, token: String?, headers: [String] = [], body: String? = nil, extra: [String] = []) throws -> HTTPAnswer {
        var arguments = ["-X", method, base + path]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        for header in headers { arguments += ["-H", header] }
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        return try Self.curl(arguments + extra)
    }

    /// `callbacks ARGS` against this server with `token`.
    func remote(_ arguments: [String], token: String) async -> Harness.Result {
        await harness.run(arguments, environment: ["CALLBACKS_URL": base, "CALLBACKS_TOKEN": token])
    }
}

@Suite("The HTTP API and the remote command line", .serialized)
struct HTTPTests {
    static let config = Harness.acme + """

        owner:
          mailboxes: ["200"]
        """

    /// An installation with the example spool and an owner-line message stored, and three
    /// people: alice (staff), olivia (owner), adam (admin).
    func installation() async throws -> (Harness, [String: String]) {
        let harness = try Harness(config: Self.config)
        try harness.copyExampleSpool()
        try harness.put("default/200/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/200/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Pat\" <5551112222>", origtime: 1_795_280_400))
        _ = try await harness.ingest()
        var tokens: [String: String] = [:]
        for (name, role) in [("alice", "staff"), ("olivia", "owner"), ("adam", "admin")] {
            let added = await harness.run(["people", "add", name, "--role", role, "--json"])
            tokens[name] = try #require((added.json as? [String: Any])?["token"] as? String, "\(added.errors)")
        }
        return (harness, tokens)
    }

    @Test("remote callbacks prints what local callbacks prints, text and JSON")
    func remoteMatchesLocal() async throws {
        let (harness, tokens) = try await installation()
        let server = try await HTTPServer(harness)
        let alice = try #require(tokens["alice"])
        // `show` through a server leaves out the server's file paths (RemoteWordsTests).
        for arguments in [["list"], ["list", "--all", "--json"], ["list", "--limit", "2"], ["show", "2", "--json"], ["stats"], ["stats", "--json"]] {
            let local = await harness.run(arguments + ["--as", "alice"])
            let remote = await server.remote(arguments, token: alice)
            #expect(local.status == 0, "\(arguments): \(local.errors)")
            if arguments.contains("--json") {
                // The same JSON but for where the audio is: a file here, the API's address there.
                #expect(Self.withoutPaths(remote.json) == Self.withoutPaths(local.json), "\(arguments)")
            } else {
                #expect(remote.output == local.output, "\(arguments)")
            }
            #expect(remote.status == local.status && remote.errors == local.errors, "\(arguments): \(remote.errors)")
        }
        let olivia = try #require(tokens["olivia"])
        for arguments in [["escalations"], ["escalations", "--json"], ["escalations", "show", "1"]] {
            let local = await harness.run(arguments + ["--as", "olivia"])
            let remote = await server.remote(arguments, token: olivia)
            if arguments.contains("--json") {
                #expect(Self.withoutPaths(remote.json) == Self.withoutPaths(local.json), "\(arguments)")
            } else {
                // The text but for the server's file paths, which stay on the server.
                let paths = try Regex("  [^ ]*\(harness.root.lastPathComponent)[^ \\n]*")
                #expect(remote.output == local.output.replacing(paths, with: ""), "\(arguments)")
            }
        }
        // Refusals read the same too.
        let refusedLocal = await harness.run(["escalations", "--as", "alice"])
        let refusedRemote = await server.remote(["escalations"], token: alice)
        #expect(refusedRemote.errors == refusedLocal.errors && refusedRemote.status != 0)
        let missingLocal = await harness.run(["show", "99", "--as", "alice"])
        let missingRemote = await server.remote(["show", "99"], token: alice)
        #expect(missingRemote.errors == missingLocal.errors && missingRemote.status != 0)
    }

    /// `json` rendered with sorted keys and without the messages' `audio` and `quarantine`.
    static func withoutPaths(_ json: Any?) -> String {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { $0.key != "audio" && $0.key != "quarantine" }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        guard let json, let data = try? JSONSerialization.data(withJSONObject: strip(json), options: [.sortedKeys, .fragmentsAllowed]) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    @Test("next, no-answer, release, done and escalate go through the server, as the token's person")
    func remoteOutcomes() async throws {
        let (harness, tokens) = try await installation()
        let server = try await HTTPServer(harness)
        let alice = try #require(tokens["alice"])
        let claimed = await server.remote(["next"], token: alice)
        #expect(claimed.output.contains("this is Alice from Acme Plumbing"), "\(claimed.output)\(claimed.errors)")
        let hint = try #require(claimed.output.split(separator: "\n").last.map(String.init))
        #expect(hint.hasPrefix("When you're done: callbacks done "))
        let id = try #require(hint.split(separator: " ").dropFirst(5).first.map(String.init))
        #expect(await server.remote(["next", "--as", "bob"], token: alice).errors == "Error: --as is refused with a server: your token names who you are")
        let released = await server.remote(["release", id], token: alice)
        #expect(released.output == "Callback #\(id) is back in the queue.")
        _ = await server.remote(["next"], token: alice)
        let done = await server.remote(["done", id, "--note", "booked Tuesday"], token: alice)
        #expect(done.output == "Callback #\(id) done.")
        let shown = await harness.run(["show", id, "--json", "--as", "alice"])
        let history = try #require((shown.json as? [String: Any])?["history"] as? [[String: Any]])
        #expect(history.last?["actor"] as? String == "alice")
        #expect(history.last?["note"] as? String == "booked Tuesday")
        let again = await server.remote(["done", id], token: alice)
        #expect(again.errors == "Error: callback #\(id) is already done")
        let escalated = await server.remote(["escalate", "2", "--reason", "wants a refund"], token: alice)
        #expect(escalated.output == "Callback #2 escalated to the owner.", "\(escalated.errors)")
    }

    @Test("no token or a wrong one is 401; staff never see the owner's line (404) nor the escalations (403)")
    func security() async throws {
        let (harness, tokens) = try await installation()
        let server = try await HTTPServer(harness)
        let (alice, olivia) = (try #require(tokens["alice"]), try #require(tokens["olivia"]))
        let none = try server.request("GET", "/api/v1/callbacks", token: nil)
        #expect(none.status == 401)
        #expect(none.errorMessage?.isEmpty == false)
        #expect((none.json as? [String: Any]).flatMap { ($0["error"] as? [String: Any])?["code"] as? String } == "unauthorized")
        #expect(try server.request("GET", "/api/v1/callbacks", token: "ah_wrong").status == 401)
        #expect(try server.request("GET", "/api/v1/callbacks", token: String(alice.dropLast())).status == 401)
        #expect(try server.request("GET", "/healthz", token: nil).status == 200)

        // The owner's line: Pat's message on mailbox 200, which the owner reaches through the escalations.
        let escalations = try server.request("GET", "/api/v1/escalations", token: olivia)
        let ownerLine = try #require(
            (escalations.json as? [[String: Any]])?.compactMap { $0["callback"] as? [String: Any] }
                .first { (($0["caller"] as? [String: Any])?["name"] as? String) == "Pat" }?["id"] as? Int)
        #expect(try server.request("GET", "/api/v1/callbacks/\(ownerLine)", token: alice).status == 404)
        #expect(try server.request("POST", "/api/v1/callbacks/\(ownerLine)/done", token: alice, body: "{}").status == 404)
        #expect(try server.request("GET", "/api/v1/callbacks/\(ownerLine)", token: olivia).status == 200)
        let staffList = try server.request("GET", "/api/v1/callbacks?all=true", token: alice)
        #expect((staffList.json as? [[String: Any]])?.contains { ($0["id"] as? Int) == ownerLine } == false)
        #expect(try server.request("GET", "/api/v1/escalations", token: alice).status == 403)
        #expect(try server.request("POST", "/api/v1/escalations/1/ack", token: alice).status == 403)
        #expect(try server.request("GET", "/api/v1/escalations", token: olivia).status == 200)
        #expect(try server.request("GET", "/api/v1/escalations", token: tokens["adam"]).status == 200, "an admin does all an owner does")

        // Bad input is a 4xx in the error shape, never a 500.
        for (method, path, body) in [
            ("GET", "/api/v1/callbacks/abc", nil), ("GET", "/api/v1/callbacks/0", nil), ("GET", "/api/v1/callbacks?limit=-1", nil),
            ("GET", "/api/v1/callbacks?all=maybe", nil), ("POST", "/api/v1/callbacks/1/done", "{not json"),
            ("POST", "/api/v1/callbacks/1/escalate", "{}"), ("POST", "/api/v1/callbacks/99999/done", "{}"), ("GET", "/api/v1/nowhere", nil),
            ("GET", "/api/v1/stats?days=1816957126568860", nil), ("GET", "/api/v1/stats?days=0", nil),
        ] {
            let answer = try server.request(method, path, token: alice, body: body)
            #expect((400..<500).contains(answer.status), "\(method) \(path) → \(answer.status)")
            #expect(answer.errorMessage != nil, "\(method) \(path): \(answer.text)")
        }
        // The pages' session cookie: pages come with their protective headers, and a change
        // made with the cookie needs the session's CSRF token.
        let (cookie, csrf) = try await server.signIn("alice")
        let queuePage = try HTTPServer.curl(["-H", "Cookie: \(cookie)", server.base + "/queue"])
        #expect(queuePage.status == 200 && queuePage.headers["x-frame-options"] == "DENY")
        #expect(queuePage.headers["content-security-policy"]?.contains("default-src 'self'") == true)
        let forged = try HTTPServer.curl(["-X", "POST", "-H", "Cookie: \(cookie)", server.base + "/api/v1/callbacks/next"])
        #expect(forged.status == 403 && (forged.json as? [String: Any]).flatMap { ($0["error"] as? [String: Any])?["code"] as? String } == "csrf")
        let allowed = try HTTPServer.curl(["-X", "POST", "-H", "Cookie: \(cookie)", "-H", "X-CSRF-Token: \(csrf)", server.base + "/api/v1/callbacks/next"])
        #expect(allowed.status == 200, "\(allowed.text)")

        let huge = "{\"note\": \"" + String(repeating: "x", count: 100_000) + "\"}"
        let tooLarge = try server.request("POST", "/api/v1/callbacks/1/done", token: alice, body: huge)
        #expect(tooLarge.status == 413 && tooLarge.errorMessage != nil, "\(tooLarge.status)")
        #expect(try server.request("GET", "/healthz", token: nil).status == 200, "the service is still up")
    }

    @Test("a message's audio as a WAV a browser plays: GSM converted, Content-Length, Range")
    func audio() async throws {
        let (harness, tokens) = try await installation()
        let server = try await HTTPServer(harness)
        let alice = try #require(tokens["alice"])
        // Every stored message, whatever its format, is a 16-bit PCM WAV of its own length.
        let list = try server.request("GET", "/api/v1/callbacks?all=true", token: alice)
        let messages = (list.json as? [[String: Any]] ?? []).flatMap { $0["messages"] as? [[String: Any]] ?? [] }
        #expect(messages.count >= 5)
        var formats: Set<String> = []
        for message in messages {
            let id = try #require(message["id"] as? Int)
            formats.insert(message["format"] as? String ?? "?")
            let whole = try server.request("GET", "/api/v1/voicemails/\(id)/audio", token: alice)
            #expect(whole.status == 200)
            #expect(whole.headers["content-type"] == "audio/wav")
            #expect(whole.headers["content-length"] == String(whole.body.count))
            #expect(whole.body.prefix(4) == Data("RIFF".utf8) && whole.body[8..<16] == Data("WAVEfmt ".utf8))
            let (rate, channels) = (Int(whole.body[24]) | Int(whole.body[25]) << 8, Int(whole.body[22]))
            let seconds = Double(whole.body.count - 44) / Double(rate * channels * 2)
            #expect(abs(seconds - (message["duration_seconds"] as? Double ?? -1)) < 0.05, "message \(id): \(seconds) s")
            let part = try server.request("GET", "/api/v1/voicemails/\(id)/audio", token: alice, headers: ["Range: bytes=40-1039"])
            #expect(part.status == 206)
            #expect(part.headers["content-range"] == "bytes 40-1039/\(whole.body.count)")
            #expect(part.body == whole.body[40..<1040], "the range is the same bytes as the whole")
            let tail = try server.request("GET", "/api/v1/voicemails/\(id)/audio", token: alice, headers: ["Range: bytes=-100"])
            #expect(tail.body == whole.body.suffix(100))
        }
        #expect(formats.contains { $0.contains("gsm") }, "\(formats)")
        let outside = try server.request("GET", "/api/v1/voicemails/1/audio", token: alice, headers: ["Range: bytes=99999999-"])
        #expect(outside.status == 416)
        #expect(outside.headers["content-range"]?.hasPrefix("bytes */") == true)
        #expect(try server.request("GET", "/api/v1/voicemails/999/audio", token: alice).status == 404)

        // `callbacks play --out` saves the same WAV, locally and through the server.
        let local = harness.root.appendingPathComponent("local.wav")
        let remote = harness.root.appendingPathComponent("remote.wav")
        #expect(await harness.run(["play", "2", "--out", local.path, "--as", "alice"]).status == 0)
        let saved = await server.remote(["play", "2", "--out", remote.path], token: alice)
        #expect(saved.output == "Message #2 saved as \(remote.path).", "\(saved.errors)")
        #expect(try Data(contentsOf: local) == Data(contentsOf: remote))
    }

    @Test("push ingest: stored before the answer, once per Idempotency-Key, hostile input refused and kept")
    func push() async throws {
        let (harness, tokens) = try await installation()
        let server = try await HTTPServer(harness)
        let alice = try #require(tokens["alice"])
        let speech = Harness.fixtures.appendingPathComponent("audio/speech.wav").path
        let metadata = #"{"caller_number": "+14155550123", "caller_name": "Dana", "received_at": "2026-11-22T21:15:00-05:00", "mailbox": "1001"}"#
        let form = ["-F", "audio=@\(speech);type=audio/wav", "-F", "metadata=\(metadata);type=application/json"]
        let first = try server.request("POST", "/api/v1/voicemails", token: alice, headers: ["Idempotency-Key: pbx-42"], extra: form)
        #expect(first.status == 201, "\(first.text)")
        let answer = try #require(first.json as? [String: Any])
        let callbackID = try #require(answer["callback_id"] as? Int)
        // Stored before the answer: the command line sees it at once.
        let shown = await harness.run(["show", String(callbackID), "--json", "--as", "alice"])
        #expect(((shown.json as? [String: Any])?["caller"] as? [String: Any])?["name"] as? String == "Dana")
        let retry = try server.request("POST", "/api/v1/voicemails", token: alice, headers: ["Idempotency-Key: pbx-42"], extra: form)
        #expect(retry.status == 201 && retry.body == first.body && retry.headers["idempotent-replayed"] == "true")
        // The same message without the key is recognised by its identity.
        let again = try server.request("POST", "/api/v1/voicemails", token: alice, extra: form)
        #expect(again.status == 200)
        #expect((again.json as? [String: Any])?["duplicate"] as? Bool == true)
        let messages = await harness.run(["show", String(callbackID), "--json", "--as", "alice"])
        #expect(((messages.json as? [String: Any])?["messages"] as? [Any])?.count == 1, "stored once")

        // Hostile input: a 4xx naming what is wrong; what was sent is in the quarantine.
        let garbage = harness.root.appendingPathComponent("garbage.wav")
        try Data(repeating: 0x41, count: 5000).write(to: garbage)
        let unreadable = try server.request(
            "POST", "/api/v1/voicemails", token: alice,
            extra: ["-F", "audio=@\(garbage.path);type=audio/wav", "-F", #"metadata={"caller_number": "+14155550999"}"#])
        #expect(unreadable.status == 201, "unreadable audio is stored with its error, as from the spool: \(unreadable.text)")
        #expect((unreadable.json as? [String: Any])?["quarantined"] as? Bool == true)
        let notJSON = try server.request(
            "POST", "/api/v1/voicemails", token: alice, extra: ["-F", "audio=@\(speech);type=audio/wav", "-F", "metadata=not json"])
        #expect(notJSON.status == 201, "metadata that cannot be read never costs the message")
        #expect(((notJSON.json as? [String: Any])?["warnings"] as? [String])?.first?.contains("JSON object") == true, "\(notJSON.text)")
        let noAudio = try server.request("POST", "/api/v1/voicemails", token: alice, extra: ["-F", "metadata={}"])
        #expect(noAudio.status == 422)
        let wrongType = try server.request("POST", "/api/v1/voicemails", token: alice, body: "{}")
        #expect(wrongType.status == 415)
        let quarantined = try FileManager.default.subpathsOfDirectory(atPath: harness.quarantine.path)
        #expect(quarantined.contains { $0.hasSuffix("metadata.json") && $0.hasPrefix("push/alice-") }, "\(quarantined)")
    }

    @Test("metrics: queue depth, ingest counts and request latency, behind a token")
    func metrics() async throws {
        let (harness, tokens) = try await installation()
        let server = try await HTTPServer(harness)
        let alice = try #require(tokens["alice"])
        #expect(try server.request("GET", "/metrics", token: nil).status == 401)
        _ = try server.request(
            "POST", "/api/v1/voicemails", token: alice,
            extra: ["-F", "audio=@\(Harness.fixtures.appendingPathComponent("audio/speech.wav").path);type=audio/wav"])
        let text = try server.request("GET", "/metrics", token: alice).text
        #expect(text.contains(#"afterhours_queue_depth{status="open"}"#), "\(text)")
        #expect(text.contains(#"afterhours_transcripts{status="pending"}"#), "\(text)")
        #expect(text.contains("afterhours_oldest_overdue_seconds"))
        #expect(text.contains("afterhours_promises_kept_ratio"))
        #expect(text.contains("afterhours_ingested_total 1"))
        #expect(text.contains("afterhours_http_request_duration_seconds_bucket"))
    }
}

@Suite("HTTPS with http.tls")
struct TLSTests {
    @Test("serve answers over TLS with the configured certificate and key")
    func tls() async throws {
        let harness = try Harness(config: HTTPTests.config)
        let (certificate, key) = (harness.root.appendingPathComponent("cert.pem").path, harness.root.appendingPathComponent("key.pem").path)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=127.0.0.1"]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        try #require(openssl.terminationStatus == 0, "openssl made no certificate")
        let port = try freePort()
        let file = harness.root.appendingPathComponent("callbacks.yaml")
        try (try String(contentsOf: file, encoding: .utf8) + "\nhttp:\n  listen: 127.0.0.1:\(port)\n  tls: {certificate: \(certificate), key: \(key)}\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let serve = try ServeProcess(harness)
        defer { serve.stop() }
        let up = await waitUntil(seconds: 20) { (try? HTTPServer.curl(["-k", "https://127.0.0.1:\(port)/healthz"]).status) == 200 }
        #expect(up, "no answer over HTTPS")
        #expect((try? HTTPServer.curl(["http://127.0.0.1:\(port)/healthz"]).status) != 200, "plain HTTP is not answered")
    }
}

@Suite("The remote command line without a server")
struct RemoteFailureTests {
    @Test("a server that is not there, a bad address or no token: one sentence each")
    func unreachable() async throws {
        let harness = try Harness()
        let port = try freePort()
        let refused = await harness.run(["list"], environment: ["CALLBACKS_URL": "http://127.0.0.1:\(port)", "CALLBACKS_TOKEN": "ah_x"])
        #expect(refused.errors == "Error: cannot reach http://127.0.0.1:\(port): connection refused")
        let badAddress = await harness.run(["list", "--server", "calls.example.com", "--token", "ah_x"])
        #expect(badAddress.errors.hasPrefix("Error: calls.example.com is not a server address"))
        let noToken = await harness.run(["list", "--server", "http://127.0.0.1:\(port)"], environment: ["CALLBACKS_TOKEN": nil])
        #expect(noToken.errors.hasPrefix("Error: a token is needed with a server"))
        let local = await harness.run(["note", "1", "hi", "--server", "http://127.0.0.1:\(port)", "--token", "ah_x"])
        #expect(local.errors == "Error: callbacks note works at the server's shell only, not through --server or $CALLBACKS_URL")
    }
}
