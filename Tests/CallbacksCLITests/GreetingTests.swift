import App
import Foundation
import Presentation
import Runtime
import Settings
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
            ("2026-11-27T20:00:00-05:00", "open again on Monday at eight in the morning.", "call you back by Monday at ten in the morning.", "by Monday at eight thirty in the morning."),
            // The eve of Thanksgiving (a holiday in the demo schedule).
            ("2026-11-25T18:00:00-05:00", "open again on Friday at eight in the morning.", "call you back by Friday at ten in the morning.", "by Friday at eight thirty in the morning."),
            // The lunch break.
            ("2026-11-23T12:15:00-05:00", "open again at one o'clock this afternoon", "call you back by three o'clock this afternoon", "by one thirty this afternoon"),
            // Daylight saving ends on Sunday 2026-11-01: Monday's opening is still eight.
            ("2026-10-30T17:00:00-04:00", "open again on Monday at eight in the morning.", "call you back by Monday at ten in the morning.", "by Monday at eight thirty in the morning."),
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
        #expect(text == "Monday, December twenty-eighth, at nine oh five in the morning")
    }
}

@Suite("Spoken times leave no doubt about the part of the day")
struct SpokenTimeTests {
    static let spoken = SpokenTime(timeZone: TimeZone(identifier: "America/New_York") ?? .current)

    // Seen from Thursday 2026-12-24 at 17:30 (an evening), at 09:00 (a morning), and from
    // Friday at 01:00 (the small hours, when "tonight" is the night going on and "tomorrow"
    // is not said), with the preposition the greeting puts before "open again".
    @Test(
        "noon, midnight, evening, night and the small hours, today, tomorrow and later",
        arguments: [
            ("2026-12-24T17:30:00-05:00", "2026-12-24T18:00:00-05:00", "at six o'clock this evening"),
            ("2026-12-24T17:30:00-05:00", "2026-12-24T22:00:00-05:00", "at ten o'clock tonight"),
            ("2026-12-24T17:30:00-05:00", "2026-12-25T00:00:00-05:00", "at midnight tonight"),
            ("2026-12-24T17:30:00-05:00", "2026-12-25T01:30:00-05:00", "at one thirty tonight"),
            ("2026-12-24T17:30:00-05:00", "2026-12-25T06:00:00-05:00", "at six o'clock tomorrow morning"),
            ("2026-12-24T17:30:00-05:00", "2026-12-25T12:00:00-05:00", "at noon tomorrow"),
            ("2026-12-24T17:30:00-05:00", "2026-12-25T14:00:00-05:00", "at two o'clock tomorrow afternoon"),
            ("2026-12-24T17:30:00-05:00", "2026-12-25T18:00:00-05:00", "at six o'clock tomorrow evening"),
            ("2026-12-24T17:30:00-05:00", "2026-12-25T22:00:00-05:00", "at ten o'clock tomorrow night"),
            ("2026-12-24T17:30:00-05:00", "2026-12-26T00:00:00-05:00", "at midnight tomorrow night"),
            ("2026-12-24T17:30:00-05:00", "2026-12-26T01:30:00-05:00", "on Saturday at one thirty in the morning"),
            ("2026-12-24T17:30:00-05:00", "2026-12-26T06:00:00-05:00", "on Saturday at six in the morning"),
            ("2026-12-24T17:30:00-05:00", "2026-12-26T12:00:00-05:00", "on Saturday at noon"),
            ("2026-12-24T17:30:00-05:00", "2026-12-26T18:00:00-05:00", "on Saturday at six in the evening"),
            ("2026-12-24T17:30:00-05:00", "2026-12-26T22:00:00-05:00", "on Saturday at ten at night"),
            ("2026-12-24T17:30:00-05:00", "2026-12-27T00:00:00-05:00", "at midnight on Saturday night"),
            ("2026-12-24T17:30:00-05:00", "2026-12-27T01:30:00-05:00", "on Sunday at one thirty in the morning"),
            ("2026-12-24T17:30:00-05:00", "2026-12-30T22:00:00-05:00", "on Wednesday at ten at night"),
            ("2026-12-24T17:30:00-05:00", "2026-12-31T12:00:00-05:00", "on Thursday, December thirty-first, at noon"),
            ("2026-12-24T17:30:00-05:00", "2026-12-31T18:00:00-05:00", "on Thursday, December thirty-first, at six in the evening"),
            ("2026-12-24T17:30:00-05:00", "2027-01-01T00:00:00-05:00", "at midnight on the night of Thursday, December thirty-first"),
            ("2026-12-24T09:00:00-05:00", "2026-12-24T09:45:00-05:00", "at nine forty-five this morning"),
            ("2026-12-24T09:00:00-05:00", "2026-12-24T12:00:00-05:00", "at noon today"),
            ("2026-12-24T09:00:00-05:00", "2026-12-24T14:30:00-05:00", "at two thirty this afternoon"),
            ("2026-12-24T09:00:00-05:00", "2026-12-24T18:00:00-05:00", "at six o'clock this evening"),
            ("2026-12-24T09:00:00-05:00", "2026-12-24T22:00:00-05:00", "at ten o'clock tonight"),
            ("2026-12-24T09:00:00-05:00", "2026-12-25T00:00:00-05:00", "at midnight tonight"),
            ("2026-12-24T09:00:00-05:00", "2026-12-25T01:30:00-05:00", "at one thirty tonight"),
            ("2026-12-25T01:00:00-05:00", "2026-12-25T01:30:00-05:00", "at one thirty tonight"),
            ("2026-12-25T01:00:00-05:00", "2026-12-25T06:00:00-05:00", "at six o'clock this morning"),
            ("2026-12-25T01:00:00-05:00", "2026-12-25T12:00:00-05:00", "at noon today"),
            ("2026-12-25T01:00:00-05:00", "2026-12-25T18:00:00-05:00", "at six o'clock this evening"),
            ("2026-12-25T01:00:00-05:00", "2026-12-25T22:00:00-05:00", "on Friday at ten at night"),
            ("2026-12-25T01:00:00-05:00", "2026-12-26T00:00:00-05:00", "at midnight on Friday night"),
            ("2026-12-25T01:00:00-05:00", "2026-12-26T06:00:00-05:00", "on Saturday at six in the morning"),
            ("2026-12-25T01:00:00-05:00", "2026-12-26T12:00:00-05:00", "on Saturday at noon"),
        ])
    func phrase(_ now: String, _ at: String, expected: String) throws {
        let now = try #require(ISO8601.parse(now))
        let date = try #require(ISO8601.parse(at))
        #expect(Self.spoken.spokenWithPreposition(date, now: now) == expected)
        let words = Self.spoken.spoken(date, now: now)
        #expect(expected == "at " + words || expected == "on " + words, "\(words)")
    }
}

