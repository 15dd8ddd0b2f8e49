import Foundation
import Synchronization
import TestSupport
import Testing

/// What goes wrong in production, on a real PostgreSQL and real `callbacks serve`
/// processes: a node killed mid-work, and the database going away under load.
@Suite("Nodes and the database failing (PostgreSQL)")
struct NodeFailureTests {
    /// 100 callers, two messages each: callers 0–19 on the owner's line (mailbox 200),
    /// callers 20–34 VIPs, the rest ordinary. One escalation each for the first 35
    /// callers, one reason each (two messages stay under `repeat_calls: 3`).
    static let callers = 100
    static let ownerLine = 0..<20
    static let vips = 20..<35

    static func number(_ caller: Int) -> String { "212555\(String(format: "%04d", 1000 + caller))" }

    @Test(
        "a node SIGKILLed mid-ingest and mid-delivery, restarted on the same spool and database: every message stored once, no callback doubled, every escalation's notification accepted once by its Idempotency-Key",
        // A guard against a hang, not a speed bar: the test's own waits bound it (ten
        // rounds of at most 5 + 15 s, then 60 s to drain), and on a loaded 2-core CI
        // machine the rounds alone have taken 160 s.
        .timeLimit(.minutes(6)))
    func killedMidIngestAndMidDelivery() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ConcurrentNextTests.binary.path), "build the binary first (make test does)")
        let database = PostgresCluster.shared
        let url = try await database.createDatabase()
        // A slow receiver: each request is held 400 ms, so deliveries are in flight when
        // the node is killed.
        let receiver = try TestReceiver(failures: 0, delay: .milliseconds(400))
        defer { receiver.stop() }
        let vipList = Self.vips.map { "\"+1\(Self.number($0))\"" }.joined(separator: ", ")
        let node = try Harness(
            config: Harness.acme.replacingOccurrences(of: "  database: afterhours.sqlite", with: "  database: \"\(url)\"") + """

                owner:
                  mailboxes: ["200"]
                  notify:
                    - webhook: http://127.0.0.1:\(receiver.port)/afterhours
                escalation:
                  vip: [\(vipList)]
                http:
                  public_url: https://calls.example.com/
                """)
        var index = 0
        for caller in 0..<Self.callers {
            for message in 0..<2 {
                let mailbox = Self.ownerLine.contains(caller) ? "200" : "100\(1 + (caller + message) % 4)"
                try node.drop(
                    index: index, folder: "default/\(mailbox)/INBOX",
                    callerid: "\"Caller \(caller)\" <\(Self.number(caller))>", origtime: 1_795_280_400 + caller * 60 + message)
                index += 1
            }
        }
        let messages = index
        let log = node.root.appendingPathComponent("serve.log")
        _ = await node.run(["stats"])  // the schema, so the outbox can be read from the start

        // The business clock moves on across restarts as the test's own time does.
        let started = ContinuousClock.now
        func clock(plus extra: Int = 0) -> [String: String] {
            let elapsed = Int((ContinuousClock.now - started).components.seconds)
            return ["CALLBACKS_NOW": Harness.isoNewYork(Harness.serveStartDate.addingTimeInterval(Double(elapsed + extra)))]
        }

        // Killed while ingest is under way (something archived, the spool not yet empty)
        // or while the receiver holds a delivery, whichever comes first, again and again
        // until the spool is empty and no notification is due.
        var ingestKills = 0
        var deliveryKills = 0
        var random = SystemRandomNumberGenerator()
        for _ in 0..<10 {
            let spoolLeft = !node.files(under: node.spool).isEmpty
            let now = Harness.serveStartDate.addingTimeInterval(Double((ContinuousClock.now - started).components.seconds))
            // (A notification a killed node took is leased for two minutes: not due yet.)
            let due = try PostgresCluster.count(
                url, "SELECT COUNT(*) FROM notification WHERE delivered_at IS NULL AND next_attempt_at <= \(Int(now.timeIntervalSince1970))")
            guard spoolLeft || (due > 0 && deliveryKills < 2) else { break }
            // (The receiver may still hold the last round's request: let it answer first.)
            _ = await poll(seconds: 5) { receiver.inFlight == 0 }
            let archivedBefore = node.files(under: node.archive).count
            let requestsBefore = receiver.requests.count
            let serve = try ServeProcess(node, environment: clock(), log: log)
            defer { serve.stop(SIGKILL) }
            func delivering() -> Bool { receiver.inFlight > 0 && receiver.requests.count > requestsBefore }
            let moment = await poll(seconds: 15) {
                delivering() || (spoolLeft && node.files(under: node.archive).count > archivedBefore && !node.files(under: node.spool).isEmpty)
            }
            if moment { usleep(UInt32.random(in: 0...20_000, using: &random)) }
            let midIngest = !node.files(under: node.spool).isEmpty && node.files(under: node.archive).count > archivedBefore
            let midDelivery = delivering()
            serve.stop(SIGKILL)
            if midIngest { ingestKills += 1 }
            if midDelivery { deliveryKills += 1 }
        }
        #expect(ingestKills >= 1, "killed mid-ingest at least once")
        #expect(deliveryKills >= 1, "killed with a delivery in flight at least once")

        // A delivery cut off by a kill is leased for two minutes: the node that comes back
        // (or any other) sends it again once the lease is over. Time passes that long here.
        receiver.answer(after: .zero)
        let serve = try ServeProcess(node, environment: clock(plus: 150), log: log)
        defer { serve.stop() }
        let drained = await waitUntil(seconds: 60) {
            node.files(under: node.spool).isEmpty
                && (try? PostgresCluster.count(url, "SELECT COUNT(*) FROM notification WHERE delivered_at IS NULL")) == 0
                && (try? PostgresCluster.count(url, "SELECT COUNT(*) FROM notification")) == Self.ownerLine.count + Self.vips.count
        }
        #expect(drained, "the spool emptied and the outbox drained after the restart; log: \(node.tail(log))")
        try await Task.sleep(for: .seconds(2))  // a delivery sent twice would arrive by now
        serve.stop()

        // The spool: empty, nothing quarantined.
        #expect(node.files(under: node.spool).isEmpty, "left in the spool: \(node.files(under: node.spool))")
        #expect(node.files(under: node.quarantine).isEmpty, "quarantined: \(node.quarantineReasons())")
        #expect(node.files(under: node.archive).count == messages * 2, "every message's audio and .txt archived once")
        // Every message stored exactly once, and its ingest recorded once.
        #expect(try PostgresCluster.count(url, "SELECT COUNT(*) FROM voicemail") == messages)
        #expect(try PostgresCluster.count(url, "SELECT COUNT(DISTINCT identity) FROM voicemail") == messages)
        #expect(try PostgresCluster.count(url, "SELECT COUNT(DISTINCT pbx_message_id) FROM voicemail") == messages)
        #expect(try PostgresCluster.count(url, "SELECT COUNT(*) FROM callback_event WHERE kind = 'ingested'") == messages)
        // No callback doubled: one per caller and line, each with both its messages.
        #expect(try PostgresCluster.count(url, "SELECT COUNT(*) FROM callback") == Self.callers)
        #expect(
            try PostgresCluster.count(
                url, "SELECT COUNT(*) FROM (SELECT callback_id FROM voicemail GROUP BY callback_id HAVING COUNT(*) <> 2) uneven") == 0)
        // One escalation, with one reason, per escalating callback.
        let escalations = try PostgresCluster.query(url, "SELECT id, reason FROM escalation ORDER BY id")
        #expect(escalations.count == Self.ownerLine.count + Self.vips.count)
        #expect(escalations.filter { $0.last == "owner_line" }.count == Self.ownerLine.count)
        #expect(escalations.filter { $0.last == "vip" }.count == Self.vips.count)
        #expect(try PostgresCluster.count(url, "SELECT COUNT(*) FROM escalation_reason") == escalations.count)

        // Each escalation's notification accepted by the receiver, once by its key: a
        // retry after a kill carries the same key (and the receiver would drop it), never
        // a new one.
        let requests = receiver.requests
        let accepted = requests.filter { $0.status == 204 }
        let keys = Set(accepted.compactMap(\.key))
        #expect(requests.allSatisfy { $0.key != nil }, "every request carries an Idempotency-Key")
        var keysByEscalation: [String: Set<String>] = [:]
        for key in keys {
            // afterhours-escalation-<id>-<channel hash>-<subject>
            let parts = key.split(separator: "-")
            if parts.count >= 4 { keysByEscalation[String(parts[2]), default: []].insert(key) }
        }
        #expect(Set(keysByEscalation.keys) == Set(escalations.compactMap(\.first)), "every escalation's notification accepted")
        #expect(keysByEscalation.values.allSatisfy { $0.count == 1 }, "one key per escalation and channel: \(keysByEscalation)")
        let resent = accepted.count - keys.count
        #expect(resent <= ingestKills + deliveryKills, "sent again only after a kill cut a delivery off (\(resent) repeats)")
        for request in accepted {
            let json = try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any]
            let reason = json?["reason"] as? String
            #expect(reason == "owner_line" || reason == "vip", "\(request.body)")
        }
    }

    @Test(
        "PostgreSQL restarted while two nodes ingest and staff claim: the nodes reconnect and carry on, no message lost or quarantined, no callback claimed twice",
        // A guard against a hang: the waits below add up to about four minutes at most.
        .timeLimit(.minutes(5)))
    func databaseRestartedUnderLoad() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ConcurrentNextTests.binary.path), "build the binary first (make test does)")
        // A cluster of this test's own: the others' database does not go away.
        let cluster = PostgresCluster()
        do {
            try await restartUnderLoad(cluster)
        } catch {
            await cluster.destroy()
            throw error
        }
        await cluster.destroy()
    }

    func restartUnderLoad(_ cluster: PostgresCluster) async throws {
        let url = try await cluster.createDatabase()
        let config = Harness.acme.replacingOccurrences(of: "  database: afterhours.sqlite", with: "  database: \"\(url)\"")
        let nodes = try (0..<2).map { _ in try Harness(config: config) }
        let logs = nodes.map { $0.root.appendingPathComponent("serve.log") }
        let serves = try zip(nodes, logs).map { try ServeProcess($0, log: $1) }
        defer { serves.forEach { $0.stop() } }

        // The PBXs keep leaving messages, one every 25 ms at each site, before, during and
        // after the outage, until told to stop; the same callers ring both sites.
        let fed = Shared(0)
        let stopFeeding = Shared(false)
        defer { stopFeeding.value = true }
        let feeding = DispatchGroup()
        DispatchQueue.global().async(group: feeding) {
            var index = 0
            while !stopFeeding.value {
                for (site, node) in nodes.enumerated() {
                    try? node.drop(
                        index: index, folder: "default/1001/INBOX",
                        callerid: "<\(Self.number(index))>", origtime: 1_795_280_400 + index, site: site)
                }
                index += 1
                fed.value = index
                usleep(25_000)
            }
        }

        // Four staff take callbacks from the start, a process per `next`, each on one
        // node's configuration; a `next` that fails (the database is down) is tried again.
        let claims = ClaimLog()
        let stopStaff = Shared(false)
        defer { stopStaff.value = true }
        let staffGroup = DispatchGroup()
        for person in 0..<4 {
            let node = nodes[person % 2]
            DispatchQueue.global().async(group: staffGroup) {
                while !stopStaff.value {
                    let (status, output) = Self.next(as: "staff\(person)", node)
                    if status != 0 {
                        claims.failed()
                        usleep(100_000)
                    } else if let object = try? JSONSerialization.jsonObject(with: Data(output.utf8), options: [.fragmentsAllowed]) as? [String: Any],
                        let id = object["id"] as? Int
                    {
                        claims.claimed(id, by: "staff\(person)")
                    } else {
                        usleep(100_000)  // nothing now; more is coming
                    }
                }
            }
        }

        // The outage, once both nodes are storing: the server is stopped (sessions ended,
        // transactions in flight rolled back), stays down 3 s while messages keep coming,
        // and comes back on the same port. Messages keep coming 3 s more.
        let storing = await waitUntil(seconds: 60) {
            (try? PostgresCluster.count(url, "SELECT COUNT(*) FROM voicemail")) ?? 0 > 20
        }
        #expect(storing, "the nodes were storing before the outage")
        let storedBefore = try PostgresCluster.count(url, "SELECT COUNT(*) FROM voicemail")
        let fedBefore = fed.value
        try await cluster.restart(downFor: .seconds(3))
        let fedDuring = fed.value - fedBefore
        try await Task.sleep(for: .seconds(3))
        stopFeeding.value = true
        await withCheckedContinuation { continuation in feeding.notify(queue: .global()) { continuation.resume() } }
        let messages = fed.value
        #expect(storedBefore > 0 && storedBefore < messages * 2, "the restart came in the middle of the work (\(storedBefore) of \(messages * 2) stored)")
        #expect(fedDuring > 0, "messages arrived while the database was down")

        let ingested = await waitUntil(seconds: 60) { nodes.allSatisfy { $0.files(under: $0.spool).isEmpty } }
        #expect(ingested, "both spools emptied after the restart; logs: \(logs.map { nodes[0].tail($0) })")
        let claimedAll = await waitUntil(seconds: 60) {
            (try? PostgresCluster.count(url, "SELECT COUNT(*) FROM callback WHERE status = 'open'")) == 0
        }
        stopStaff.value = true
        await withCheckedContinuation { continuation in staffGroup.notify(queue: .global()) { continuation.resume() } }
        #expect(claimedAll, "every callback claimed")
        for serve in serves { #expect(serve.process.isRunning, "the node kept running through the outage") }
        serves.forEach { $0.stop() }

        // Every message stored once: nothing lost, nothing quarantined, nothing doubled.
        for node in nodes {
            #expect(node.files(under: node.quarantine).isEmpty, "quarantined: \(node.quarantineReasons())")
            #expect(node.files(under: node.archive).count == messages * 2, "each message's audio and .txt archived")
        }
        #expect(try PostgresCluster.count(url, "SELECT COUNT(*) FROM voicemail") == messages * 2, "every message stored")
        #expect(try PostgresCluster.count(url, "SELECT COUNT(DISTINCT identity) FROM voicemail") == messages * 2)
        #expect(try PostgresCluster.count(url, "SELECT COUNT(*) FROM callback_event WHERE kind = 'ingested'") == messages * 2)
        // One callback per caller across the two sites.
        #expect(try PostgresCluster.count(url, "SELECT COUNT(*) FROM callback") == messages)
        // No callback claimed twice, none skipped; each claim a staff process saw is the one
        // the database kept. (A `next` cut off by the outage may have claimed without
        // hearing so: its callback is claimed once all the same, by that person.)
        #expect(try PostgresCluster.count(url, "SELECT COUNT(*) FROM callback WHERE status <> 'claimed'") == 0)
        #expect(
            try PostgresCluster.count(
                url,
                "SELECT COUNT(*) FROM (SELECT callback_id FROM callback_event WHERE kind = 'claimed' GROUP BY callback_id HAVING COUNT(*) > 1) twice"
            ) == 0, "no callback claimed twice")
        let seen = claims.all
        #expect(Set(seen.map(\.id)).count == seen.count, "no callback handed out twice")
        let holders = Dictionary(
            uniqueKeysWithValues: try PostgresCluster.query(url, "SELECT id, claimed_by FROM callback").compactMap { row in
                Int(row[0]).map { ($0, row[1]) }
            })
        for claim in seen { #expect(holders[claim.id] == claim.staff, "callback #\(claim.id) is \(claim.staff)'s") }
        #expect(seen.count >= messages - 5, "\(seen.count) of \(messages) claims heard back (\(claims.failures) failed `next` runs)")
    }

    /// `callbacks next --as NAME --json` as a staff member's own process: its exit status
    /// and output.
    static func next(as staff: String, _ harness: Harness) -> (Int32, String) {
        let process = Process()
        process.executableURL = ConcurrentNextTests.binary
        process.arguments = ["next", "--as", staff, "--json"]
        process.environment = [
            "CALLBACKS_CONFIG": harness.root.appendingPathComponent("callbacks.yaml").path, "CALLBACKS_NOW": "2026-11-23T08:05:00-05:00",
            "PATH": "/usr/bin:/bin",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// A value shared between threads.
final class Shared<Value: Sendable>: Sendable {
    private let state: Mutex<Value>
    init(_ value: Value) { state = Mutex(value) }
    var value: Value {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}

/// Claims heard back by the staff processes, from several threads.
final class ClaimLog: Sendable {
    struct Claim { let id: Int; let staff: String }
    private let state = Mutex<(claims: [Claim], failures: Int)>(([], 0))
    func claimed(_ id: Int, by staff: String) { state.withLock { $0.claims.append(Claim(id: id, staff: staff)) } }
    func failed() { state.withLock { $0.failures += 1 } }
    var all: [Claim] { state.withLock { $0.claims } }
    var failures: Int { state.withLock { $0.failures } }
}

extension Harness {
    /// Leaves message `index` in the spool as a PBX would, each file whole (written beside
    /// the spool, then renamed in): audio first, unique to the message, then its `.txt`.
    func drop(index: Int, folder: String, callerid: String, origtime: Int, site: Int = 0) throws {
        let staging = root.appendingPathComponent("staging")
        let target = spool.appendingPathComponent(folder)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let slot = String(format: "msg%04d", index)
        var audio = try Data(contentsOf: Self.audio.appendingPathComponent("speech.wav"))
        audio.append(Data("\(site)-\(index)".utf8))
        let files = [
            ("wav", audio),
            ("txt", Data(Self.txt(callerid: callerid, origtime: origtime, msgID: "\(origtime)-\(site)-\(index)").utf8)),
        ]
        for (ext, data) in files {
            let staged = staging.appendingPathComponent("\(slot).\(ext)")
            try data.write(to: staged)
            guard rename(staged.path, target.appendingPathComponent("\(slot).\(ext)").path) == 0 else {
                throw CocoaError(.fileWriteUnknown)
            }
        }
    }

    /// Each quarantined message's `.reason`, for a failure's message.
    func quarantineReasons() -> [String] {
        files(under: quarantine).filter { $0.hasSuffix(".reason") }.map {
            (try? String(contentsOf: quarantine.appendingPathComponent($0), encoding: .utf8)) ?? $0
        }
    }

    /// The end of a log, for a failure's message.
    func tail(_ log: URL) -> String {
        String(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(3000))
    }

    static let serveStartDate = Date(timeIntervalSince1970: 1_795_438_800)  // 2026-11-23T08:00:00-05:00

    /// `date` as CALLBACKS_NOW takes it, in New York's winter offset.
    static func isoNewYork(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: -5 * 3600) ?? .gmt
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d-05:00", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0, parts.second ?? 0)
    }
}

/// Polls `condition` every 5 ms (for catching a moment, such as a delivery in flight).
func poll(seconds: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}
