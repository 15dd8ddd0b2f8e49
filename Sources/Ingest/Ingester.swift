import AudioProbe
import BusinessTime
import Domain
import FileErrors
import Foundation
import Logging
import Runtime
import Settings
import Spool
import Synchronization
import UseCases

/// One pass from spool to queue: find complete messages, read their audio, store each
/// once, then move its files into the archive (or the quarantine).
///
/// The order makes a crash at any point safe. Until the row is committed the files are
/// still in the spool. After it, files leave audio first and metadata last, the probed
/// audio last of the audio: a re-run either finds the same identity (the probed audio
/// and its `.txt` still there) and finishes the move, or finds a `.txt` whose audio is
/// already archived and moves it after its message.
public struct Ingester: Sendable {
    public let configuration: Configuration
    public let store: any IngestRepository
    public let logger: Logger
    let probe = AudioProbe(sampling: .init())
    /// Messages probed at once, in parallel, before their rows are written.
    static let batchSize = 64

    /// Whether the store holds identities written before hashes named their scheme.
    let legacyIdentities: Bool
    /// Added to the history of every message this ingester stores (push ingest: what it
    /// could not read of the request).
    public var extraNotes: [String] = []

    public init(configuration: Configuration, store: any IngestRepository, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        legacyIdentities = (try? store.hasLegacyIdentities()) ?? true
    }

    /// Ingests everything ready in `spoolPath` (default: the configured spool). `now` is
    /// the business clock (`CALLBACKS_NOW` in tests); `fileClock` judges file ages and is
    /// always the real clock by default.
    public func runOnce(spoolPath: String? = nil, at now: Date, fileClock: Date = MachineClock.fileTime(), actor: String) -> IngestSummary {
        let root = URL(fileURLWithPath: spoolPath ?? configuration.spool.path)
        var summary = IngestSummary()
        // A store with no message yet: this is the first run over whatever the spool holds.
        summary.firstRun = !((try? store.hasVoicemails()) ?? true)
        guard FileManager.default.fileExists(atPath: root.path) else {
            summary.problems.append("spool folder \(root.path) does not exist")
            return summary
        }
        let layout = configuration.spool.layout
        var pipeline = Pipeline()
        if layout != .sidecar {
            AsteriskSpool(root: root, audioPreference: configuration.spool.audioPreference).scanFolders { folder in
                process(folder, through: &pipeline, at: now, fileClock: fileClock, actor: actor, into: &summary)
            }
        }
        var topLevel = SpoolScan()
        if layout != .asterisk {
            SidecarSpool(root: root).scan(into: &topLevel)
        } else {
            for file in AsteriskSpool.files(in: root) {
                topLevel.leftBehind.append(LeftBehind(file: file, reason: .notAMessage("not in a mailbox folder (spool.layout is asterisk)")))
            }
        }
        process(topLevel, through: &pipeline, at: now, fileClock: fileClock, actor: actor, into: &summary)
        launch(pipeline.takeRest(), through: &pipeline, fileClock: fileClock, at: now, actor: actor, into: &summary)
        if let last = pipeline.inFlight {
            commitAll(last.messages, last.preparations(), at: now, actor: actor, into: &summary)
        }
        if summary.backlog > 0 {
            // One line for the whole backlog, not one escalation per message.
            logger.info(
                "first run: messages whose deadline had already passed queued without breach escalations",
                metadata: ["voicemail.backlog": "\(summary.backlog)"])
        }
        if summary.notQueued > 0 {
            logger.info("messages in folders spool.queue_folders does not list stored, not queued", metadata: ["voicemail.count": "\(summary.notQueued)"])
        }
        return summary
    }

    /// Messages gathered across folders into batches: each batch is probed in parallel
    /// while the one before it is stored and moved, so both cores stay busy and the
    /// serial part (one transaction and the renames) hides behind the reading.
    struct Pipeline {
        var waiting: [SpoolMessage] = []
        var inFlight: InFlight?

        mutating func takeBatch() -> [SpoolMessage]? {
            guard waiting.count >= Ingester.batchSize else { return nil }
            defer { waiting.removeFirst(Ingester.batchSize) }
            return Array(waiting.prefix(Ingester.batchSize))
        }

