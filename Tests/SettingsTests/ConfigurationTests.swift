import Foundation
import Settings
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    func refusal(_ yaml: String) -> String? {
        do {
            _ = try Configuration.parse(yaml: yaml, file: "/etc/afterhours/callbacks.yaml")
            return nil
        } catch {
            return error.description
        }
    }

    @Test("the shipped example loads with every key")
    func example() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../callbacks.example.yaml").standardizedFileURL
        let configuration = try Configuration.parse(yaml: String(contentsOf: url, encoding: .utf8), file: url.path)
        #expect(configuration.business.name == "Acme Plumbing")
        #expect(configuration.business.hours.timeZone.identifier == "America/New_York")
        #expect(configuration.callbacks.respondWithin == 7200)
        #expect(configuration.callbacks.urgentWithin == 1800)
        #expect(configuration.callbacks.claimLease == 1800)
        #expect(configuration.spool.path == "/var/spool/asterisk/voicemail")
        #expect(configuration.owner.mailboxes == ["200"])
        #expect(configuration.owner.notify.count == 3)
        #expect(configuration.escalation.vip.map(\.e164) == ["+14155550100"])
    }

    @Test("built-in defaults when there is no file")
    func defaults() throws {
        let configuration = try Configuration.load(explicit: nil, environment: ["CALLBACKS_CONFIG": ""])
        #expect(configuration.storage.database == "/var/lib/afterhours/afterhours.sqlite", "absolute: never under the working folder")
        #expect(configuration.spool.path == "/var/spool/asterisk/voicemail")
        #expect(configuration.spool.archive == "/var/lib/afterhours/archive")
        #expect(configuration.callbacks.respondWithin == 7200)
    }

    @Test("relative paths are read from the file's folder")
    func relativePaths() throws {
        let configuration = try Configuration.parse(yaml: "storage:\n  database: db/a.sqlite\n", file: "/srv/ah/callbacks.yaml")
        #expect(configuration.storage.database == "/srv/ah/db/a.sqlite")
    }

    @Test(
        "refusals name the file, the line, the key and the problem",
        arguments: [
            ("business:\n  timezone: Mars/Olympus\n", "callbacks.yaml:2: business.timezone: \"Mars/Olympus\" is not an IANA time zone"),
            ("phone:\n  default_region: XX\n", "callbacks.yaml:2: phone.default_region: \"XX\" is not a region whose numbers Afterhours knows; known: AE, AR, AT"),
            ("callbacks:\n  respond_within: 2 hours\n", "callbacks.yaml:2: callbacks.respond_within:"),
            ("callbacks:\n  respond_within: 1d\n", "days and weeks are not accepted"),
            ("callbacks:\n  respnd_within: 2h\n", "callbacks.yaml:2: callbacks.respnd_within: unknown key"),
            ("spool:\n  layout: maildir\n", "spool.layout: \"maildir\" should be one of auto, asterisk, sidecar"),
            ("bussiness: {}\n", "bussiness: unknown key"),
            ("business:\n  hours:\n    mon: [\"8-5\"]\n", "business.hours.mon[0]"),
            ("business:\n  hours:\n    funday: []\n", "business.hours.funday: unknown key"),
            ("owner:\n  notify:\n    - pager: 555\n", "owner.notify[0]: unknown channel \"pager\""),
            ("owner:\n  notify:\n    - command: page-owner\n", "should be an absolute path"),
            ("escalation:\n  vip: [\"call me\"]\n", "escalation.vip[0]: \"call me\" is not a phone number"),
            ("callbacks: [1, 2]\n", "callbacks: should be a mapping"),
            ("business: {name: [unclosed\n", "is not valid YAML"),
            ("greeting:\n  formats: [mp3]\n", "greeting.formats[0]: \"mp3\" should be wav or ulaw"),
            ("greeting:\n  speed: 900\n", "greeting.speed: 900 should be 80 to 450 words per minute"),
        ])
    func refusals(_ yaml: String, expected: String) {
        let message = refusal(yaml)
        #expect(message?.contains(expected) == true, "got: \(message ?? "accepted")")
        #expect(message?.hasPrefix("/etc/afterhours/callbacks.yaml") == true)
    }

    /// The refusal for `yaml`, exactly: file, line, key and problem in one line.
    func exactRefusal(_ yaml: String) -> String? {
        refusal(yaml).map { $0.replacingOccurrences(of: "/etc/afterhours/callbacks.yaml", with: "f") }
    }

    @Test("a voice espeak-ng does not have is refused; voices are named by their files")
    func voices() throws {
        #expect(
            refusal("greeting:\n  voice: klingon\n")?.hasPrefix(
                "/etc/afterhours/callbacks.yaml:2: greeting.voice: \"klingon\" is not an espeak-ng voice") == true)
        #expect(refusal("greeting:\n  voice: \"\"\n")?.contains("is not an espeak-ng voice") == true)
        #expect(refusal("greeting:\n  voice: English (America)\n")?.contains("is not an espeak-ng voice") == true)
        #expect(refusal("greeting:\n  voice: en-us+nosuchvariant\n")?.contains("is not an espeak-ng voice") == true)
        for voice in ["en-us", "EN-US", "en", "de", "gmw/en-US", "en-us+f3"] {
            let configuration = try Configuration.parse(yaml: "greeting:\n  voice: \(voice)\n", file: "/srv/ah/callbacks.yaml")
            #expect(configuration.greeting.voice == voice)
        }
    }

    @Test("a date listed twice among the holidays is refused, naming both lines")
    func holidayTwice() {
        let duplicate = """
            business:
              holidays:
                - 2026-12-25
                - 2026-12-31
                - 2026-12-25
            """
        #expect(
            exactRefusal(duplicate)
                == "f:5: business.holidays[2]: 2026-12-25 is already listed as holidays[0] on line 3; give each date once")
        let contradictory = """
            business:
              holidays:
                - { date: 2026-12-24, hours: ["08:00-12:00"] }
                - 2026-12-24
            """
        #expect(
            exactRefusal(contradictory)
                == "f:4: business.holidays[1]: 2026-12-24 is already listed as holidays[0] on line 3; give each date once")
    }

    @Test("an empty time zone is refused instead of becoming the machine's")
    func emptyTimeZone() {
        for yaml in ["business:\n  timezone:\n", "business:\n  timezone: \"\"\n", "business:\n  name: A\n  timezone: ~\n"] {
            let message = refusal(yaml)
            #expect(message?.contains("business.timezone: is empty; write an IANA time zone") == true, "got: \(message ?? "accepted")")
        }
    }

    @Test(
        "durations that mean nothing at 0 are refused; urgent_within and settle may be 0",
        arguments: [
            ("callbacks:\n  claim_lease: 0s\n", "f:2: callbacks.claim_lease: should be longer than 0: a claim would lapse"),
            ("callbacks:\n  retry_after: 0\n", "f:2: callbacks.retry_after: should be longer than 0"),
            ("escalation:\n  repeat_window: 0m\n", "f:2: escalation.repeat_window: should be longer than 0"),
            ("spool:\n  rescan: 0s\n", "f:2: spool.rescan: should be longer than 0"),
            ("callbacks:\n  max_attempts: 0\n", "f:2: callbacks.max_attempts: \"0\" should be a whole number above 0"),
        ])
    func zeroDurations(_ yaml: String, expected: String) {
        let message = exactRefusal(yaml)
        #expect(message?.hasPrefix(expected) == true, "got: \(message ?? "accepted")")
    }

    @Test("zero is allowed where it means \"now\"")
    func zeroAllowed() throws {
        let configuration = try Configuration.parse(
            yaml: "callbacks:\n  urgent_within: 0s\nspool:\n  settle: 0s\n  give_up_after: 0s\n", file: "/srv/ah/callbacks.yaml")
        #expect(configuration.callbacks.urgentWithin == 0)
        #expect(configuration.spool.settle == 0)
    }

    @Test(
        "errors name the line of the offending key or list item, not of its section",
        arguments: [
            (
                """
                business:
                  name: Acme
                  hours:
                    mon: ["08:00-12:00", "11:00-13:00"]
                """,
                "f:4: business.hours.mon: intervals 08:00-12:00 and 11:00-13:00 overlap"
            ),
            (
                """
                business:
                  hours:
                    mon: ["09:00-17:00"]
                    sat:
                      - "22:00-02:00"
                    sun: ["01:00-05:00"]
                """,
                "f:4: business.hours.sat: 22:00-02:00 runs past midnight into sun's 01:00-05:00"
            ),
            (
                """
                business:
                  name: Acme
                  hours:
                    mon: []
                """,
                "f:3: business.hours: there is no open time at all: every day is closed"
            ),
            (
                """
                business:
                  name: Acme
                  holidays:
                    - 2026-12-25
                    - date: 2026-12-31
                      hours: ["08:00-12:00", "10:00-14:00"]
                """,
                "f:6: business.holidays[1].hours: 2026-12-31: intervals 08:00-12:00 and 10:00-14:00 overlap"
            ),
            (
                """
                business:
                  holidays:
                    - 2026-12-25
                    - [2026-12-31]
                """,
                "f:4: business.holidays[1]: should be a date (YYYY-MM-DD) or {date, hours}"
            ),
            (
                """
                escalation:
                  repeat_calls: 3
                  vip:
                    - "+14155550100"
                    - "call me"
                """,
                "f:5: escalation.vip[1]: \"call me\" is not a phone number"
            ),
            (
                """
                owner:
                  mailboxes: ["200"]
                  notify:
                    - email: owner@example.com
                    - pager: 555
                """,
                "f:5: owner.notify[1]: unknown channel \"pager\"; use webhook, command or email"
            ),
            (
                """
                greeting:
                  name: hello
                  formats:
                    - wav
                    - mp3
                """,
                "f:5: greeting.formats[1]: \"mp3\" should be wav or ulaw"
            ),
        ])
    func lines(_ yaml: String, expected: String) {
        #expect(exactRefusal(yaml) == expected)
    }

    @Test(
        "YAML syntax errors and repeated keys are one line with the line number",
        arguments: [
            ("business: {name: [unclosed\n", "f:2: is not valid YAML: did not find expected ',' or ']' while parsing a flow sequence (from line 1)"),
            (
                "business:\n  name: A\n  hours:\n    mon: []\n    tue: []\n    mon: [\"09:00-17:00\"]\n",
                "f:6: the key \"mon\" is given twice (also on line 4)"
            ),
            ("callbacks:\n  retry_after: 1h\ncallbacks:\n  claim_lease: 5m\n", "f:3: the key \"callbacks\" is given twice (also on line 1)"),
            ("business: {name: A, name: B}\n", "f:1: the key \"name\" is given twice (also on line 1)"),
            ("business:\n  name: \"unterminated\n", "f:3: is not valid YAML:"),
            ("business:\n\tname: A\n", "f:2: is not valid YAML:"),
        ])
    func syntax(_ yaml: String, expected: String) {
        let message = exactRefusal(yaml)
        #expect(message?.hasPrefix(expected) == true, "got: \(message ?? "accepted")")
        #expect(message?.contains("\n") == false)
    }

    @Test("durations", arguments: [("90s", 90), ("45m", 2700), ("2h", 7200), ("1h30m", 5400), ("0", 0), ("1h0m5s", 3605)])
    func durations(_ text: String, seconds: Int) throws {
        #expect(try DurationText.seconds(in: text).get() == seconds)
        #expect(DurationText.seconds(in: DurationText.format(seconds)) == .success(seconds))
    }

    @Test("malformed durations", arguments: ["", "2", "h", "30m2h", "2x", "-5m", "1.5h"])
    func badDurations(_ text: String) {
        #expect(throws: DurationError.self) { try DurationText.seconds(in: text).get() }
    }
}

