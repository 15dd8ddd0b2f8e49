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
        // The audio is fetched first, into a file of its own: an unknown number or a refusal
        // is said as such (not as a missing player) and never touches the target.
        let destination = out.map { URL(fileURLWithPath: $0) }
        let folder = destination?.deletingLastPathComponent() ?? FileManager.default.temporaryDirectory
        let name = destination.map { ".\($0.lastPathComponent).\(UUID().uuidString).part" } ?? "afterhours-\(id)-\(UUID().uuidString).wav"
        let partial = folder.appendingPathComponent(name)
        defer { try? FileManager.default.removeItem(at: partial) }
        try await fetch(desk, into: partial)
        if let destination, let out {
            // rename(2) replaces the target in one step: it holds the old audio or the new, never half.
            guard rename(partial.path, destination.path) == 0 else {
                throw CommandFailure("cannot write \(out): \(String(cString: strerror(errno)))")
            }
            desk.print("Message #\(id) saved as \(out).")
            return
        }
        let searchPath = (context.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        let player = Self.players.lazy.compactMap { name, arguments in
            searchPath.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }.map { ($0, arguments) }
        }.first
        guard let (program, arguments) = player else {
            throw CommandFailure("no audio player here (aplay, paplay or ffplay): save the message with --out FILE.wav")
        }
        _ = try await Subprocess.run(.path(FilePath(program)), arguments: .init(arguments + [partial.path]), output: .discarded, error: .discarded)
    }

    /// Writes message `id`'s audio as a WAV to `file`, locally or from the server.
    private func fetch(_ desk: Desk, into file: URL) async throws {
        let audio: PlayableWAV?
        if desk.remote == nil {
            let stored = try await desk.callbacks().audio(id, for: desk.reader)
            guard let path = stored.existingFile else {
                throw CommandFailure("the audio of message #\(id) is no longer on this machine")
            }
            audio = try PlayableWAV(URL(fileURLWithPath: path))
        } else {
            audio = nil
        }
        guard FileManager.default.createFile(atPath: file.path, contents: nil), let handle = FileHandle(forWritingAtPath: file.path) else {
            throw CommandFailure("cannot write \((out ?? file.path)): cannot create a file in \(file.deletingLastPathComponent().path)")
        }
        defer { try? handle.close() }
        if let audio {
            try audio.read(0..<audio.byteCount) { try handle.write(contentsOf: $0) }
        } else if let remote = desk.remote {
            try await remote.download("/api/v1/voicemails/\(id)/audio", to: handle)
        }
        try handle.synchronize()
    }
}
