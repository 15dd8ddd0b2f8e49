import Domain
import Foundation
import Ingest
import Logging
import Settings
import Testing
import UseCases

/// Ingest while the database cannot be reached: every message stays in the spool for the
/// next pass. Nothing is quarantined for it, whatever the files' age.
@Suite("Ingest with the database down")
struct DatabaseDownTests {
    /// A store whose every call fails, as PostgreSQL's does while the server is down.
    struct UnreachableStore: IngestRepository {
        static let error = StoreError("cannot open the database postgresql://afterhours@db:5432/afterhours: connection refused")
        func record(_ recordings: [Recording], at now: Date, actor: String, rules: EscalationRules)
            throws(StoreError) -> [Result<RecordOutcome, StoreError>]
        { throw Self.error }
        func identities(prefix: String) throws(StoreError) -> [String] { throw Self.error }
        func hasLegacyIdentities() throws(StoreError) -> Bool { throw Self.error }
        func setAudioPath(voicemail id: Int64, _ path: String) throws(StoreError) { throw Self.error }
        func setQuarantinePath(voicemail id: Int64, _ path: String) throws(StoreError) { throw Self.error }
        func voicemail(identityPrefix: String) throws(StoreError) -> Int64? { throw Self.error }
        func hasVoicemails() throws(StoreError) -> Bool { throw Self.error }
    }

    @Test("a whole message, and a .txt whose audio was archived before a crash, both stay in the spool however old: nothing quarantined")
    func nothingQuarantined() throws {
        // give_up_after 0s: any file is "too old" at once, the harshest case.
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "  settle: 0s", with: "  settle: 0s\n  give_up_after: 0s"))
        try harness.put("default/1001/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "<5551234567>", origtime: 1_795_280_400))
        // The tail of a move a kill interrupted: the audio is archived, its .txt is not.
        try harness.put("default/1001/INBOX/msg0001.txt", text: Harness.txt(callerid: "<5551234568>", origtime: 1_795_280_460))
        let before = harness.files(under: harness.spool)

        let configuration = try Configuration.parse(
            yaml: String(contentsOf: harness.root.appendingPathComponent("callbacks.yaml"), encoding: .utf8),
            file: harness.root.appendingPathComponent("callbacks.yaml").path)
        let ingester = Ingester(configuration: configuration, store: UnreachableStore(), logger: Logger(label: "test"))
        let summary = ingester.runOnce(at: Date(timeIntervalSince1970: 1_795_438_800), actor: "test")

        #expect(summary.ingested == 0)
        #expect(summary.quarantined == 0, "\(summary.quarantineReasons)")
        #expect(harness.files(under: harness.quarantine).isEmpty)
        #expect(harness.files(under: harness.spool) == before, "every file left where it was")
        let reasons = summary.leftBehind.map(\.reason)
        #expect(reasons.contains { $0.hasPrefix("not stored: ") && $0.hasSuffix("; will retry") }, "\(reasons)")
        #expect(reasons.contains { $0.hasPrefix("cannot look its message up: ") && $0.hasSuffix("; will retry") }, "\(reasons)")
    }
}
