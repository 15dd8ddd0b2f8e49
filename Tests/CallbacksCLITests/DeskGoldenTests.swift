import Foundation
import TestSupport
import Testing

/// The words and JSON of a morning at the desk, byte for byte as they were before the
/// rules moved into the domain (fixtures/golden/desk.txt, written by scripts/golden-desk.sh
/// from the code as it was). Rearranging the code behind the commands must not change a
/// word: a change here is a change users see, made on purpose, with the file regenerated
/// (`scripts/golden-desk.sh .build/debug/callbacks /tmp/golden > fixtures/golden/desk.txt`).
@Suite("The desk's words do not change")
struct DeskGoldenTests {
    static let root = Repository.root

    @Test("a morning of claims, refusals, outcomes, corrections and escalations reads exactly as recorded")
    func morningReadsAsRecorded() throws {
        try #require(FileManager.default.isExecutableFile(atPath: ConcurrentNextTests.binary.path), "build the binary first (make test does)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-golden-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (text, _) = try Harness.runScript("golden-desk.sh", [ConcurrentNextTests.binary.path, folder.path])
        let expected = try String(contentsOf: Self.root.appendingPathComponent("fixtures/golden/desk.txt"), encoding: .utf8)
        let got = text.split(separator: "\n", omittingEmptySubsequences: false)
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        if let first = zip(got, want).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
            Issue.record("line \(first.offset + 1) differs:\n  now:      \(first.element.0)\n  recorded: \(first.element.1)")
        }
        #expect(got.count == want.count, "\(got.count) lines now, \(want.count) recorded")
    }
}
