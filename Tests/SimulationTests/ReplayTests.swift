import BusinessTime
import Domain
import Foundation
import Simulation
import Testing
import UseCases

/// `callbacks simulate`'s replay on small files whose answers are worked by hand.
@Suite("Replaying arrivals")
struct ReplayTests {
    static let newYork = TimeZone(identifier: "America/New_York")!

    static func replay(handling: Int = 1800, people: Int = 1) throws -> Replay {
        let nineToFive = try OpeningInterval(parsing: "09:00-17:00")
        var weekly: [Weekday: [OpeningInterval]] = [:]
        var staffed: [Weekday: [StaffedInterval]] = [:]
        for day in Weekday.allCases where day.rawValue <= 5 {
            weekly[day] = [nineToFive]
            staffed[day] = [try StaffedInterval(nineToFive, people: people)]
        }
        let hours = try BusinessHours(timeZone: newYork, weekly: weekly)
        return Replay(
            hours: hours, staffing: try Staffing(weekly: staffed, hours: hours), handlingPrior: handling,
            callbacks: CallbackPolicy(respondWithin: 7200), escalation: EscalationRules(), intake: IntakeRules(), defaultRegion: "US")
    }

    /// Ten callers on Saturday morning, ten minutes apart, each call taking 30 minutes.
    static let weekend = (["received_at,caller_number,urgent,handling_minutes"]
        + (0..<10).map { "2026-11-21T\(String(format: "%02d", 10 + $0 / 6)):\(String(format: "%02d", $0 % 6 * 10)):00-05:00,+1212555\(1000 + $0),false,30" })
        .joined(separator: "\n")

    @Test("ten weekend callers, one person, 30-minute calls: everyone told 11:00 keeps five; told by capacity, all ten are kept")
    func weekendByHand() async throws {
        let arrivals = try ArrivalsFile.parse(Self.weekend, file: "weekend.csv")
        #expect(arrivals.count == 10)
        let replay = try Self.replay()
        // Monday from 09:00 the k-th call starts at 09:00 + 30k: calls 0–4 by 11:00, then
        // 11:30 … 13:30, late by 30 … 150 minutes.
        let fixed = try await replay.run(arrivals, policy: .fixed)
        #expect(fixed.promises == 10)
        #expect(fixed.kept == 5)
        #expect(fixed.atSLA == 10)
        #expect(fixed.medianSlackMinutes == nil)
        #expect(fixed.p95LateMinutes == 150)
        // Promised by the forecast (the prior: 30 ± 15 minutes a call): 11:00 for the first
        // three, then 11:15, 12:00, 12:30, 13:15, 13:45, 14:15, 14:45; each kept, with
        // 45, 60, 60, 75, 75, 75, 75 minutes to spare.
        let capacity = try await replay.run(arrivals, policy: .capacity)
        #expect(capacity.promises == 10)
        #expect(capacity.kept == 10)
        #expect(capacity.atSLA == 3)
        #expect(capacity.medianSlackMinutes == 75)
        #expect(capacity.p95LateMinutes == nil)
        #expect(capacity.neverReached == 0)
    }

    @Test("the same file gives the same answer every time")
    func deterministic() async throws {
        let arrivals = try ArrivalsFile.parse(Self.weekend, file: "weekend.csv")
        let replay = try Self.replay(handling: 360, people: 2)
        let first = try await replay.run(arrivals, policy: .capacity)
        let again = try await replay.run(arrivals, policy: .capacity)
        #expect(first == again)
    }

    @Test("nobody answering the first try: the retry is a second call, the promise judged on the first")
    func noAnswer() async throws {
        let text = """
            received_at,caller_number,urgent,handling_minutes,answered
            2026-11-21T10:00:00-05:00,+12125551000,false,10,false
            2026-11-21T10:05:00-05:00,,false,10,
            """
        let arrivals = try ArrivalsFile.parse(text, file: "two.csv")
        #expect(arrivals[0].answered == false && arrivals[1].caller == nil)
        let result = try await Self.replay().run(arrivals, policy: .fixed)
        // Both promised 11:00 on Monday; the first call (09:00) finds nobody, the withheld
        // caller's message is heard at 09:10, and the retry comes an hour after the first.
        #expect(result.promises == 2)
        #expect(result.kept == 2)
    }

    @Test("a row that cannot be read names the file, the line, the column and what is wrong")
    func badRows() throws {
        let header = "received_at,caller_number,urgent,handling_minutes\n"
        let cases: [(String, String)] = [
            ("2026-11-21T10:00:00,+12125551000,false,5", "rows.csv:2: received_at: \"2026-11-21T10:00:00\" is not an ISO 8601 time with an offset"),
            ("2026-11-21T10:00:00-05:00,2125551000,false,5", "rows.csv:2: caller_number: \"2125551000\" is not an E.164 number"),
            ("2026-11-21T10:00:00-05:00,+12125551000,maybe,5", "rows.csv:2: urgent: \"maybe\" is not true or false"),
            ("2026-11-21T10:00:00-05:00,+12125551000,false,-3", "rows.csv:2: handling_minutes: -3 is negative"),
            ("2026-11-21T10:00:00-05:00,+12125551000,false,", "rows.csv:2: handling_minutes: is missing"),
        ]
        for (row, message) in cases {
            #expect {
                _ = try ArrivalsFile.parse(header + row, file: "rows.csv")
            } throws: { error in
                "\(error)".hasPrefix(message)
            }
        }
        #expect(throws: ArrivalsError.self) { _ = try ArrivalsFile.parse("received_at,urgent\n", file: "rows.csv") }
        #expect {
            _ = try ArrivalsFile.parse(header + "2026-11-21T10:00:00-05:00,+12125551000,false,5\nnonsense,,false,5", file: "rows.csv")
        } throws: { error in
            "\(error)".hasPrefix("rows.csv:3: received_at")
        }
    }
}
