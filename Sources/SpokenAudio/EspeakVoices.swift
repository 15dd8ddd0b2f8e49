import Foundation

/// The voices espeak-ng has installed, read from the names of its voice files. The
/// configuration checks `greeting.voice` with this at start-up, where loading the library
/// (and the audio stack behind it) would cost more than the check; the synthesizer checks
/// with it too, so a voice the configuration accepts is one it speaks with.
///
/// A voice is named by its file under `espeak-ng-data/lang` or `espeak-ng-data/voices`
/// (`en-us`, `en`, `de`, `gmw/en-US`), case-insensitively, optionally with a variant from
/// `voices/!v` (`en-us+f3`): the names in the File column of `espeak-ng --voices`.
/// espeak-ng's own lookup also takes display names (`English (America)`, or `Klingon` for
/// `art/piqd`), which would let nearly any word through; they are not accepted here.
public struct EspeakVoices: Sendable {
    /// The `espeak-ng-data` folder the names were read from.
    public let folder: String
    let voices: Set<String>
    let variants: Set<String>

    /// The installed voices, or nil when no espeak-ng data folder is found (then the
    /// synthesizer reports its own, clearer failure to start).
    public static let installed: EspeakVoices? = dataFolder(environment: ProcessInfo.processInfo.environment)
        .map { EspeakVoices(folder: $0) }

    /// Where espeak-ng looks, in its own order: `$ESPEAK_DATA_PATH/espeak-ng-data`,
    /// `$HOME/espeak-ng-data`, then where distributions install it.
    static func dataFolder(environment: [String: String]) -> String? {
        var candidates: [String] = []
        for variable in ["ESPEAK_DATA_PATH", "HOME"] {
            if let base = environment[variable], !base.isEmpty { candidates.append(base + "/espeak-ng-data") }
        }
        #if arch(x86_64)
            candidates.append("/usr/lib/x86_64-linux-gnu/espeak-ng-data")
        #elseif arch(arm64)
            candidates.append("/usr/lib/aarch64-linux-gnu/espeak-ng-data")
        #endif
        candidates += [
            "/usr/share/espeak-ng-data", "/usr/local/share/espeak-ng-data", "/opt/homebrew/share/espeak-ng-data",
        ]
        return candidates.first { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: path + "/lang", isDirectory: &isFolder) && isFolder.boolValue
        }
    }

    public init(folder: String) {
        self.folder = folder
        var voices: Set<String> = []
        var variants: Set<String> = []
        for top in ["lang", "voices"] {
            for relative in Self.files(under: folder + "/" + top) {
                if top == "voices", relative.hasPrefix("!v/") {
                    variants.insert(String(relative.dropFirst(3)).lowercased())
                    continue
                }
                voices.insert(relative.lowercased())
                if let name = relative.split(separator: "/").last { voices.insert(name.lowercased()) }
            }
        }
        self.voices = voices
        self.variants = variants
    }

    /// Whether espeak-ng has the voice `name` (`en-us`, `de`, `en-us+f3`).
    public func contains(_ name: String) -> Bool {
        let parts = name.lowercased().split(separator: "+", maxSplits: 1, omittingEmptySubsequences: false)
        guard let voice = parts.first, voices.contains(String(voice)) else { return false }
        return parts.count == 1 || variants.contains(String(parts[1]))
    }

    /// Regular files below `folder`, as paths relative to it.
    private static func files(under folder: String) -> [String] {
        guard let walk = FileManager.default.enumerator(atPath: folder) else { return [] }
        var found: [String] = []
        while let relative = walk.nextObject() as? String {
            if walk.fileAttributes?[.type] as? FileAttributeType == .typeRegular { found.append(relative) }
        }
        return found
    }
}
