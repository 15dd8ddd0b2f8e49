import Foundation
import Synchronization
import Testing

/// A real HTTP server on 127.0.0.1 that answers 500 to the first `failures` requests and
/// 204 after, recording every request. With a `delay`, each request is held that long
/// before it is answered (one at a time): a slow receiver, with deliveries in flight.
final class TestReceiver: @unchecked Sendable {
    struct Request { let key: String?; let body: String; let status: Int }

    private(set) var port: UInt16 = 0
    private let listener: Int32
    private let lock = NSLock()
    private var failuresLeft: Int
    private var recorded: [Request] = []
    private var delay: Duration
    private var holding = 0

    var requests: [Request] { lock.withLock { recorded } }

    /// Requests read and decided on, whose answer has not been sent yet.
    var inFlight: Int { lock.withLock { holding } }

    /// From now on, every request is accepted.
    func acceptFromNowOn() { lock.withLock { failuresLeft = 0 } }

    /// From now on, each request is held this long before it is answered.
    func answer(after delay: Duration) { lock.withLock { self.delay = delay } }

    init(failures: Int, delay: Duration = .zero) throws {
        failuresLeft = failures
        self.delay = delay
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw CocoaError(.fileWriteUnknown) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 8192)
        var expected: Int?
        while true {
            let count = read(client, &buffer, buffer.count)
            if count <= 0 { break }
            data += buffer[0..<count]
            let text = String(decoding: data, as: UTF8.self)
            guard let headerEnd = text.range(of: "\r\n\r\n") else { continue }
            if expected == nil {
                let length = text[..<headerEnd.lowerBound].split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                expected = text.utf8.distance(from: text.utf8.startIndex, to: headerEnd.upperBound) + length
            }
            if let expected, data.count >= expected { break }
        }
        let text = String(decoding: data, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let key = parts[0].split(separator: "\r\n").first { $0.lowercased().hasPrefix("idempotency-key:") }
            .map { $0.dropFirst("idempotency-key:".count).trimmingCharacters(in: .whitespaces) }
        // Recorded as the receiver decides: a sender killed while the answer is held never
        // learns that its request was accepted.
        let (status, delay): (Int, Duration) = lock.withLock {
            let status = failuresLeft > 0 ? 500 : 204
            failuresLeft -= 1
            recorded.append(Request(key: key, body: parts.dropFirst().joined(separator: "\r\n\r\n"), status: status))
            holding += 1
            return (status, self.delay)
        }
        if delay > .zero {
            let (seconds, attoseconds) = delay.components
            usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
        }
        let response = "HTTP/1.1 \(status) \(status == 204 ? "No Content" : "Internal Server Error")\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        // MSG_NOSIGNAL: the sender may be gone (killed), and SIGPIPE would end the tests.
        _ = response.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        lock.withLock { holding -= 1 }
    }
}