        mutating func takeRest() -> [SpoolMessage] {
            defer { waiting.removeAll() }
            return waiting
        }
    }

    /// A batch being prepared on other threads.
    struct InFlight {
        let messages: [SpoolMessage]
        let slots: PreparationSlots
        let done: DispatchGroup

        func preparations() -> [Preparation] {
            done.wait()
            return slots.values
        }
    }

    /// Everything one folder's scan found: files left behind and orphaned metadata are
    /// dealt with at once, messages join the pipeline.
    private func process(_ scan: SpoolScan, through pipeline: inout Pipeline, at now: Date, fileClock: Date, actor: String, into summary: inout IngestSummary) {
        var givenUp: [String: [URL]] = [:]
        for left in scan.leftBehind {
            // Audio whose .txt never came: the same rule as a .txt whose audio never came.
            if left.reason == .waitingForMetadata, Self.age(of: left.file, at: fileClock) >= Double(configuration.spool.giveUpAfter) {
                givenUp[left.file.deletingPathExtension().path, default: []].append(left.file)
                continue
            }
            summary.leave(left.file, because: left.reason.description, incomplete: left.reason.isIncomplete)
        }
        let root = configuration.spool.path
        for (slot, files) in givenUp.sorted(by: { $0.key < $1.key }) {
            let location = slot.hasPrefix(root + "/") ? String(slot.dropFirst(root.count + 1)) : (slot as NSString).lastPathComponent
            let names = files.map(\.lastPathComponent).sorted().joined(separator: ", ")
            quarantine(
                files, name: location, at: now,
                reason: "\(names): no .txt arrived within \(DurationText.format(configuration.spool.giveUpAfter)), so the caller and the time are unknown",
                into: &summary)
        }
        for orphan in scan.orphanMetadata {
            recoverOrphan(orphan, at: now, fileClock: fileClock, into: &summary)
        }
        pipeline.waiting.append(contentsOf: scan.messages)
        while let batch = pipeline.takeBatch() {
            launch(batch, through: &pipeline, fileClock: fileClock, at: now, actor: actor, into: &summary)
        }
    }

    /// Starts preparing `batch`, then commits the batch before it.
    private func launch(_ batch: [SpoolMessage], through pipeline: inout Pipeline, fileClock: Date, at now: Date, actor: String, into summary: inout IngestSummary) {
        guard !batch.isEmpty else { return }
        let flight = startPreparing(batch, at: now, fileClock: fileClock)
        if let previous = pipeline.inFlight {
            commitAll(previous.messages, previous.preparations(), at: now, actor: actor, into: &summary)
        }
        pipeline.inFlight = flight
    }

    // MARK: - Preparing: read metadata and audio (no writes; run in parallel)

    enum Preparation: Sendable {
        case ready(Voicemail, probed: URL?, notes: [String])
        /// Stored on an earlier pass and kept in the spool (`keep_originals`).
        case alreadyStored
        case wait(String)
        case quarantine(String)
    }

    private func startPreparing(_ messages: [SpoolMessage], at now: Date, fileClock: Date) -> InFlight {
        let flight = InFlight(messages: messages, slots: PreparationSlots(count: messages.count), done: DispatchGroup())
        flight.done.enter()
        DispatchQueue.global().async {
            // Two workers reading a cold spool would wait on the disk one file at a time:
            // ask for the whole batch up front so the reads overlap.
            for message in messages { message.files.forEach(Self.prefetch) }
            DispatchQueue.concurrentPerform(iterations: messages.count) { index in
                flight.slots.set(index, prepare(messages[index], at: now, fileClock: fileClock))
            }
            flight.done.leave()
        }
        return flight
    }

    /// Asks the kernel to start reading `file` into the page cache (no wait, no copy).
    static func prefetch(_ file: URL) {
        let descriptor = open(file.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_WILLNEED)
        close(descriptor)
    }

