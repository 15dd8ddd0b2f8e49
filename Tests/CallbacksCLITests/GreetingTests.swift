import Afterhours
import Foundation
import Testing

@Suite("The greeting states the real callback time")
struct GreetingTests {
    static let acme: Configuration = {
        let url = Harness.fixtures.appendingPathComponent("demo.yaml")
        return (try? Configuration.parse(yaml: String(contentsOf: url, encoding: .utf8), file: url.path)) ?? .builtIn()
    }()

    @Test(
        "spoken times",
        arguments: [
            // A normal evening.
            ("2026-11-24T18:30:00-05:00", "open again at eight o'clock tomorrow morning", "call you back by ten o'clock tomorrow morning", "by eight thirty tomorrow morning"),
            // Friday night: Friday closes at 16:00, the weekend is closed.
            ("2026-11-27T20:00:00-05:00", "open again on Monday at eight", "call you back by Monday at ten", "by Monday at eight thirty"),
            // The eve of Thanksgiving (a holiday in the demo schedule).
            ("2026-11-25T18:00:00-05:00", "open again on Friday at eight", "call you back by Friday at ten", "by Friday at eight thirty"),
            // The lunch break.
            ("2026-11-23T12:15:00-05:00", "open again at one o'clock this afternoon", "call you back by three o'clock this afternoon", "by one thirty this afternoon"),
            // Daylight saving ends on Sunday 2026-11-01: Monday's opening is still eight.
            ("2026-10-30T17:00:00-04:00", "open again on Monday at eight", "call you back by Monday at ten", "by Monday at eight thirty"),
            // Busy during opening hours: 10:07 + 2h across lunch is 13:07, promised by 13:15.
            ("2026-11-23T10:07:00-05:00", "Everyone is on another call", "call you back by one fifteen this afternoon", "by ten forty-five this morning"),
        ])
    func phrasing(_ at: String, opens: String, callback: String, urgent: String) throws {
        let now = try #require(ISO8601.parse(at))
        let greeting = try Greeting.at(now, configuration: Self.acme)
        #expect(greeting.spoken.contains(opens), "\(greeting.spoken)")
        #expect(greeting.spoken.contains(callback), "\(greeting.spoken)")
        #expect(greeting.spoken.contains("press 1 and we will call you back \(urgent)"), "\(greeting.spoken)")
        #expect(greeting.spoken.hasPrefix("Thank you for calling Acme Plumbing."))
    }

    @Test("the acknowledgement text")
    func acknowledgement() throws {
        let greeting = try Greeting.at(try #require(ISO8601.parse("2026-11-24T18:30:00-05:00")), configuration: Self.acme)
        #expect(greeting.acknowledgement == "Thanks for your message to Acme Plumbing. We will call you back by ten o'clock tomorrow morning.")
    }

    @Test("numbers and dates in words", arguments: [(1, "first"), (2, "second"), (12, "twelfth"), (20, "twentieth"), (21, "twenty-first"), (23, "twenty-third"), (28, "twenty-eighth"), (30, "thirtieth"), (31, "thirty-first")])
    func ordinals(_ number: Int, words: String) {
        #expect(SpokenTime.ordinalWords(number) == words)
    }

    @Test("far ahead: the date in full")
    func farAhead() throws {
        let spoken = SpokenTime(timeZone: TimeZone(identifier: "America/New_York") ?? .current)
        let text = spoken.spoken(try #require(ISO8601.parse("2026-12-28T09:05:00-05:00")), now: try #require(ISO8601.parse("2026-12-18T17:00:00-05:00")))
        #expect(text == "Monday, December twenty-eighth, at nine oh five")
    }
}
