import FileErrors
import Foundation
import Testing

@Suite("File and folder errors are sentences")
struct FileErrorTests {
    /// Foundation's own wording for these errors, which must never reach people.
    static func raw(_ text: String) -> Bool {
        text.contains("Error Domain") || text.contains("could not be completed") || text.contains("NSCocoaErrorDomain")
    }

    @Test("a database below a file names the file in the way")
    func databaseBelowAFile() async throws {
        let harness = try Harness(config: Harness.acme.replacingOccurrences(
            of: "database: afterhours.sqlite", with: "database: callbacks.yaml/sub/x.sqlite"))
        let config = harness.root.appendingPathComponent("callbacks.yaml").path
        let result = await harness.run(["list"])
        #expect(result.status == 1)
        #expect(result.errors == "Error: cannot create the folder \(config)/sub for the database: \(config) is a file, not a folder")
    }

    @Test("a database that is a folder says so")
    func databaseIsAFolder() async throws {
        let harness = try Harness(config: Harness.acme.replacingOccurrences(of: "database: afterhours.sqlite", with: "database: spool"))
        let result = await harness.run(["list"])
        #expect(result.status == 1)
        #expect(result.errors == "Error: cannot open the database \(harness.spool.path): it is a folder, not a file")
    }

    @Test("an archive or quarantine that cannot be made is reported in words, and the files stay in the spool")
    func archiveAndQuarantine() async throws {
        let archive = try Harness(config: Harness.acme.replacingOccurrences(of: "archive: archive", with: "archive: callbacks.yaml"))
        try archive.copyExampleSpool()
        let archived = await archive.run(["ingest"])
        let config = archive.root.appendingPathComponent("callbacks.yaml").path
        #expect(archived.status == 1)
        #expect(archived.errors == "Error: 6 stored messages were not archived; nothing was lost", "got: \(archived.errors)")
        #expect(
            archived.output.contains(
                "6 messages stored but not yet archived: cannot archive into \(config): \(config) is a file, not a folder; they stay in the spool"),
            "got: \(archived.output)")
        #expect(!Self.raw(archived.output + archived.errors))
        #expect(!archive.files(under: archive.spool).isEmpty)

        let quarantine = try Harness(config: Harness.acme.replacingOccurrences(of: "quarantine: quarantine", with: "quarantine: callbacks.yaml"))
        try quarantine.put("default/1001/INBOX/msg0000.wav", bytes: Array("not audio at all".utf8))
        try quarantine.put("default/1001/INBOX/msg0000.txt", text: Harness.txt(callerid: "", origtime: 1_795_280_400))
        let quarantined = await quarantine.run(["ingest"])
        let file = quarantine.root.appendingPathComponent("callbacks.yaml").path
        #expect(quarantined.status == 1)
        #expect(quarantined.errors == "Error: 1 problem (listed above); nothing was lost", "got: \(quarantined.errors)")
        #expect(
            quarantined.output.contains("msg0000.wav: left in the spool, cannot quarantine into \(file): \(file) is a file, not a folder"),
            "got: \(quarantined.output)")
        #expect(!Self.raw(quarantined.output + quarantined.errors))
    }

    @Test("a greeting written below a file names the file in the way")
    func greetingBelowAFile() async throws {
        let harness = try Harness()
        let config = harness.root.appendingPathComponent("callbacks.yaml").path
        let result = await harness.run(["greeting", "--wav", config + "/greeting.wav"])
        #expect(result.status == 1)
        #expect(result.errors == "Error: cannot create the folder \(config): \(config) is a file, not a folder")
    }

    @Test(
        "system errors are worded from their error number",
        arguments: [
            (POSIXError(.EACCES) as any Error, "permission denied"),
            (NSError(domain: NSCocoaErrorDomain, code: 513, userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EROFS))]), "the file system is read-only"),
            (NSError(domain: NSCocoaErrorDomain, code: 512, userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))]), "no space left on the device"),
            (CocoaError(.fileWriteOutOfSpace), "no space left on the device"),
            (CocoaError(.fileWriteVolumeReadOnly), "the file system is read-only"),
            (CocoaError(.fileWriteNoPermission), "permission denied"),
            (NSError(domain: "Elsewhere", code: 7), "the system refused (Elsewhere error 7)"),
        ])
    func errorNumbers(_ error: any Error, expected: String) {
        let problem = FileError("cannot create the folder /srv/ah/archive", path: "/srv/ah/archive", error: error)
        #expect(problem.description == "cannot create the folder /srv/ah/archive: \(expected)")
        #expect(problem.localizedDescription == problem.description)
    }

    @Test("a missing part of a path is named")
    func missing() {
        let problem = FileError("cannot run /nonexistent-afterhours/page-owner", path: "/nonexistent-afterhours/page-owner", code: ENOENT)
        #expect(problem.reason == "/nonexistent-afterhours does not exist")
    }
}
