import Foundation

/// The layout for any PBX or script: `<spool>/<name>.<audio>` plus an optional
/// `<name>.json` written last. Dotfiles and `*.tmp`/`*.part` files are never read.
public struct SidecarSpool: Sendable {
    public let root: URL
    public var audioExtensions: Set<String>

    public static let defaultAudioExtensions: Set<String> = [
        "wav", "wav16", "gsm", "ulaw", "ul", "alaw", "al", "sln", "slin", "sln16", "flac", "ogg", "oga", "opus", "mp3",
    ]

    public init(root: URL, audioExtensions: Set<String> = SidecarSpool.defaultAudioExtensions) {
        self.root = root
        self.audioExtensions = audioExtensions
    }

    /// Adds the top-level files of `root` to `scan`.
    public func scan(into scan: inout SpoolScan) {
        var byName: [String: [URL]] = [:]
        for file in AsteriskSpool.files(in: root) {
            let ext = file.pathExtension.lowercased()
            if ["tmp", "part"].contains(ext) { continue }  // still being written: not ours to read
            let name = file.deletingPathExtension().lastPathComponent
            guard audioExtensions.contains(ext) || ext == "json" else {
                scan.leftBehind.append(LeftBehind(file: file, reason: .notAMessage("not an audio or sidecar file")))
                continue
            }
            byName[name, default: []].append(file)
        }
        for (name, files) in byName.sorted(by: { $0.key < $1.key }) {
            let json = files.first { $0.pathExtension.lowercased() == "json" }
            let audio = files.filter { $0.pathExtension.lowercased() != "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
            guard !audio.isEmpty else {
                if let json { scan.orphanMetadata.append(message(name, json: json, audio: [])) }
                continue
            }
            scan.messages.append(message(name, json: json, audio: audio))
        }
    }

    private func message(_ name: String, json: URL?, audio: [URL]) -> SpoolMessage {
        SpoolMessage(layout: .sidecar, context: "sidecar", mailbox: "", folder: "", slot: name, metadataFile: json, audioFiles: audio)
    }
}

