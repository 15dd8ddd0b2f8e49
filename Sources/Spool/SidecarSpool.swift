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

/// What a sidecar JSON file says; every field optional.
public struct SidecarMetadata: Sendable, Equatable, Decodable {
    public var callerNumber: String?
    public var callerName: String?
    public var receivedAt: String?
    public var mailbox: String?
    public var urgent: Bool?

    enum CodingKeys: String, CodingKey {
        case callerNumber = "caller_number"
        case callerName = "caller_name"
        case receivedAt = "received_at"
        case mailbox, urgent
    }

    /// Scripts write a number as a JSON number as often as a string; both are a number.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try? container.decodeIfPresent(String.self, forKey: .callerNumber) {
            callerNumber = text
        } else if let number = try? container.decodeIfPresent(Int64.self, forKey: .callerNumber) {
            callerNumber = String(number)
        } else if container.contains(.callerNumber), try !container.decodeNil(forKey: .callerNumber) {
            throw DecodingError.typeMismatch(
                String.self, .init(codingPath: [CodingKeys.callerNumber], debugDescription: "caller_number should be a string or a whole number"))
        }
        callerName = try container.decodeIfPresent(String.self, forKey: .callerName)
        receivedAt = try container.decodeIfPresent(String.self, forKey: .receivedAt)
        mailbox = try container.decodeIfPresent(String.self, forKey: .mailbox)
        urgent = try container.decodeIfPresent(Bool.self, forKey: .urgent)
    }

    public init(callerNumber: String? = nil, callerName: String? = nil, receivedAt: String? = nil, mailbox: String? = nil, urgent: Bool? = nil) {
        self.callerNumber = callerNumber
        self.callerName = callerName
        self.receivedAt = receivedAt
        self.mailbox = mailbox
        self.urgent = urgent
    }
}