@Suite("A schedule that runs past midnight")
struct OvernightGreetingTests {
    static let yaml = """
        business:
          name: Acme Plumbing
          timezone: America/New_York
          hours:
            sat: ["22:00-02:00"]
        callbacks:
          respond_within: 2h
          urgent_within: 30m
        storage:
          database: afterhours.sqlite
        """

    // Saturday's hours run from 22:00 to 02:00 on Sunday. Before, the Thursday greeting said
    // "open again on Saturday at ten" (heard as the morning) and "by Sunday at midnight"
    // (meant the midnight that ends Saturday).
    @Test(
        "the greeting names the night, not just the hour",
        arguments: [
            // Thursday evening, closed until Saturday night.
            ("2026-12-24T17:30:00-05:00", "We're closed right now and open again on Saturday at ten at night.",
                "we will call you back by midnight on Saturday night.", "by Saturday at ten thirty at night."),
            // Saturday, open, before midnight: the promise is later the same night.
            ("2026-12-26T23:00:00-05:00", "Everyone is on another call.", "we will call you back by one o'clock tonight.",
                "by eleven thirty tonight."),
            // Sunday at one, still Saturday's hours: an hour tonight, the other next Saturday.
            ("2026-12-27T01:00:00-05:00", "Everyone is on another call.", "we will call you back by Saturday at eleven at night.",
                "by one thirty tonight."),
            // Sunday at three, closed again for the week.
            ("2026-12-27T03:00:00-05:00", "We're closed right now and open again on Saturday at ten at night.",
                "we will call you back by midnight on Saturday night.", "by Saturday at ten thirty at night."),
        ])
    func overnight(_ at: String, opening: String, callback: String, urgent: String) throws {
        let configuration = try Configuration.parse(yaml: Self.yaml, file: "callbacks.yaml")
        let greeting = try Greeting.at(try #require(ISO8601.parse(at)), configuration: configuration)
        #expect(greeting.spoken.contains(opening), "\(greeting.spoken)")
        #expect(greeting.spoken.contains(callback), "\(greeting.spoken)")
        #expect(greeting.spoken.hasSuffix("press 1 and we will call you back \(urgent)"), "\(greeting.spoken)")
    }

    @Test("`callbacks greeting --at` on Thursday evening")
    func command() async throws {
        let harness = try Harness(config: Self.yaml)
        let result = await harness.run(["greeting", "--at", "2026-12-24T17:30:00-05:00"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output == """
            Thank you for calling Acme Plumbing. We're closed right now and open again on Saturday at ten at night. \
            Please leave your name, your number and a short message after the tone, and we will call you back by \
            midnight on Saturday night. If this is an emergency, press 1 and we will call you back by Saturday at ten \
            thirty at night.
            """)
    }
}

@Suite("The greeting kept up to date for the PBX")
struct GreetingWriterTests {
    @Test("rewritten at closing, at opening and when the promise moves; left alone otherwise; never half-written")
    func rewriteMoments() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("greeting-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = GreetingTests.acme
        configuration.greeting.folder = folder.path
        let writer = try #require(GreetingWriter(configuration: configuration))
        let steps: [(String, Bool, String?)] = [
            ("2026-11-23T16:50:00-05:00", true, "Everyone is on another call"),  // open: the busy greeting
            ("2026-11-23T16:55:00-05:00", false, nil),  // the promise is still "ten o'clock tomorrow morning"
            ("2026-11-23T17:00:00-05:00", true, "We're closed right now and open again at eight o'clock tomorrow morning"),
            ("2026-11-23T21:00:00-05:00", false, nil),
            ("2026-11-24T08:00:00-05:00", true, "call you back by ten o'clock this morning"),  // opening
            ("2026-11-24T08:20:00-05:00", true, "call you back by ten thirty this morning"),  // the promise moved
        ]
        for (moment, rewrites, words) in steps {
            let outcome = try writer.update(at: try #require(ISO8601.parse(moment)))
            if rewrites {
                guard case .rewritten(let text) = outcome else { Issue.record("expected a rewrite at \(moment)"); continue }
                if let words { #expect(text.contains(words), "\(moment): \(text)") }
            } else {
                #expect(outcome == .unchanged, "\(moment)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
                == ["afterhours-greeting.txt", "afterhours-greeting.ulaw", "afterhours-greeting.wav"], "no temporary files at \(moment)")
        }
    }
}

@Suite("callbacks greeting")
struct GreetingCommandTests {
    @Test("text, JSON and a WAV for a given moment")
    func command() async throws {
        let harness = try Harness()
        let text = await harness.run(["greeting", "--at", "2026-11-23T18:00:00-05:00"])
        #expect(text.output.hasPrefix("Thank you for calling Acme Plumbing. We're closed right now and open again at eight o'clock tomorrow morning."))
        let json = await harness.run(["greeting", "--at", "2026-11-23T18:00:00-05:00", "--json"])
        let object = try #require(json.json as? [String: Any])
        #expect(object["callback_by"] as? String == "2026-11-24T10:00:00-05:00")
        #expect(object["open"] as? Bool == false)
        let wav = harness.root.appendingPathComponent("greeting.wav").path
        let spoken = await harness.run(["greeting", "--at", "2026-11-23T18:00:00-05:00", "--wav", wav])
        #expect(spoken.status == 0, "\(spoken.errors)")
        #expect(spoken.output.isEmpty)
        #expect(FileManager.default.fileExists(atPath: wav))
        let ack = await harness.run(["greeting", "--acknowledgement", "--at", "2026-11-23T18:00:00-05:00"])
        #expect(ack.output == "Thanks for your message to Acme Plumbing. We will call you back by ten o'clock tomorrow morning.")
    }
}
