import Foundation

/// One message found in the spool: its metadata file, if any, and every audio file
/// recorded for it (Asterisk records one file per configured format).
public struct SpoolMessage: Sendable, Equatable {
    public enum Layout: String, Sendable, Equatable {
        /// `<context>/<mailbox>/<folder>/msgNNNN.txt` + audio.
        case asterisk
        /// `<name>.<audio>` + optional `<name>.json` at the spool's top level.
        case sidecar
    }

    public var layout: Layout
    public var context: String
    public var mailbox: String
    public var folder: String
    /// The slot name, `msg0000`, or the sidecar's base name; Asterisk renumbers slots, so
    /// it is not an identity.
    public var slot: String
    /// The `.txt` (Asterisk, always) or `.json` (sidecar, optional).
    public var metadataFile: URL?
    /// Audio files in order of preference: the first is the one to probe.
    public var audioFiles: [URL]

    /// Every file that belongs to the message; the metadata file last, since it marks the
    /// message as complete and so must be the last to leave the spool.
    public var files: [URL] { audioFiles + (metadataFile.map { [$0] } ?? []) }

    /// Where it was found, for messages and logs.
    public var location: String {
        layout == .asterisk ? "\(context)/\(mailbox)/\(folder)/\(slot)" : slot
    }
}

/// A file ingest did not take on this pass, and why.
public struct LeftBehind: Sendable, Equatable {
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// Audio without its `.txt` yet: Asterisk renames the `.txt` into place last.
        case waitingForMetadata
        /// The folder holds Asterisk's lock: it is being changed right now.
        case locked
        /// A greeting or a file the PBX keeps for itself, not a message.
        case notAMessage(String)

        public var description: String {
            switch self {
            case .waitingForMetadata: "audio without its .txt yet (Asterisk writes the .txt last)"
            case .locked: "folder locked by Asterisk; will retry"
            case .notAMessage(let what): what
            }
        }

        /// Whether the file is expected to become a message on a later pass.
        public var isIncomplete: Bool {
            switch self {
            case .waitingForMetadata, .locked: true
            case .notAMessage: false
            }
        }
    }

    public var file: URL
    public var reason: Reason

    public init(file: URL, reason: Reason) {
        self.file = file
        self.reason = reason
    }
}

/// What one pass over the spool found.
public struct SpoolScan: Sendable, Equatable {
    public var messages: [SpoolMessage] = []
    /// `.txt` files with no audio beside them.
    public var orphanMetadata: [SpoolMessage] = []
    public var leftBehind: [LeftBehind] = []

    public init() {}
}

/// Reads the Asterisk voicemail layout: `<root>/<context>/<mailbox>/<folder>/msgNNNN.*`.
///
/// Symlinked folders are never followed (FreePBX links `device/<ext>` to the real mailbox,
/// so a following scan would see every message twice), and `tmp/` is Asterisk's
/// recording area, never read.
public struct AsteriskSpool: Sendable {
    public let root: URL
    /// Audio extensions in order of preference for probing; matched exactly first
    /// (`wav` before `WAV`: PCM before GSM-in-WAV), then case-insensitively.
    public var audioPreference: [String]

    public static let defaultAudioPreference = ["wav", "WAV", "wav16", "flac", "gsm", "sln", "ulaw", "alaw", "ogg", "mp3"]

    public init(root: URL, audioPreference: [String] = AsteriskSpool.defaultAudioPreference) {
        self.root = root
        self.audioPreference = audioPreference
    }

    private static let greetingPrefixes = ["unavail.", "busy.", "greet.", "temp."]
    private static let ignoredFolders: Set<String> = ["tmp"]