@Suite("Configuration: staffing")
struct StaffingConfigurationTests {
    static let business = """
        business:
          timezone: America/New_York
          holidays: [2026-11-26]

        """

    func refusal(_ yaml: String) -> String? {
        do {
            _ = try Configuration.parse(yaml: Self.business + yaml, file: "f")
            return nil
        } catch {
            return error.description
        }
    }

    @Test("staffing: intervals with a number of people, closed on the business's holidays; absent, one person in business hours")
    func staffing() throws {
        let configuration = try Configuration.parse(
            yaml: Self.business + "staffing:\n  mon: [\"08:00-12:00 2\", \"12:00-17:00\"]\n  thu: [\"08:00-17:00 3\"]\n  handling: 9m\n", file: "f")
        let staffing = try #require(configuration.staffing.schedule)
        #expect(configuration.staffing.handling == 540)
        #expect(staffing.lanes.count == 3)
        let monday10 = try #require(ISO8601DateFormatter().date(from: "2026-11-23T10:00:00-05:00"))
        #expect(staffing.people(at: monday10) == 2)
        #expect(staffing.people(at: monday10.addingTimeInterval(3 * 3600)) == 1)
        #expect(staffing.people(at: monday10.addingTimeInterval(9 * 3600)) == 0)
        // Thanksgiving Thursday is a holiday: nobody, whatever staffing.thu says.
        #expect(staffing.people(at: monday10.addingTimeInterval(3 * 86_400)) == 0)
        #expect(staffing.people(at: monday10.addingTimeInterval(10 * 86_400)) == 3)

        let unset = try Configuration.parse(yaml: Self.business, file: "f")
        #expect(unset.staffing.schedule == nil && unset.staffing.handling == 360)
        #expect(unset.staffingSchedule.lanes.count == 1)
        #expect(unset.staffingSchedule.people(at: monday10) == 1)
    }

    @Test(
        "a staffing section that cannot be used names the line, the key and what is wrong",
        arguments: [
            ("staffing:\n  mon: [\"08:00-12:00 two\"]\n", "f:5: staffing.mon[0]: \"two\" in \"08:00-12:00 two\" is not a number of people"),
            ("staffing:\n  mon: [\"08:00-12:00 0\"]\n", "f:5: staffing.mon[0]: 08:00-12:00 has 0 people; leave an interval out"),
            ("staffing:\n  mon: [\"08:00-12:00\", \"11:00-13:00 2\"]\n", "f:5: staffing.mon: intervals 08:00-12:00 and 11:00-13:00 overlap"),
            ("staffing:\n  mon: []\n", "f:5: staffing: nobody takes callbacks on any day"),
            ("staffing:\n  handling: 0\n", "f:5: staffing.handling: should be longer than 0"),
            ("staffing:\n  monday: [\"08:00-12:00\"]\n", "f:5: staffing.monday: unknown key"),
        ])
    func refused(_ yaml: String, expected: String) {
        let message = refusal(yaml)
        #expect(message?.hasPrefix(expected) == true, "got: \(message ?? "accepted")")
    }
}
