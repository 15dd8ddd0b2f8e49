import Foundation
import Settings
import Testing
import TestSupport

/// Push ingest never drops a message: Idempotency-Keys per sender with a fingerprint,
/// loose PBX metadata read, refused bodies kept once, every time from the service's clock.
@Suite("Push ingest keeps every message", .serialized)
struct PushIngestTests {
    enum Database: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case sqlite, postgresql
        var testDescription: String { rawValue }
    }

    static let speech = Harness.fixtures.appendingPathComponent("audio/speech.wav").path

    /// An installation on `database` with alice and bob (staff) and their tokens, and its server.
    func installation(_ database: Database = .sqlite) async throws -> (Harness, HTTPServer, alice: String, bob: String) {
        var config = Harness.acme
        if database == .postgresql {
            let url = try await PostgresCluster.shared.createDatabase()
            config = config.replacingOccurrences(of: "  database: afterhours.sqlite", with: "  database: \"\(url)\"")
        }
        let harness = try Harness(config: config)
        var tokens: [String] = []
        for name in ["alice", "bob"] {
            let added = await harness.run(["people", "add", name, "--role", "staff", "--json"])
            tokens.append(try #require((added.json as? [String: Any])?["token"] as? String, "\(added.errors)"))
        }
        let server = try await HTTPServer(harness)
        return (harness, server, tokens[0], tokens[1])
    }

    func form(_ metadata: String?, audio: String? = PushIngestTests.speech) -> [String] {
        var form: [String] = []
        if let audio { form += ["-F", "audio=@\(audio);type=audio/wav"] }
        if let metadata { form += ["-F", "metadata=\(metadata);type=application/json"] }
        return form
    }

    /// Every callback, as `list --all --json` has them.
    func callbacks(_ harness: Harness) async -> [[String: Any]] {
        (await harness.run(["list", "--all", "--json", "--as", "alice"]).json as? [[String: Any]]) ?? []
    }

    func messages(from number: String, in harness: Harness) async -> Int {
        await callbacks(harness).filter { ($0["caller"] as? [String: Any])?["number"] as? String == number }
            .map { ($0["messages"] as? [Any])?.count ?? 0 }.reduce(0, +)
    }

    @Test("Idempotency-Key: the sender's own; the same body replays, another is refused (422) and not stored; a burst stores once", arguments: Database.allCases)
    func idempotencyKeys(database: Database) async throws {
        let (harness, server, alice, bob) = try await installation(database)
        let dana = #"{"caller_number": "+14155550123", "caller_name": "Dana", "received_at": "2026-11-22T21:15:00-05:00", "mailbox": "1001"}"#
        let first = try server.request("POST", "/api/v1/voicemails", token: alice, headers: ["Idempotency-Key: pbx-42"], extra: form(dana))
        #expect(first.status == 201, "\(first.text)")
        #expect(first.headers["idempotent-replayed"] == nil)

        // The same message, its metadata written loosely: the same fingerprint, the first answer.
        let loose = #"{"caller_number": "+14155550123", "caller_name": "Dana", "received_at": "2026-11-22 21:15:00-05:00", "mailbox": 1001, "urgent": null}"#
        let retry = try server.request("POST", "/api/v1/voicemails", token: alice, headers: ["Idempotency-Key: pbx-42"], extra: form(loose))
        #expect(retry.status == 201 && retry.body == first.body, "\(retry.text)")
        #expect(retry.headers["idempotent-replayed"] == "true")

        // Another message under the same key: refused, nothing replayed, nothing stored.
        let erin = #"{"caller_number": "+14155550188", "caller_name": "Erin", "mailbox": "1001"}"#
        let reused = try server.request("POST", "/api/v1/voicemails", token: alice, headers: ["Idempotency-Key: pbx-42"], extra: form(erin))
        #expect(reused.status == 422, "\(reused.text)")
        let error = ((reused.json as? [String: Any])?["error"] as? [String: Any])
        #expect(error?["code"] as? String == "idempotency_key_reused")
        #expect((error?["message"] as? String)?.contains("pbx-42") == true, "\(reused.text)")
        #expect(reused.headers["idempotent-replayed"] == nil)
        #expect((reused.json as? [String: Any])?["voicemail_id"] == nil, "no other message's answer")
        #expect(await messages(from: "+14155550188", in: harness) == 0, "nothing stored")

        // Keys are per sender: bob's pbx-42 is his own, and his message is stored.
        let bobs = try server.request("POST", "/api/v1/voicemails", token: bob, headers: ["Idempotency-Key: pbx-42"], extra: form(erin))
        #expect(bobs.status == 201, "\(bobs.text)")
        #expect(bobs.headers["idempotent-replayed"] == nil)
        #expect(await messages(from: "+14155550188", in: harness) == 1)
        #expect(await messages(from: "+14155550123", in: harness) == 1)

        // Four requests with one key at the same moment: one message; the others wait and
        // replay its answer, or are told to come back (409, Retry-After).
        let fay = #"{"caller_number": "+14155550177", "caller_name": "Fay", "mailbox": "1001"}"#
        let answers = LockedAnswers()
        let group = DispatchGroup()
        for _ in 0..<4 {
            DispatchQueue.global().async(group: group) {
                if let answer = try? server.request(
                    "POST", "/api/v1/voicemails", token: alice, headers: ["Idempotency-Key: burst-1"], extra: self.form(fay))
                {
                    answers.append(answer)
                }
            }
        }
        await withCheckedContinuation { continuation in group.notify(queue: .global()) { continuation.resume() } }
        let burst = answers.values
        #expect(burst.count == 4)
        #expect(burst.allSatisfy { $0.status == 201 || ($0.status == 409 && $0.headers["retry-after"] != nil) }, "\(burst.map(\.text))")
        let ids = Set(burst.filter { $0.status == 201 }.compactMap { ($0.json as? [String: Any])?["voicemail_id"] as? Int })
        #expect(ids.count == 1, "one message, one answer: \(burst.map(\.text))")
        #expect(burst.filter { $0.status == 201 && $0.headers["idempotent-replayed"] == nil }.count == 1, "stored by one request")
        #expect(await messages(from: "+14155550177", in: harness) == 1)
    }

    /// The callback of `number`, shown with its messages and history.
    func shown(_ number: String, in harness: Harness) async throws -> [String: Any] {
        let callback = try #require(await callbacks(harness).first { ($0["caller"] as? [String: Any])?["number"] as? String == number }, "no callback for \(number)")
        let id = try #require(callback["id"] as? Int)
        return try #require(await harness.run(["show", String(id), "--json", "--as", "alice"]).json as? [String: Any])
    }

    func firstMessage(_ shown: [String: Any]) -> [String: Any] { (shown["messages"] as? [[String: Any]])?.first ?? [:] }

    func history(_ shown: [String: Any]) -> String {
        ((shown["history"] as? [[String: Any]]) ?? []).compactMap { $0["note"] as? String }.joined(separator: "\n")
    }

    func warnings(_ answer: HTTPAnswer) -> [String] { ((answer.json as? [String: Any])?["warnings"] as? [String]) ?? [] }

    @Test("metadata a PBX writes loosely is read; what still cannot be read is ignored with a warning, never the message")
    func looseMetadata() async throws {
        let (harness, server, alice, _) = try await installation()
        let written: [(String, String)] = [
            ("+14155550101", #"{"caller_number": "+14155550101", "mailbox": 100, "urgent": "true", "received_at": "2026-11-22 21:15:00-05:00"}"#),
            ("+14155550102", #"{"caller_number": 14155550102, "urgent": 1, "received_at": 1795400100}"#),
            ("+14155550103", #"{"caller_number": "+14155550103", "urgent": "yes", "received_at": "1795400100", "mailbox": "100"}"#),
        ]
        for (number, metadata) in written {
            let answer = try server.request("POST", "/api/v1/voicemails", token: alice, extra: form(metadata))
            #expect(answer.status == 201, "\(metadata): \(answer.text)")
            #expect(warnings(answer).isEmpty, "\(answer.text)")
            let detail = try await shown(number, in: harness)
            #expect(detail["urgent"] as? Bool == true, "\(metadata)")
            #expect(firstMessage(detail)["received_at"] as? String == "2026-11-22T21:15:00-05:00", "\(metadata)")
            if number != "+14155550102" { #expect(firstMessage(detail)["mailbox"] as? String == "100") }
        }
        let no = try server.request("POST", "/api/v1/voicemails", token: alice, extra: form(#"{"caller_number": "+14155550105", "urgent": "no"}"#))
        #expect(no.status == 201 && warnings(no).isEmpty, "\(no.text)")
        #expect(try await shown("+14155550105", in: harness)["urgent"] as? Bool == false)

        // Fields that cannot be read: ignored, said in the answer and in the history.
        let odd = #"{"caller_number": "+14155550104", "urgent": "perhaps", "received_at": "last tuesday", "mailbox": {"box": 1}}"#
        let answer = try server.request("POST", "/api/v1/voicemails", token: alice, extra: form(odd))
        #expect(answer.status == 201, "\(answer.text)")
        let said = warnings(answer)
        #expect(said.count == 3, "\(said)")
        #expect(said.contains { $0.hasPrefix("urgent") } && said.contains { $0.hasPrefix("received_at") } && said.contains { $0.hasPrefix("mailbox") })
        let detail = try await shown("+14155550104", in: harness)
        for warning in said { #expect(history(detail).contains(warning), "\(history(detail))") }
        #expect(detail["urgent"] as? Bool == false)
        // Without a time it can read, the message was left when it arrived, by the service's clock.
        #expect(firstMessage(detail)["received_at"] as? String == "2026-11-23T08:05:00-05:00")

        // Metadata that is not JSON at all: the audio is still a message.
        let notJSON = try server.request("POST", "/api/v1/voicemails", token: alice, extra: ["-F", "audio=@\(Self.speech);type=audio/wav", "-F", "metadata=not json"])
        #expect(notJSON.status == 201, "\(notJSON.text)")
        #expect(warnings(notJSON).contains { $0.contains("not a JSON object") }, "\(notJSON.text)")
        // No audio but a caller to call back: stored, with no audio to hear.
        let noAudio = try server.request("POST", "/api/v1/voicemails", token: alice, extra: form(#"{"caller_number": "+14155550106", "caller_name": "Gus"}"#, audio: nil))
        #expect(noAudio.status == 201, "\(noAudio.text)")
        #expect(warnings(noAudio).contains { $0.contains("no audio part") }, "\(noAudio.text)")
        #expect(try await shown("+14155550106", in: harness)["id"] != nil)
        // Neither audio nor a caller: the only push refused.
        let nothing = try server.request("POST", "/api/v1/voicemails", token: alice, extra: form(#"{"caller_name": "Gus"}"#, audio: nil))
        #expect(nothing.status == 422, "\(nothing.text)")
    }

    @Test("the spool's sidecars are read by the same parser: loose fields read, unreadable ones noted, the message stored")
    func looseSidecars() async throws {
        let harness = try Harness()
        try harness.put("desk-1.wav", copying: "speech.wav")
        try harness.put("desk-1.json", text: #"{"caller_number": "2125550007", "mailbox": 100, "urgent": "yes", "received_at": 1795400100}"#)
        try harness.put("desk-2.wav", copying: "speech.wav")
        try harness.put("desk-2.json", text: #"{"caller_number": "2125550008", "urgent": "perhaps", "received_at": "2026-11-22 21:15:00"}"#)
        let summary = try await harness.ingest()
        #expect(summary["ingested"] as? Int == 2, "\(summary)")
        #expect(summary["quarantined"] as? Int == 0)
        let first = try await shown("+12125550007", in: harness)
        #expect(first["urgent"] as? Bool == true)
        #expect(firstMessage(first)["mailbox"] as? String == "100")
        #expect(firstMessage(first)["received_at"] as? String == "2026-11-22T21:15:00-05:00")
        let second = try await shown("+12125550008", in: harness)
        #expect(second["urgent"] as? Bool == false)
        #expect(firstMessage(second)["received_at"] as? String == "2026-11-22T21:15:00-05:00", "a space for the T, read in the business zone")
        #expect(history(second).contains("urgent \"perhaps\" is not true or false"), "\(history(second))")
    }

    /// The folders under `quarantine/push`, each one refused body.
    func refusedFolders(_ harness: Harness) -> [String] {
        let push = harness.quarantine.appendingPathComponent("push")
        return ((try? FileManager.default.contentsOfDirectory(atPath: push.path)) ?? []).sorted()
    }

    @Test("a refused push retried is kept once per sender and body, in quarantine/push, with why, when and who")
    func refusedKeptOnce() async throws {
        let (harness, server, alice, bob) = try await installation()
        let nobody = form(#"{"caller_name": "Nobody"}"#, audio: nil)
        for _ in 0..<3 {
            #expect(try server.request("POST", "/api/v1/voicemails", token: alice, extra: nobody).status == 422)
        }
        #expect(refusedFolders(harness).count == 1, "\(refusedFolders(harness))")
        #expect(try server.request("POST", "/api/v1/voicemails", token: bob, extra: nobody).status == 422)
        #expect(refusedFolders(harness).count == 2, "another sender's refusal is kept apart")
        let wrongType = ["-F", "audio=@\(Self.speech);type=text/plain;filename=message.txt"]
        #expect(try server.request("POST", "/api/v1/voicemails", token: alice, extra: wrongType).status == 415)
        #expect(try server.request("POST", "/api/v1/voicemails", token: alice, extra: wrongType).status == 415)
        let folders = refusedFolders(harness)
        #expect(folders.count == 3, "\(folders)")
        let alices = try #require(folders.first { $0.hasPrefix("alice-") && harness.files(under: harness.quarantine.appendingPathComponent("push/\($0)")).contains("metadata.json") })
        let folder = harness.quarantine.appendingPathComponent("push/\(alices)")
        #expect(try String(contentsOf: folder.appendingPathComponent("metadata.json"), encoding: .utf8) == #"{"caller_name": "Nobody"}"#)
        let reason = try String(contentsOf: folder.appendingPathComponent(".reason"), encoding: .utf8)
        #expect(reason.contains("there is no audio part, and no caller_number"), "\(reason)")
        #expect(reason.contains("pushed by alice at 2026-11-23T08:05:00-05:00"), "dated by the service's clock: \(reason)")
    }

    @Test("a push without received_at is dated by the service's clock (CALLBACKS_NOW), and so is its quarantine folder")
    func serviceClock() async throws {
        let (harness, server, alice, _) = try await installation()
        let plain = try server.request("POST", "/api/v1/voicemails", token: alice, extra: form(#"{"caller_number": "+14155550111"}"#))
        #expect(plain.status == 201, "\(plain.text)")
        #expect(firstMessage(try await shown("+14155550111", in: harness))["received_at"] as? String == "2026-11-23T08:05:00-05:00")
        let garbage = harness.root.appendingPathComponent("garbage.wav")
        try Data(repeating: 0x41, count: 5000).write(to: garbage)
        let unreadable = try server.request("POST", "/api/v1/voicemails", token: alice, extra: form(#"{"caller_number": "+14155550112"}"#, audio: garbage.path))
        #expect(unreadable.status == 201 && (unreadable.json as? [String: Any])?["quarantined"] as? Bool == true, "\(unreadable.text)")
        let message = firstMessage(try await shown("+14155550112", in: harness))
        #expect(message["received_at"] as? String == "2026-11-23T08:05:00-05:00")
        let quarantine = try #require(message["quarantine"] as? String)
        #expect(quarantine.contains("/quarantine/2026/11/23/"), "\(quarantine)")
    }

    @Test("http.idempotency_window: 7 days unless set; a duration longer than 0, in hours")
    func window() throws {
        #expect(try Configuration.parse(yaml: "http:\n  listen: 127.0.0.1:8480\n", file: "/etc/callbacks.yaml").http.idempotencyWindow == 7 * 24 * 3600)
        #expect(try Configuration.parse(yaml: "http:\n  idempotency_window: 48h\n", file: "/etc/callbacks.yaml").http.idempotencyWindow == 48 * 3600)
        for (yaml, expected) in [("0", "should be longer than 0"), ("7d", "days and weeks are not accepted")] {
            #expect(throws: (any Error).self) { try Configuration.parse(yaml: "http:\n  idempotency_window: \(yaml)\n", file: "/etc/callbacks.yaml") }
            do {
                _ = try Configuration.parse(yaml: "http:\n  idempotency_window: \(yaml)\n", file: "/etc/callbacks.yaml")
            } catch {
                #expect(error.description.contains("http.idempotency_window") && error.description.contains(expected), "\(error)")
            }
        }
    }
}

final class LockedAnswers: @unchecked Sendable {
    private let lock = NSLock()
    private var answers: [HTTPAnswer] = []
    func append(_ answer: HTTPAnswer) { lock.withLock { answers.append(answer) } }
    var values: [HTTPAnswer] { lock.withLock { answers } }
}