    /// Hands over the tree one folder at a time, so a caller can finish each folder before
    /// reading the next and hold no more than a folder's worth of messages.
    public func scanFolders(_ body: (SpoolScan) -> Void) {
        for context in Self.directories(in: root) {
            for mailbox in Self.directories(in: context) {
                var loose = SpoolScan()
                for file in Self.files(in: mailbox) {
                    let name = file.lastPathComponent
                    let what = Self.greetingPrefixes.contains(where: name.hasPrefix)
                        ? "mailbox greeting, not a message" : "not in a mailbox folder"
                    loose.leftBehind.append(LeftBehind(file: file, reason: .notAMessage(what)))
                }
                if !loose.leftBehind.isEmpty { body(loose) }
                for folder in Self.directories(in: mailbox)
                where !Self.ignoredFolders.contains(folder.lastPathComponent) {
                    var scan = SpoolScan()
                    scanFolder(folder, context: context.lastPathComponent, mailbox: mailbox.lastPathComponent, into: &scan)
                    body(scan)
                }
            }
        }
    }

    private func scanFolder(_ folder: URL, context: String, mailbox: String, into scan: inout SpoolScan) {
        let files = Self.files(in: folder)
        if files.contains(where: { ["lock", ".lock"].contains($0.lastPathComponent) || $0.pathExtension == "lock" }) {
            scan.leftBehind += files.map { LeftBehind(file: $0, reason: .locked) }
            return
        }
        var slots: [String: [URL]] = [:]
        for file in files {
            let name = file.lastPathComponent
            guard name.hasPrefix("msg"), let dot = name.firstIndex(of: "."),
                name[name.index(name.startIndex, offsetBy: 3)..<dot].allSatisfy(\.isNumber)
            else {
                scan.leftBehind.append(LeftBehind(file: file, reason: .notAMessage("not a voicemail file")))
                continue
            }
            slots[String(name[..<dot]), default: []].append(file)
        }
        for (slot, slotFiles) in slots.sorted(by: { $0.key < $1.key }) {
            let metadata = slotFiles.first { $0.pathExtension == "txt" }
            let audio = slotFiles.filter { $0.pathExtension != "txt" }
            guard let metadata else {
                scan.leftBehind += audio.map { LeftBehind(file: $0, reason: .waitingForMetadata) }
                continue
            }
            guard !audio.isEmpty else {
                // Either its audio is still on its way, or an interrupted run already
                // archived the audio; the ingester tells the two apart.
                scan.orphanMetadata.append(
                    SpoolMessage(
                        layout: .asterisk, context: context, mailbox: mailbox, folder: folder.lastPathComponent,
                        slot: slot, metadataFile: metadata, audioFiles: []))
                continue
            }
            scan.messages.append(
                SpoolMessage(
                    layout: .asterisk, context: context, mailbox: mailbox, folder: folder.lastPathComponent,
                    slot: slot, metadataFile: metadata, audioFiles: ordered(audio)))
        }
    }

    /// Orders audio files by `audioPreference`; unknown extensions go last, by name.
    func ordered(_ audio: [URL]) -> [URL] {
        func rank(_ url: URL) -> Int {
            let ext = url.pathExtension
            if let exact = audioPreference.firstIndex(of: ext) { return exact * 2 }
            if let loose = audioPreference.firstIndex(where: { $0.lowercased() == ext.lowercased() }) {
                return loose * 2 + 1
            }
            return Int.max
        }
        return audio.sorted { (rank($0), $0.lastPathComponent) < (rank($1), $1.lastPathComponent) }
    }

    /// Real subdirectories, sorted; symlinks and dotfiles are skipped.
    public static func directories(in directory: URL) -> [URL] {
        entries(in: directory).filter { $0.kind == .directory }.map(\.url)
    }

    /// Regular files, sorted; symlinks and dotfiles other than `.lock` are skipped.
    public static func files(in directory: URL) -> [URL] {
        entries(in: directory).filter { $0.kind == .regular }.map(\.url)
    }

    private static func entries(in directory: URL) -> [(url: URL, kind: FileStatus.Kind)] {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.sorted().compactMap { name in
            if name.hasPrefix("."), name != ".lock" { return nil }
            let url = directory.appendingPathComponent(name)
            // lstat does not follow symlinks: a link is never taken for a folder or a file.
            guard let status = FileStatus(path: url.path) else { return nil }
            return (url, status.kind)
        }
    }
}
