import AudioProbe
import BusinessTime
import CallbackQueue
import CallbackStore
import Foundation
import Logging
import Spool

/// One pass from spool to queue: find complete messages, read their audio, store each
/// once, then move its files into the archive (or the quarantine).
///
/// The order makes a crash at any point safe: until the row is committed the files are
/// still in the spool; after it, a re-run finds the same identity, counts a duplicate,
/// and finishes moving the files to the paths the row already names.
public struct Ingester: Sendable {
    public let configuration: Configuration
    public let store: CallbackStore
    public let logger: Logger
    let probe = AudioProbe()

    public init(configuration: Configuration, store: CallbackStore, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
    }

    /// Ingests everything ready in `spoolPath` (default: the configured spool) at `now`.
    public func runOnce(spoolPath: String? = nil, at now: Date, actor: String) -> IngestSummary {
        let root = URL(fileURLWithPath: spoolPath ?? configuration.spool.path)
        var summary = IngestSummary()
        guard FileManager.default.fileExists(atPath: root.path) else {
            summary.problems.append("spool folder \(root.path) does not exist")
            return summary
        }
        let scan = AsteriskSpool(root: root).scan()
        for left in scan.leftBehind {
            summary.leave(left.file, because: left.reason.description, incomplete: left.reason.isIncomplete)
        }
        for message in scan.messages {
            ingest(message, at: now, actor: actor, into: &summary)
        }
        return summary
    }

    private func ingest(_ message: SpoolMessage, at now: Date, actor: String, into summary: inout IngestSummary) {
        let slotName = "\(message.context)/\(message.mailbox)/\(message.folder)/\(message.slot)"
        guard let data = FileManager.default.contents(atPath: message.metadataFile.path) else {
            summary.leave(message.metadataFile, because: "cannot be read; will retry", incomplete: true)
            return
        }
        let metadata = AsteriskMessageFile(data: data)
        guard let origtime = metadata.origtime else {
            quarantine(
                message.files, name: slotName, at: now,
                reason: "\(message.metadataFile.lastPathComponent): no origtime (when the message was left), so it cannot be queued",
                into: &summary)
            return
        }

        let (audio, audioFile, audioError) = probeFirstReadable(message.audioFiles)
        let fingerprint: String
        do {
            fingerprint = try AudioFingerprint.of(audioFile)
        } catch {
            summary.leave(audioFile, because: "cannot be read (\(error.localizedDescription)); will retry", incomplete: true)
            return
        }
        let (name, rawNumber) = AsteriskCallerID.parse(metadata.callerID ?? "")
        let caller = Caller(
            name: name,
            number: rawNumber.flatMap { PhoneNumber.normalise($0, defaultRegion: configuration.phone.defaultRegion) },
            rawNumber: rawNumber)
        let voicemail = Voicemail(
            identity: [message.context, message.mailbox, metadata.messageID ?? "", String(origtime), fingerprint]
                .joined(separator: "/"),
            receivedAt: Date(timeIntervalSince1970: TimeInterval(origtime)),
            mailbox: message.mailbox, context: message.context, folder: message.folder,
            urgent: metadata.isUrgent || message.folder.caseInsensitiveCompare("Urgent") == .orderedSame,
            caller: caller, pbxMessageID: metadata.messageID,
            audio: audio, audioError: audioError)

        let policy = configuration.callbacks
        let silentSkipped = (audio?.silent ?? false) && !policy.queueSilent
        let nothingToCall = audioError != nil && caller.isAnonymous
        let deadline = policy.deadline(for: voicemail, hours: configuration.business.hours)
        let archiveFolder = archiveFolder(for: voicemail.receivedAt)
        let outcome: RecordOutcome
        do {
            outcome = try store.record(
                voicemail, deadline: deadline, queue: !silentSkipped && !nothingToCall, at: now, actor: actor,
                audioPath: { id in
                    audioError == nil
                        ? archiveFolder.appendingPathComponent("\(id).\(audioFile.pathExtension)").path : nil
                })
        } catch {
            summary.leave(message.metadataFile, because: "not stored: \(error); will retry", incomplete: true)
            logger.error("could not store voicemail", metadata: ["voicemail.slot": "\(slotName)", "error": "\(error)"])
            return
        }

        let voicemailID: Int64
        switch outcome {
        case .stored(let id, let callbackID, let joined):
            voicemailID = id
            summary.ingested += 1
            if silentSkipped { summary.silentSkipped += 1 }
            logger.info(
                "ingested voicemail",
                metadata: [
                    "voicemail.id": "\(id)", "voicemail.slot": "\(slotName)",
                    "callback.id": "\(callbackID.map(String.init) ?? "none")", "callback.joined": "\(joined)",
                    "caller.number": "\(caller.number?.e164 ?? "unknown")",
                ])
        case .duplicate(let id, _):
            voicemailID = id
            summary.duplicates += 1
            if configuration.spool.keepOriginals { return }
        }

        if let audioError {
            quarantine(message.files, name: "\(voicemailID)", at: voicemail.receivedAt, reason: audioError, into: &summary)
            return
        }
        do {
            let mover = FileMover(keepOriginals: configuration.spool.keepOriginals)
            for file in message.files {
                try mover.place(file, at: archiveFolder.appendingPathComponent("\(voicemailID).\(file.pathExtension)"))
            }
        } catch {
            summary.problems.append("\(slotName): stored as message #\(voicemailID) but its files could not be archived: \(error.localizedDescription); the next run finishes the move")
        }
    }