    func prepare(_ message: SpoolMessage, at now: Date, fileClock: Date) -> Preparation {
        let ages = message.files.map { Self.age(of: $0, at: fileClock) }
        guard ages.allSatisfy({ $0 >= Double(configuration.spool.settle) }) else {
            return .wait("still being written (changed in the last \(configuration.spool.settle)s)")
        }
        let metadata: MessageMetadata
        switch readMetadata(message, at: now) {
        case .success(let read): metadata = read
        case .failure(let problem): return .quarantine(problem.message)
        }
        // With keep_originals every stored message stays in the spool: recognise it
        // without reading its audio again on every pass.
        if configuration.spool.keepOriginals, (try? store.voicemail(identityPrefix: metadata.identityPrefix)) != nil {
            return .alreadyStored
        }
        let heard: HeardAudio
        switch hear(message.audioFiles, youngest: ages.min() ?? 0) {
        case .next(let value): heard = value
        case .stop(let preparation): return preparation
        }
        let fingerprint: String
        switch identify(heard.probed ?? message.audioFiles.first, prefix: metadata.identityPrefix) {
        case .next(let value): fingerprint = value
        case .stop(let preparation): return preparation
        }
        return .ready(voicemail(of: message, metadata, heard, fingerprint: fingerprint), probed: heard.probed, notes: metadata.notes)
    }

    /// One step of `prepare`: go on with its value, or stop with what to do with the message.
    enum Step<Value> {
        case next(Value)
        case stop(Preparation)
    }

    /// What the message's audio files said: the first readable one's summary, else the
    /// first error.
    struct HeardAudio {
        var audio: AudioSummary?
        var error: String?
        var probed: URL?
    }

    /// Reads the message's audio files in order of preference until one can be read. A file
    /// the PBX is still recording is waited for, until `give_up_after`.
    func hear(_ files: [URL], youngest: Double) -> Step<HeardAudio> {
        var heard = HeardAudio()
        var warning: String?
        for file in files {
            switch probeAudio(file) {
            case .success(let summary, let note):
                heard.audio = summary
                warning = note
                heard.probed = file
            case .failure(let problem):
                heard.error = heard.error ?? problem.message
                if problem.unfinished, youngest < Double(configuration.spool.giveUpAfter) {
                    let state = problem.empty ? "0 bytes so far" : "header not yet finished"
                    return .stop(.wait("\(file.lastPathComponent) is still being recorded (\(state))"))
                }
                continue
            }
            break
        }
        if heard.audio != nil { heard.error = warning }
        return .next(heard)
    }

    /// The content hash that ends the message's identity ("none" without audio). A message
    /// stored before hashes named their scheme keeps the identity it was stored under.
    func identify(_ hashed: URL?, prefix: String) -> Step<String> {
        guard let hashed else { return .next("none") }
        do {
            var fingerprint = try AudioFingerprint.of(hashed)
            if legacyIdentities, let stored = try? store.identities(prefix: prefix),
                stored.contains(where: { AudioFingerprint.isLegacy($0, prefix: prefix) })
            {
                // Stored before hashes named their scheme: the same audio is the same message.
                let legacy = prefix + (try AudioFingerprint.legacy(hashed))
                if stored.contains(legacy) { fingerprint = String(legacy.dropFirst(prefix.count)) }
            }
            return .next(fingerprint)
        } catch {
            return .stop(.wait("\(hashed.lastPathComponent) cannot be read (\(error))"))
        }
    }

    /// The message as the domain knows it: who called, when, and what its audio is.
    func voicemail(of message: SpoolMessage, _ metadata: MessageMetadata, _ heard: HeardAudio, fingerprint: String) -> Voicemail {
        let region = configuration.phone.defaultRegion
        let caller = Caller(
            reported: metadata.callerName.map(Caller.keptName),
            number: metadata.rawNumber.flatMap { PhoneNumber.normalise($0, defaultRegion: region) },
            rawNumber: metadata.rawNumber)
        return Voicemail(
            identity: metadata.identityPrefix + fingerprint,
            receivedAt: metadata.receivedAt, mailbox: metadata.mailbox, context: message.context,
            folder: message.folder, urgent: metadata.urgent, caller: caller, pbxMessageID: metadata.messageID,
            audio: heard.audio, audioError: heard.error)
    }

    struct MessageMetadata {
        var receivedAt: Date
        var mailbox: String
        var callerName: String?
        var rawNumber: String?
        var urgent: Bool
        var messageID: String?
        /// Identity without the audio hash: what a half-moved message is recognised by.
        var identityPrefix: String
        /// What was not taken as given, for the message's history.
        var notes: [String] = []
    }

