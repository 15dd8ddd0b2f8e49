import App
import Domain
import Foundation
import HTTPService
import Hummingbird
import HummingbirdTesting
import Ingest
import Logging
import MemoryStore
import NIOCore
import Settings
import Testing
import UseCases

/// The HTTP door in process: the application `serve` runs (`buildApplication`), driven
/// through its router by HummingbirdTesting, on the in-memory store. No port, no process:
/// the API's rules are checked in milliseconds; the few tests that need a real server on
/// loopback are in CallbacksCLITests.
@Suite("The HTTP API, in process")
struct InProcessAPITests {
    static let now = Date(timeIntervalSince1970: 1_795_960_800)  // Monday 2026-11-30 09:00 in New York

    /// A door on a fresh memory store, with two members of staff and one message waiting.
    struct Door {
        let application: any ApplicationProtocol
        let store: MemoryStore
        let alice: String
        let bob: String
    }

    static func door() async throws -> Door {
        let zone = try #require(TimeZone(identifier: "America/New_York"))
        var configuration = Configuration.builtIn(timeZone: zone)
        configuration.business.name = "Acme Plumbing"
        let store = MemoryStore()
        let logger = Logger(label: "afterhours-test")
        let desks = Wiring.desks(configuration, store: store, insideService: true)
        let push = PushIngest(
            configuration: configuration,
            ingester: Ingester(configuration: PushIngest.settings(configuration), store: store, logger: logger), keys: desks.pushKeys,
            logger: logger)
        let face = HTTPFace(
            configuration: configuration, desks: desks, now: { Self.now }, push: push, metrics: ServiceMetrics(), health: ServiceHealth())
        let listen = try #require(Configuration.HTTPSettings.Listen("127.0.0.1:0"))
        let application = try face.buildApplication(listen: listen, logger: logger)
        let alice = try await desks.people.add("alice", role: .staff, at: now).token
        let bob = try await desks.people.add("bob", role: .staff, at: now).token
        let voicemail = Voicemail(
            identity: "default/1001/INBOX/msg0000", receivedAt: now.addingTimeInterval(-36_000), mailbox: "1001", context: "default",
            folder: "INBOX", urgent: false,
            caller: Caller(name: "Jane O'Brien", number: PhoneNumber(e164: "+12125550100"), rawNumber: "2125550100"), pbxMessageID: nil,
            audio: AudioSummary(
                format: "wav-pcm16", sampleRate: 8000, channels: 1, frames: 40_000, durationSeconds: 5, peak: 0.5, rms: 0.1,
                speechSeconds: 4, silent: false),
            audioError: nil)
        _ = try store.record(
            [Recording(voicemail: voicemail, deadline: now.addingTimeInterval(3600), queue: true, audioPath: { _ in nil })], at: now,
            actor: "ingest", rules: EscalationRules())
        return Door(application: application, store: store, alice: alice, bob: bob)
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: buffer).utf8)) as? [String: Any])
    }

    @Test("liveness answers without a token; the API refuses a request without one")
    func healthAndAuthentication() async throws {
        let door = try await Self.door()
        try await door.application.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/api/v1/callbacks", method: .get) { response in #expect(response.status == .unauthorized) }
        }
    }

    @Test("next claims the waiting callback for its caller; a colleague's done is refused with whose claim it is; the claimer's closes it")
    func claimAndOutcome() async throws {
        let door = try await Self.door()
        try await door.application.test(.router) { client in
            let id = try await client.execute(uri: "/api/v1/callbacks/next", method: .post, headers: Self.bearer(door.alice)) { response in
                #expect(response.status == .ok)
                let claimed = try Self.json(response.body)
                #expect(claimed["claimed_by"] as? String == "alice")
                #expect((claimed["caller"] as? [String: Any])?["name"] as? String == "Jane O'Brien")
                return try #require(claimed["id"] as? Int)
            }
            // Nothing else waits: bob gets no callback.
            try await client.execute(uri: "/api/v1/callbacks/next", method: .post, headers: Self.bearer(door.bob)) { response in
                #expect(response.status == .noContent)
            }
            try await client.execute(
                uri: "/api/v1/callbacks/\(id)/done", method: .post, headers: Self.bearer(door.bob), body: ByteBuffer(string: "{}")
            ) { response in
                #expect(response.status == .conflict)
                let error = try #require(try Self.json(response.body)["error"] as? [String: Any])
                #expect((error["message"] as? String)?.contains("claimed by alice") == true, "\(error)")
            }
            try await client.execute(
                uri: "/api/v1/callbacks/\(id)/done", method: .post, headers: Self.bearer(door.alice),
                body: ByteBuffer(string: #"{"note": "reached her"}"#)
            ) { response in
                #expect(response.status == .ok)
                let closed = try Self.json(response.body)
                #expect(closed["status"] as? String == "done")
            }
        }
        // What the door did is in the store, written by the domain's transitions.
        let detail = try await door.store.detail(id: 1, for: Acting("olive", role: .owner))
        #expect(detail.history.map(\.kind) == [.ingested, .claimed, .done])
        #expect(detail.history.last?.note == "reached her")
    }

    @Test("an empty escalation reason is refused as input (422), the same refusal the command line gives")
    func emptyReason() async throws {
        let door = try await Self.door()
        try await door.application.test(.router) { client in
            try await client.execute(
                uri: "/api/v1/callbacks/1/escalate", method: .post, headers: Self.bearer(door.alice),
                body: ByteBuffer(string: #"{"reason": "  "}"#)
            ) { response in
                #expect(response.status == .unprocessableContent)
                let error = try #require(try Self.json(response.body)["error"] as? [String: Any])
                #expect(error["message"] as? String == "say why the owner should take callback #1: the reason is empty")
            }
        }
    }
}
