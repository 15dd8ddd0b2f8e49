import Afterhours
import Foundation
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
        #expect(configuration.storage.database == "var/afterhours.sqlite")
        #expect(configuration.spool.path == "var/spool")
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
