import Foundation
import Testing

/// docs/reference.md's JSON tables against the JSON the commands print: every key, in
/// order, so the two cannot drift apart again.
@Suite("docs/reference.md lists every JSON key the commands print, in order")
struct ReferenceTablesTests {
    static let reference = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/reference.md").standardizedFileURL

    /// The field names of the table under `### heading`, in order.
    static func table(_ heading: String) throws -> [String] {
        let text = try String(contentsOf: reference, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "### \(heading)"), "no ### \(heading) in docs/reference.md")
        var fields: [String] = []
        var inTable = false
        for line in lines[(start + 1)...] {
            if line.hasPrefix("#") { break }
            if line.hasPrefix("|") {
                inTable = true
                if let match = line.firstMatch(of: /^\| `([a-z_]+)` \|/) { fields.append(String(match.1)) }
            } else if inTable {
                break
            }
        }
        return fields
    }

    /// JSON with its objects' keys in the order written.
    indirect enum Ordered {
        case object([(String, Ordered)])
        case array([Ordered])
        case scalar

        var keys: [String] { if case .object(let pairs) = self { pairs.map(\.0) } else { [] } }
        subscript(key: String) -> Ordered? { if case .object(let pairs) = self { pairs.first { $0.0 == key }?.1 } else { nil } }
        var first: Ordered? { if case .array(let items) = self { items.first } else { nil } }
    }

    struct Reader {
        var text: [Character]
        var at = 0
        init(_ string: String) { text = Array(string) }

        mutating func skipSpace() { while at < text.count, text[at].isWhitespace { at += 1 } }
        mutating func string() -> String {
            at += 1
            var value = ""
            while at < text.count, text[at] != "\"" {
                if text[at] == "\\" { at += 1 }
                value.append(text[at])
                at += 1
            }
            at += 1
            return value
        }
        mutating func value() -> Ordered {
            skipSpace()
            switch text[at] {
            case "{":
                at += 1
                var pairs: [(String, Ordered)] = []
                while true {
                    skipSpace()
                    if text[at] == "}" { at += 1; return .object(pairs) }
                    if text[at] == "," { at += 1; continue }
                    let key = string()
                    skipSpace()
                    at += 1  // :
                    pairs.append((key, value()))
                }
            case "[":
                at += 1
                var items: [Ordered] = []
                while true {
                    skipSpace()
                    if text[at] == "]" { at += 1; return .array(items) }
                    if text[at] == "," { at += 1; continue }
                    items.append(value())
                }
            case "\"":
                _ = string()
                return .scalar
            default:
                while at < text.count, !",}] \n".contains(text[at]) { at += 1 }
                return .scalar
            }
        }
    }

    static func parse(_ output: String) -> Ordered {
        var reader = Reader(output)
        return reader.value()
    }

    @Test("callback, message, history event, escalation and ingest summary")
    func tables() async throws {
        let harness = try Harness(config: Harness.acme + "\nowner:\n  people: [maria]\n  notify:\n    - command: /bin/true\n")
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Pat\" <5551112222>", origtime: 1_795_208_400))
        let ingest = await harness.run(["ingest", "--json"])
        #expect(Self.parse(ingest.output).keys == (try Self.table("Ingest summary")))

        let show = Self.parse(await harness.run(["show", "1", "--json"]).output)
        #expect(show.keys == (try Self.table("Callback")), "callback")
        #expect(show["messages"]?.first?.keys == (try Self.table("Message")), "message")
        #expect(show["history"]?.first?.keys == (try Self.table("History event")), "history event")

        _ = await harness.run(["escalate", "1", "--reason", "wants the owner", "--as", "alice"])
        let escalations = Self.parse(await harness.run(["escalations", "list", "--as", "maria", "--json"]).output)
        #expect(escalations.first?.keys == (try Self.table("Escalation")), "escalation")
    }
}
