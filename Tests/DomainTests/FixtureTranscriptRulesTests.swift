import Domain
import Foundation
import Testing

/// The default content rules and the spoken-number finder on the words of the project's
/// voicemail fixtures (`fixtures/transcripts/*.txt`, what each caller says): what a person
/// reading them would decide.
@Suite("Content rules on the fixture messages")
struct FixtureTranscriptRulesTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../fixtures/transcripts").standardizedFileURL

    /// Per message: the kinds of rule that fire, and the number read out (valid in the US).
    static let expected: [String: (kinds: Set<ContentMatch.Kind>, number: String?)] = [
        "basement-flood": ([.urgent], "+19174423816"),
        "boiler-noise": ([], nil),  // "It's not an emergency"
        "burst-pipe": ([.urgent], "+13478129905"),
        "callback-number": ([], "+16463820198"),
        "cancel": ([.complaint], nil),
        "ceiling-leak": ([.urgent], nil),
        "gas-smell": ([.urgent], "+12127717430"),
        "hot-water-long": ([.complaint], "+16462943217"),  // "one hundred and five Main Street" is an address
        "lawyer": ([.complaint], nil),
        "missing-invoice": ([], nil),
        "no-heat": ([.urgent], nil),
        "quote": ([], "+17186602259"),
        "refund": ([.complaint], nil),
        "reschedule": ([], nil),
        "running-toilet": ([], nil),
        "technician-mess": ([.complaint], nil),
    ]

    @Test("every fixture message is judged as a person would", arguments: expected.keys.sorted())
    func fixture(name: String) throws {
        let text = try String(contentsOf: Self.folder.appendingPathComponent("\(name).txt"), encoding: .utf8)
        let expected = try #require(Self.expected[name])
        let matches = ContentRules.defaults.matches(in: text)
        #expect(Set(matches.map(\.kind)) == expected.kinds, "\(matches.map(\.description))")
        #expect(SpokenNumber.find(in: text, region: "US")?.e164 == expected.number)
    }

    @Test("every fixture message has its expectation")
    func allCovered() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
            .filter { $0.hasSuffix(".txt") }.map { String($0.dropLast(4)) }
        #expect(Set(names) == Set(Self.expected.keys))
    }
}