/// `callbacks serve` as a child process; its log (stderr) in `log` when given.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    private let stopped = Mutex(false)

    init(_ harness: Harness, path: String? = nil, environment changes: [String: String] = [:], log: URL? = nil) throws {
        process.executableURL = ConcurrentNextTests.binary
        process.arguments = ["serve"]
        var environment = harness.serveEnvironment.merging(changes) { $1 }
        if let path { environment["PATH"] = path }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        if let log {
            if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
            let handle = try FileHandle(forWritingTo: log)
            try handle.seekToEnd()
            process.standardError = handle
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
    }

    /// Signals the process and waits for it; once only (a second call does nothing, so
    /// the pid, perhaps reused by then, is never signalled again).
    func stop(_ signal: Int32 = SIGTERM) {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        kill(process.processIdentifier, signal)
        // A node that does not stop within 20 s is stuck: killed, so the tests end.
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Polls `condition` without holding one of the cooperative pool's few threads: the
/// commands run in-process meanwhile need them (the store answers asynchronously).
func waitUntil(seconds: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return condition()
}

@Suite("Notifying the owner")
struct NotificationTests {
    @Test("a webhook that fails at first gets the escalation exactly once as accepted, across a kill and restart mid-retry")
    func webhookSurvivesRestart() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ConcurrentNextTests.binary.path), "build the binary first (make test does)")
        // Refused until the service has been killed, however slowly the test gets to it.
        let receiver = try TestReceiver(failures: .max)
        defer { receiver.stop() }
        let harness = try Harness(config: Harness.acme + """

            owner:
              mailboxes: ["200"]
              notify:
                - webhook: http://127.0.0.1:\(receiver.port)/afterhours
            http:
              public_url: https://calls.example.com/
            """)
        try harness.put("default/200/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/200/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Pat Owner-Friend\" <5551112222>", origtime: 1_795_280_400))

        var serve = try ServeProcess(harness)
        #expect(await waitUntil(seconds: 15) { receiver.requests.count >= 1 }, "first attempt made")
        // Killed once the failed attempt is recorded (with its retry time), not between
        // the receiver answering and the service writing that down.
        var recorded = false
        for _ in 0..<200 where !recorded {
            let owner = await harness.run(["escalations", "--json"])
            let notification = ((owner.json as? [[String: Any]])?.first?["notifications"] as? [[String: Any]])?.first
            recorded = (notification?["attempts"] as? Int ?? 0) >= 1
            if !recorded { try await Task.sleep(for: .milliseconds(50)) }
        }
        serve.stop(SIGKILL)  // mid-retry: the next attempt is only in the database now
        let failed = receiver.requests.count
        #expect(failed >= 1 && receiver.requests.allSatisfy { $0.status == 500 })
        receiver.acceptFromNowOn()

        serve = try ServeProcess(harness)
        // The retry waits out the backoff the failures earned (2 s × 2^attempts, at most).
        let backoff = min(900, 2 * pow(2, Double(failed)))
        #expect(await waitUntil(seconds: backoff + 30) { receiver.requests.contains { $0.status == 204 } }, "delivered after the restart")
        try await Task.sleep(for: .seconds(3))  // anything more would arrive now
        serve.stop()

        let requests = receiver.requests
        #expect(requests.filter { $0.status == 204 }.count == 1, "accepted exactly once")
        #expect(requests.count == failed + 1, "the failures before the kill, then one success")
        #expect(Set(requests.compactMap(\.key)).count == 1, "one Idempotency-Key for every attempt")
        let body = try #require(requests.last.map { Data($0.body.utf8) })
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(json["reason"] as? String == "owner_line")
        #expect((json["text"] as? String)?.contains("A message on your private line") == true)
        #expect(json["url"] as? String == "https://calls.example.com/escalations/1", "a link straight to the escalation's page")
        #expect((json["text"] as? String)?.hasSuffix("Escalation #1. https://calls.example.com/escalations/1") == true)
        #expect(((json["callback"] as? [String: Any])?["caller"] as? [String: Any])?["number"] as? String == "+15551112222")

        let owner = await harness.run(["escalations", "--json"])
        let notification = try #require(((owner.json as? [[String: Any]])?.first?["notifications"] as? [[String: Any]])?.first)
        #expect(notification["delivered_at"] is String)
        // Every failure recorded before the kill, then the one accepted (a request cut off
        // by the kill may not have been written down).
        #expect((2...failed + 1).contains(notification["attempts"] as? Int ?? 0))
    }

    @Test("a command channel and email through sendmail -t, run without a shell, with nothing injected")
    func commandAndEmail() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ConcurrentNextTests.binary.path), "build the binary first (make test does)")
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-bin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        let pager = bin.appendingPathComponent("page-owner")
        try "#!/bin/sh\ncat > \"$(dirname \"$0\")/paged-$$.json\"\n".write(to: pager, atomically: true, encoding: .utf8)
        let sendmail = bin.appendingPathComponent("sendmail")
        try "#!/bin/sh\n[ \"$1\" = \"-t\" ] || exit 2\ncat > \"$(dirname \"$0\")/mail-$$.txt\"\n".write(to: sendmail, atomically: true, encoding: .utf8)
        for script in [pager, sendmail] { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path) }

        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "name: Acme Plumbing", with: "name: Acme Plumbing") + """

            owner:
              mailboxes: ["200"]
              notify:
                - command: \(pager.path)
                - email: owner@example.com
            """)
        // A sidecar can carry anything in a name: a newline must not become a header.
        try harness.put("eve.wav", copying: "speech.wav")
        try harness.put("eve.json", text: #"{"mailbox": "200", "caller_name": "Eve\nBcc: spy@example.com", "caller_number": "5551112222"}"#)

        let serve = try ServeProcess(harness, path: "\(bin.path):/usr/bin:/bin")
        let delivered = await waitUntil(seconds: 20) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: bin.path)) ?? []
            return names.contains { $0.hasPrefix("paged-") } && names.contains { $0.hasPrefix("mail-") }
        }
        serve.stop()
        #expect(delivered)
        let names = try FileManager.default.contentsOfDirectory(atPath: bin.path)
        #expect(names.filter { $0.hasPrefix("paged-") }.count == 1, "run once")
        #expect(names.filter { $0.hasPrefix("mail-") }.count == 1, "sent once")
        let paged = try #require(names.first { $0.hasPrefix("paged-") })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: bin.appendingPathComponent(paged))) as? [String: Any])
        #expect(json["reason"] as? String == "owner_line")
        let mailName = try #require(names.first { $0.hasPrefix("mail-") })
        let mail = try String(contentsOf: bin.appendingPathComponent(mailName), encoding: .utf8)
        #expect(mail.hasPrefix("To: owner@example.com\n"))
        #expect(mail.contains("Subject: [Acme Plumbing] A message on your private line: Eve Bcc: spy@example.com\n"))
        #expect(!mail.split(separator: "\n").contains { $0.hasPrefix("Bcc:") }, "no header injected")
        #expect(mail.contains("callbacks escalations show 1"))
    }
}

@Suite("A notify command that fails")
struct FailingCommandTests {
    @Test("its exit status and what it said are kept on the notification, on one line, and it is tried again")
    func failingCommand() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ConcurrentNextTests.binary.path), "build the binary first (make test does)")
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-failing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        let pager = bin.appendingPathComponent("page-owner")
        // Reads all of stdin (the escalation JSON), complains on two lines, fails.
        try "#!/bin/sh\ncat > /dev/null\necho 'pager offline'\necho 'try later' >&2\nexit 3\n".write(to: pager, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: pager.path)
        let harness = try Harness(config: Harness.acme + """

            owner:
              mailboxes: ["200"]
              notify:
                - command: \(pager.path)
            """)
        try harness.put("default/200/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/200/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Pat\" <5551112222>", origtime: 1_795_280_400))
        let serve = try ServeProcess(harness)
        var notification: [String: Any]?
        for _ in 0..<100 where notification?["last_error"] is NSNull || notification == nil {
            try await Task.sleep(for: .milliseconds(100))
            let owner = await harness.run(["escalations", "--json"])
            notification = ((owner.json as? [[String: Any]])?.first?["notifications"] as? [[String: Any]])?.first
        }
        serve.stop()
        let error = try #require(notification?["last_error"] as? String)
        #expect(error == "page-owner exited with status 3: pager offline try later", "\(error)")
        #expect(notification?["delivered_at"] is NSNull)
    }
}
