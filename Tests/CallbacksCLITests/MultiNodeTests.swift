import Foundation
import Synchronization
import TestSupport
import Testing

@Suite("Many machines, one queue (PostgreSQL)")
struct MultiNodeTests {
    @Test("three serve nodes with their own spools and 24 staff processes on one database: each message stored once, no callback handed out twice, none skipped")
    func threeNodes() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ConcurrentNextTests.binary.path), "build the binary first (make test does)")
        let url = try await PostgresCluster.shared.createDatabase()
        let config = Harness.acme.replacingOccurrences(of: "  database: afterhours.sqlite", with: "  database: \"\(url)\"")
        let nodes = try (0..<3).map { _ in try Harness(config: config) }
        // Twenty callers each left a message at every site: 60 messages, 20 callers.
        let callers = 20
        for (site, node) in nodes.enumerated() {
            for caller in 0..<callers {
                let slot = String(format: "msg%04d", caller)
                try node.put("default/1001/INBOX/\(slot).wav", copying: "speech.wav")
                try node.put(
                    "default/1001/INBOX/\(slot).txt",
                    text: Harness.txt(callerid: "\"Caller \(caller)\" <212555\(String(format: "%04d", 1000 + caller))>", origtime: 1_795_208_400 + site * 60 + caller))
            }
        }
        let serves = try nodes.map { try ServeProcess($0) }
        defer { serves.forEach { $0.stop() } }
        let ingested = await waitUntil(seconds: 120) { nodes.allSatisfy { $0.files(under: $0.spool).isEmpty } }
        #expect(ingested, "every spool emptied")

        // 24 staff at once, each in processes of their own, taking callbacks until none is
        // left (on GCD's threads: blocking on a child process must not hold Swift's pool).
        let taken = LockedList()
        let group = DispatchGroup()
        for person in 0..<24 {
            let node = nodes[person % 3]
            DispatchQueue.global().async(group: group) {
                while let output = try? Self.run(ConcurrentNextTests.binary, ["next", "--as", "staff\(person)", "--json"], node),
                    let id = (try? JSONSerialization.jsonObject(with: Data(output.utf8), options: [.fragmentsAllowed]) as? [String: Any])?["id"] as? Int
                {
                    taken.append(id)
                }
            }
        }
        await withCheckedContinuation { continuation in group.notify(queue: .global()) { continuation.resume() } }
        let claims = taken.values
        #expect(claims.count == callers, "\(claims.count) claims")
        #expect(Set(claims).count == claims.count, "a callback was handed out twice")
        let all = try #require(try JSONSerialization.jsonObject(with: Data(Self.run(ConcurrentNextTests.binary, ["list", "--all", "--json"], nodes[0]).utf8)) as? [[String: Any]])
        #expect(all.count == callers, "one callback per caller across the nodes")
        #expect(all.map { ($0["messages"] as? [Any])?.count ?? 0 }.reduce(0, +) == callers * 3, "every message stored, once")
        #expect(Set(all.compactMap { $0["id"] as? Int }) == Set(claims), "none skipped")
    }

    /// Runs the binary as a staff member's own process, at the staff commands' instant.
    static func run(_ binary: URL, _ arguments: [String], _ harness: Harness) throws -> String {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = [
            "CALLBACKS_CONFIG": harness.root.appendingPathComponent("callbacks.yaml").path, "CALLBACKS_NOW": "2026-11-23T08:05:00-05:00",
            "PATH": "/usr/bin:/bin",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Ids collected from several threads.
final class LockedList: Sendable {
    private let list = Mutex<[Int]>([])
    func append(_ id: Int) { list.withLock { $0.append(id) } }
    var values: [Int] { list.withLock { $0 } }
}