    /// Probes each audio file in order of preference until one reads.
    private func probeFirstReadable(_ files: [URL]) -> (AudioSummary?, URL, String?) {
        var firstError: String?
        for file in files {
            do {
                let info = try probe.probe(file)
                let summary = AudioSummary(
                    format: info.format, sampleRate: info.sampleRate, channels: info.channels,
                    frames: info.frames, durationSeconds: info.durationSeconds, peak: info.peak,
                    rms: info.rms, speechSeconds: info.speechSeconds, silent: info.silent)
                return (summary, file, nil)
            } catch {
                firstError = firstError ?? error.description
            }
        }
        return (nil, files[0], firstError ?? "no audio")
    }

    private func quarantine(_ files: [URL], name: String, at date: Date, reason: String, into summary: inout IngestSummary) {
        let folder = URL(fileURLWithPath: configuration.spool.quarantine)
            .appendingPathComponent(Self.dayPath(date, in: configuration.business.hours.timeZone))
            .appendingPathComponent(FileMover.safeComponent(name.replacingOccurrences(of: "/", with: "-")))
        do {
            try FileMover(keepOriginals: configuration.spool.keepOriginals).quarantine(files, in: folder, reason: reason)
            summary.quarantined += 1
            logger.warning("quarantined voicemail", metadata: ["quarantine.folder": "\(folder.path)", "reason": "\(reason)"])
        } catch {
            summary.problems.append("\(files[0].path): could not be quarantined (\(error.localizedDescription)); left in the spool")
        }
    }

    private func archiveFolder(for date: Date) -> URL {
        URL(fileURLWithPath: configuration.spool.archive)
            .appendingPathComponent(Self.dayPath(date, in: configuration.business.hours.timeZone))
    }

    /// `YYYY/MM/DD` of `date` in the business's time zone.
    static func dayPath(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d/%02d/%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}

/// What one ingest pass did, and every file it left behind with why.
public struct IngestSummary: Sendable, Equatable {
    public var ingested = 0
    public var duplicates = 0
    public var quarantined = 0
    /// Files expected to become messages on a later pass.
    public var incomplete = 0
    /// Stored but kept out of the queue (`callbacks.silent: skip`).
    public var silentSkipped = 0
    /// Every file left in the spool, with the reason.
    public var leftBehind: [(path: String, reason: String)] = []
    /// Failures the admin should look at; nothing was lost, but something needs a retry.
    public var problems: [String] = []

    mutating func leave(_ file: URL, because reason: String, incomplete isIncomplete: Bool) {
        leftBehind.append((file.path, reason))
        if isIncomplete { incomplete += 1 }
    }

    public static func == (a: IngestSummary, b: IngestSummary) -> Bool {
        a.ingested == b.ingested && a.duplicates == b.duplicates && a.quarantined == b.quarantined
            && a.incomplete == b.incomplete && a.silentSkipped == b.silentSkipped
            && a.leftBehind.map(\.path) == b.leftBehind.map(\.path) && a.problems == b.problems
    }
}
