import Afterhours
import ArgumentParser
import AudioProbe
import Foundation
import Subprocess
import SystemPackage

struct PlayCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play a message's audio here (aplay, paplay or ffplay), or save it as a WAV with --out.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The message's number (the # beside it in show).")
    var id: Int64

    @Option(help: "Write the audio to this WAV file instead of playing it.")
    var out: String?

    static let players: [(String, [String])] = [("aplay", ["-q"]), ("paplay", []), ("ffplay", ["-nodisp", "-autoexit", "-loglevel", "quiet"])]

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        let searchPath = (context.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        let player = Self.players.lazy.compactMap { name, arguments in
            searchPath.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }.map { ($0, arguments) }
        }.first
        guard out != nil || player != nil else {
            throw CommandFailure("no audio player here (aplay, paplay or ffplay): save the message with --out FILE.wav")
        }
        let target = out.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-\(id)-\(UUID().uuidString).wav")
        defer { if out == nil { try? FileManager.default.removeItem(at: target) } }
        guard FileManager.default.createFile(atPath: target.path, contents: nil), let file = FileHandle(forWritingAtPath: target.path) else {
            throw CommandFailure("cannot write \(target.path)")
        }
        if let remote = desk.remote {
            try await remote.download("/api/v1/voicemails/\(id)/audio", to: file)
        } else {
            let stored = try await desk.callbacks().audio(id, for: desk.reader)
            guard let path = stored.existingFile else {
                throw CommandFailure("the audio of message #\(id) is no longer on this machine")
            }
            let wav = try PlayableWAV(URL(fileURLWithPath: path))
            try wav.read(0..<wav.byteCount) { try file.write(contentsOf: $0) }
        }
        try file.close()
        if let out {
            desk.print("Message #\(id) saved as \(out).")
            return
        }
        if let (program, arguments) = player {
            _ = try await Subprocess.run(.path(FilePath(program)), arguments: .init(arguments + [target.path]), output: .discarded, error: .discarded)
        }
    }
}
