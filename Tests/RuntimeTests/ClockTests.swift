import Foundation
import Runtime
import TestSupport
import Testing

@Suite("The clock")
struct ClockTests {
    static let sources = Repository.sources

    /// Every way Swift and C give the machine's date. `MachineClock` in Clock.swift is the
    /// one place allowed to use them; the benchmark times itself.
    static var readsTheMachineClock: Regex<Substring> { #/Date\(\)|Date\.now|timeIntervalSinceNow|\btime\(nil\)|gettimeofday|CLOCK_REALTIME|Calendar\.current|\.autoupdatingCurrent/# }

    @Test("no source file but Clock.swift reads the machine's clock")
    func oneClock() throws {
        let enumerator = try #require(FileManager.default.enumerator(atPath: Self.sources.path))
        var offenders: [String] = []
        var scanned = 0
        while let path = enumerator.nextObject() as? String {
            guard path.hasSuffix(".swift"), !path.hasSuffix("/Clock.swift"), !path.hasPrefix("callbacks-bench/") else { continue }
            scanned += 1
            let text = try String(contentsOf: Self.sources.appendingPathComponent(path), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains(Self.readsTheMachineClock) && !line.trimmingCharacters(in: .whitespaces).hasPrefix("///") {
                offenders.append("Sources/\(path):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(scanned > 40, "found the sources")
        #expect(offenders.isEmpty, "read the clock through CommandClock or MachineClock:\n\(offenders.joined(separator: "\n"))")
    }

    @Test("CALLBACKS_NOW is a fixed instant for a command and a running clock for the service")
    func runningClock() async throws {
        let environment = ["CALLBACKS_NOW": "2026-11-23T08:00:00-05:00"]
        let start = try #require(ISO8601.parse("2026-11-23T08:00:00-05:00"))
        #expect(try CommandClock.now(environment: environment) == start)
        let clock = try CommandClock.running(environment: environment)
        let first = clock()
        try await Task.sleep(for: .milliseconds(50))
        let second = clock()
        #expect(first >= start && first < start.addingTimeInterval(5), "starts at CALLBACKS_NOW")
        #expect(second > first, "and runs")
    }
}