    struct Problem: Error {
        let message: String
        var unfinished = false
        var empty = false
    }

    /// Before this, or more than a day after the clock, a message's own time is not
    /// believed: a PBX with its clock unset, or a corrupted file.
    static let earliestBelievable = Date(timeIntervalSince1970: 946_684_800)  // 2000-01-01

    /// The file's own modification time when `claimed` cannot be right, with why, for
    /// the message's history.
    func believable(_ claimed: Date, what: String, of message: SpoolMessage, at now: Date) -> (Date, note: String?) {
        let problem: String
        if claimed < Self.earliestBelievable {
            problem = "is before 2000"
        } else if claimed > now.addingTimeInterval(86_400) {
            problem = "is more than a day ahead of the clock"
        } else {
            return (claimed, nil)
        }
        let fileTime = (message.audioFiles + (message.metadataFile.map { [$0] } ?? [])).lazy.compactMap(Self.modificationDate).first
        let used = fileTime ?? now
        let zone = configuration.business.hours.timeZone
        return (used, "\(what) (\(ISO8601.format(claimed, in: zone))) \(problem); used the \(fileTime == nil ? "clock" : "audio file's time") instead")
    }

    func readMetadata(_ message: SpoolMessage, at now: Date) -> Result<MessageMetadata, Problem> {
        switch message.layout {
        case .asterisk:
            guard let file = message.metadataFile, let data = FileManager.default.contents(atPath: file.path) else {
                return .failure(Problem(message: "\(message.slot).txt cannot be read"))
            }
            let txt = AsteriskMessageFile(data: data)
            guard let origtime = txt.origtime else {
                return .failure(Problem(message: "\(file.lastPathComponent): no origtime (when the message was left), so it cannot be queued"))
            }
            let (name, number) = AsteriskCallerID.parse(txt.callerID ?? "")
            let urgent = txt.isUrgent || message.folder.caseInsensitiveCompare("Urgent") == .orderedSame
            let prefix = [message.context, message.mailbox, txt.messageID ?? "", String(origtime), ""].joined(separator: "/")
            let (received, note) = believable(
                Date(timeIntervalSince1970: TimeInterval(origtime)), what: "origtime=\(origtime)", of: message, at: now)
            return .success(
                MessageMetadata(
                    receivedAt: received, mailbox: message.mailbox,
                    callerName: name, rawNumber: number, urgent: urgent, messageID: txt.messageID, identityPrefix: prefix,
                    notes: note.map { [$0] } ?? []))
        case .sidecar:
            var sidecar = SidecarMetadata()
            if let file = message.metadataFile {
                guard let data = FileManager.default.contents(atPath: file.path) else {
                    return .failure(Problem(message: "\(file.lastPathComponent) cannot be read"))
                }
                do {
                    sidecar = try SidecarMetadata.read(data)
                } catch {
                    return .failure(Problem(message: "\(file.lastPathComponent): not the sidecar JSON (\(error))"))
                }
            }
            // Without a time of its own, the message was left when its audio was written
            // (push ingest dates its files by the service's clock).
            var received = message.audioFiles.first.flatMap(Self.modificationDate) ?? now
            var notes = extraNotes + sidecar.warnings
            switch sidecar.receivedAt(in: configuration.business.hours.timeZone) {
            case nil: break
            case .unreadable(let warning)?: notes.append(warning)
            case .read(let date, let note)?:
                if let note { notes.append(note) }
                let (checked, problem) = believable(date, what: "received_at", of: message, at: now)
                received = checked
                if let problem { notes.append(problem) }
            }
            let mailbox = sidecar.mailbox ?? ""
            let prefix = ["sidecar", mailbox, message.slot, String(Int64(received.timeIntervalSince1970)), ""].joined(separator: "/")
            return .success(
                MessageMetadata(
                    receivedAt: received, mailbox: mailbox, callerName: sidecar.callerName.flatMap { $0.isEmpty ? nil : $0 },
                    rawNumber: sidecar.callerNumber, urgent: sidecar.urgent ?? false, messageID: nil, identityPrefix: prefix,
                    notes: notes))
        }
    }

    /// A probed file's audio, with a warning when it was read but something is missing.
    enum Probed {
        case success(AudioSummary, warning: String?)
        case failure(Problem)
    }

    func probeAudio(_ file: URL) -> Probed {
        do {
            let info = try probe.probe(file)
            if info.frames == 0, Self.isUnfinishedWAV(file) {
                return .failure(Problem(message: "\(file.lastPathComponent): recording never finished (0 frames, header sizes never set)", unfinished: true))
            }
            var summary = AudioSummary(
                format: info.format, sampleRate: info.sampleRate, channels: info.channels, frames: info.frames,
                durationSeconds: info.durationSeconds, peak: info.peak, rms: info.rms,
                speechSeconds: info.speechSeconds, silent: info.silent)
            if let cut = Self.wavCutShort(file) {
                // What is missing may be the words: a cut file is never called silent.
                summary.silent = false
                return .success(summary, warning: String(
                    format: "%@ is cut short: its header promises %.1f s of audio, the file holds %.1f s",
                    file.lastPathComponent, cut.promised, cut.holds))
            }
            return .success(summary, warning: nil)
        } catch {
            let empty = FileStatus(path: file.path)?.size == 0
            return .failure(Problem(message: error.description, unfinished: empty, empty: empty))
        }
    }

    /// A WAV whose data chunk is shorter in the file than its header says: how many
    /// seconds the header promises and how many the file holds. Nil for other files, or
    /// when less than a block is missing.
    static func wavCutShort(_ file: URL) -> (promised: Double, holds: Double)? {
        guard let size = FileStatus(path: file.path)?.size, let header = WAVHeader(path: file.path) else { return nil }
        return header.cutShort(fileSize: Int64(size))
    }

    /// Asterisk writes 0 in the RIFF size while recording and patches it on close; a
    /// finished empty recording (hung up at the beep) has it set.
    static func isUnfinishedWAV(_ file: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return false }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 8), header.count == 8, header.prefix(4) == Data("RIFF".utf8)
        else { return false }
        return header.suffix(4).allSatisfy { $0 == 0 }
    }

    // MARK: - Committing: store, then move (serial)

    /// A message ready to store, with where its files go.
    private struct Storing {
        let message: SpoolMessage
        let voicemail: Voicemail
        let probed: URL?
        let archiveFolder: URL
        let intake: IntakeRules.Intake
    }

    /// Stores a prepared batch in one transaction, then moves each stored message's files.
    private func commitAll(_ messages: [SpoolMessage], _ preparations: [Preparation], at now: Date, actor: String, into summary: inout IngestSummary) {
        var storing: [Storing] = []
        var recordings: [Recording] = []
        let policy = configuration.callbacks
        let rules = configuration.intakeRules
        for (message, preparation) in zip(messages, preparations) {
            switch preparation {
            case .wait(let reason):
                message.files.forEach { summary.leave($0, because: reason, incomplete: true) }
            case .alreadyStored:
                summary.duplicates += 1
            case .quarantine(let reason):
                quarantine(message.files, name: message.location, at: now, reason: reason, into: &summary)
            case .ready(let voicemail, let probed, let notes):
                let deadline = policy.deadline(for: voicemail, hours: configuration.business.hours)
                let intake = rules.intake(voicemail, deadline: deadline, firstRun: summary.firstRun, at: now)
                let archiveFolder = archiveFolder(for: voicemail.receivedAt)
                storing.append(Storing(message: message, voicemail: voicemail, probed: probed, archiveFolder: archiveFolder, intake: intake))
                recordings.append(
                    Recording(
                        voicemail: voicemail, deadline: deadline, queue: intake.queued,
                        audioPath: { id in probed.map { archiveFolder.appendingPathComponent("\(id).\($0.pathExtension)").path } },
                        notes: notes + (voicemail.audio != nil ? voicemail.audioError.map { [$0] } ?? [] : [])
                            + (intake == .backlog ? ["found by the first run after its deadline had passed: no breach escalation"] : []),
                        escalatesBreach: intake.escalatesBreach))
            }
        }
        guard !recordings.isEmpty else { return }
        let outcomes: [Result<RecordOutcome, StoreError>]
        do {
            outcomes = try store.record(recordings, at: now, actor: actor, rules: configuration.escalationRules)
        } catch {
            outcomes = Array(repeating: .failure(error), count: recordings.count)
        }
        var mover = FileMover(keepOriginals: configuration.spool.keepOriginals)
        for (item, outcome) in zip(storing, outcomes) {
            if case .success(let stored) = outcome { summary.outcomes.append(stored) }
            finish(item, outcome, mover: &mover, into: &summary)
        }
    }

    /// After the row is committed: count it, log it, and move its files (other formats
    /// first, the probed audio last of the audio, the metadata last of all).
    private func finish(_ item: Storing, _ outcome: Result<RecordOutcome, StoreError>, mover: inout FileMover, into summary: inout IngestSummary) {
        guard let stored = count(item, outcome, into: &summary) else { return }
        if let error = item.voicemail.audioError, item.probed == nil {
            putAside(item, stored, reason: error, into: &summary)
        } else {
            archive(item, stored, mover: &mover, into: &summary)
        }
    }

    /// A message the store holds: new, or stored before (then where its audio was recorded).
    struct Stored {
        var id: Int64
        var recordedAudioPath: String?
        var duplicate: Bool
    }

    /// What the store said of one message, counted and logged; nil when its files are to
    /// stay where they are (not stored, or kept in the spool by `keep_originals`).
    private func count(_ item: Storing, _ outcome: Result<RecordOutcome, StoreError>, into summary: inout IngestSummary) -> Stored? {
        let (message, voicemail) = (item.message, item.voicemail)
        switch outcome {
        case .failure(let error):
            // A fault, not a message still being written: counted apart and the command fails.
            summary.leave(message.files[0], because: "not stored: \(error); will retry", incomplete: false)
            summary.notStored[Self.storeFault(error), default: 0] += 1
            logger.debug("could not store voicemail", metadata: ["voicemail.location": "\(message.location)", "error": "\(error)"])
            return nil
        case .success(.stored(let id, let callbackID, let joined)):
            summary.ingested += 1
            switch item.intake {
            case .storeOnly(.silent): summary.silentSkipped += 1
            case .storeOnly(.folder): summary.notQueued += 1
            case .backlog: summary.backlog += 1
            default: break
            }
            logger.info(
                "ingested voicemail",
                metadata: [
                    "voicemail.id": "\(id)", "voicemail.location": "\(message.location)",
                    "callback.id": "\(callbackID.map(String.init) ?? "none")", "callback.joined": "\(joined)",
                    "caller.number": "\(voicemail.caller.number?.e164 ?? "unknown")",
                    "audio.seconds": "\(voicemail.audio.map { String(format: "%.1f", $0.durationSeconds) } ?? "unreadable")",
                ])
            return Stored(id: id, recordedAudioPath: nil, duplicate: false)
        case .success(.duplicate(let id, let recordedPath)):
            if configuration.spool.keepOriginals {
                summary.duplicates += 1
                return nil
            }
            return Stored(id: id, recordedAudioPath: recordedPath, duplicate: true)
        }
    }

    /// Stored (and counted as ingested) with its error; its unreadable files are kept aside.
    private func putAside(_ item: Storing, _ stored: Stored, reason: String, into summary: inout IngestSummary) {
        if stored.duplicate { summary.duplicates += 1 }
        guard
            let folder = quarantine(
                item.message.files, name: "\(stored.id)", at: item.voicemail.receivedAt, reason: reason, into: &summary, storedMessage: true)
        else { return }
        do {
            try store.setQuarantinePath(voicemail: stored.id, folder.path)
        } catch {
            logger.error("could not record the quarantine folder", metadata: ["voicemail.id": "\(stored.id)", "error": "\(error)"])
        }
    }

    /// Moves the message's files into the archive, the heard audio last (its arrival is what
    /// a later pass checks). A full archive leaves them for the next pass, counted apart.
    private func archive(_ item: Storing, _ stored: Stored, mover: inout FileMover, into summary: inout IngestSummary) {
        let message = item.message
        let audio = message.audioFiles.filter { $0 != item.probed } + (item.probed.map { [$0] } ?? [])
        let ordered = audio + (message.metadataFile.map { [$0] } ?? [])
        do {
            for file in ordered {
                try mover.place(file, at: item.archiveFolder.appendingPathComponent("\(stored.id).\(file.pathExtension)"))
            }
            // A message whose move a full disk held back: now in the archive, say so.
            let archived = item.probed.map { item.archiveFolder.appendingPathComponent("\(stored.id).\($0.pathExtension)").path }
            if let archived, let recorded = stored.recordedAudioPath, recorded != archived {
                recordAudioPath(archived, of: stored.id)
                if stored.duplicate { summary.archivedNow += 1 }
            } else if stored.duplicate {
                summary.duplicates += 1
            }
        } catch {
            summary.notArchived["cannot archive into \(configuration.spool.archive): \(Self.reason(error))", default: 0] += 1
            logger.debug(
                "stored voicemail not yet archived",
                metadata: ["voicemail.id": "\(stored.id)", "voicemail.location": "\(message.location)", "error": "\(error)"])
            // Until the next pass moves it, `show` and the audio point where the file is.
            if let probed = item.probed, FileManager.default.fileExists(atPath: probed.path) {
                recordAudioPath(probed.path, of: stored.id)
            }
        }
    }

    private func recordAudioPath(_ path: String, of voicemailID: Int64) {
        do {
            try store.setAudioPath(voicemail: voicemailID, path)
        } catch {
            logger.error("could not record where the audio is", metadata: ["voicemail.id": "\(voicemailID)", "error": "\(error)"])
        }
    }

    /// A metadata file with no audio: the tail of a move a crash interrupted (its message
    /// is stored: archive it beside its audio), or a message whose audio has not arrived.
    private func recoverOrphan(_ orphan: SpoolMessage, at now: Date, fileClock: Date, into summary: inout IngestSummary) {
        guard let file = orphan.metadataFile else { return }
        if case .success(let metadata) = readMetadata(orphan, at: now) {
            let stored: Int64?
            do {
                stored = try store.voicemail(identityPrefix: metadata.identityPrefix)
            } catch {
                // The database cannot say whether its message is stored (it is down or out
                // of reach): never quarantine on that; look again on the next pass.
                summary.leave(file, because: "cannot look its message up: \(error); will retry", incomplete: false)
                summary.notStored[Self.storeFault(error), default: 0] += 1
                logger.debug("could not look up a message", metadata: ["voicemail.location": "\(orphan.location)", "error": "\(error)"])
                return
            }
            if let stored {
                let folder = archiveFolder(for: metadata.receivedAt)
                if !configuration.spool.keepOriginals {
                    do {
                        var mover = FileMover(keepOriginals: false)
                        try mover.place(file, at: folder.appendingPathComponent("\(stored).\(file.pathExtension)"))
                        // The tail of a move an earlier pass did not finish.
                        summary.archivedNow += 1
                    } catch {
                        summary.notArchived["cannot archive into \(configuration.spool.archive): \(Self.reason(error))", default: 0] += 1
                    }
                }
                return
            }
        }
        if Self.age(of: file, at: fileClock) >= Double(configuration.spool.giveUpAfter) {
            quarantine([file], name: orphan.location, at: now, reason: "\(file.lastPathComponent): no audio arrived within \(DurationText.format(configuration.spool.giveUpAfter))", into: &summary)
        } else {
            summary.leave(file, because: "no audio file beside it yet", incomplete: true)
        }
    }

    /// Puts `files` aside with a `.reason`; returns the folder, or nil if they stayed in the spool.
    @discardableResult
    private func quarantine(
        _ files: [URL], name: String, at date: Date, reason: String, into summary: inout IngestSummary, storedMessage: Bool = false
    ) -> URL? {
        let folder = URL(fileURLWithPath: configuration.spool.quarantine)
            .appendingPathComponent(Self.dayPath(date, in: configuration.business.hours.timeZone))
            .appendingPathComponent(FileMover.safeComponent(name.replacingOccurrences(of: "/", with: "-")))
        do {
            var mover = FileMover(keepOriginals: configuration.spool.keepOriginals)
            try mover.quarantine(files, in: folder, reason: reason)
            if storedMessage { summary.unreadable += 1 } else { summary.quarantined += 1 }
            summary.quarantineReasons.append(reason)
            logger.warning("quarantined voicemail", metadata: ["quarantine.folder": "\(folder.path)", "reason": "\(reason)"])
            return folder
        } catch {
            summary.notQuarantined += 1
            summary.problems.append(
                "\(files.first?.path ?? name): left in the spool, cannot quarantine into \(configuration.spool.quarantine): \(Self.reason(error))")
            return nil
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

    /// A store error without the message it was about: the same fault for every message.
    static func storeFault(_ error: StoreError) -> String {
        let text = error.message
        guard text.hasPrefix("could not store "), let colon = text.range(of: ": ") else { return text }
        return String(text[colon.upperBound...])
    }

    /// What went wrong with a file, in words (`FileError` says it; anything else as it is).
    static func reason(_ error: any Error) -> String {
        (error as? FileError)?.reason ?? "\(error)"
    }

    static func modificationDate(_ file: URL) -> Date? {
        FileStatus(path: file.path)?.modified
    }

    /// Seconds since the file last changed (0 if it cannot be read: treat as fresh).
    static func age(of file: URL, at clock: Date) -> Double {
        modificationDate(file).map { clock.timeIntervalSince($0) } ?? 0
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        case DecodingError.typeMismatch(_, let context): return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: return String(describing: error)
        }
    }
}

/// Result slots filled by parallel workers, each index written once.
final class PreparationSlots: Sendable {
    private let slots: Mutex<[Ingester.Preparation?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func set(_ index: Int, _ value: Ingester.Preparation) { slots.withLock { $0[index] = value } }

    var values: [Ingester.Preparation] { slots.withLock { $0.map { $0 ?? .wait("not prepared") } } }
}

/// What one ingest pass did, and every file it left behind with why.
public struct IngestSummary: Sendable, Equatable {
    public struct LeftFile: Sendable, Equatable {
        public var path: String
        public var reason: String
    }

    public var ingested = 0
    /// What storing each message did, in order (push ingest answers with it).
    public var outcomes: [RecordOutcome] = []
    /// Why each quarantined message was put aside, in order.
    public var quarantineReasons: [String] = []
    public var duplicates = 0
    /// Messages stored on an earlier pass whose files only now moved into the archive (a
    /// full archive, or a crash, had held them back).
    public var archivedNow = 0
    public var quarantined = 0
    /// Files expected to become messages on a later pass.
    public var incomplete = 0
    /// Stored but kept out of the queue (`callbacks.silent: skip`).
    public var silentSkipped = 0
    /// Messages in folders `spool.queue_folders` does not list (heard or filed): stored, not queued.
    public var notQueued = 0
    /// Messages a first run found long after they were left: queued without breach escalations.
    public var backlog = 0
    /// The store held no message when this pass began.
    public var firstRun = false
    /// Every file left in the spool, with the reason.
    public var leftBehind: [LeftFile] = []
    /// Stored with audio that could not be read: the message is queued, its files are in
    /// the quarantine.
    public var unreadable = 0
    /// Stored messages whose files could not be moved into the archive yet, counted by
    /// what went wrong: they stay in the spool and the next pass moves them.
    public var notArchived: [String: Int] = [:]
    /// Messages left in the spool because the store could not write them (or say whether
    /// they are stored), counted by the store's error: the next pass retries.
    public var notStored: [String: Int] = [:]
    /// Messages (or files) to be put aside that the quarantine could not take: left in the
    /// spool, each also listed in `problems`.
    public var notQuarantined = 0
    /// Failures the admin should look at; nothing was lost, but something needs a retry.
    public var problems: [String] = []

    /// Work this pass could not finish: the command exits non-zero.
    public var unfinished: Bool { !problems.isEmpty || !notArchived.isEmpty || !notStored.isEmpty || notQuarantined > 0 }

    /// Messages not stored because of a store fault.
    public var notStoredCount: Int { notStored.values.reduce(0, +) }
    /// Stored messages held in the spool because the archive could not take them.
    public var notArchivedCount: Int { notArchived.values.reduce(0, +) }

    public init() {}

    mutating func leave(_ file: URL, because reason: String, incomplete isIncomplete: Bool) {
        leftBehind.append(LeftFile(path: file.path, reason: reason))
        if isIncomplete { incomplete += 1 }
    }
}
