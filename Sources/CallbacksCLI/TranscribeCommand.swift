import App
import ArgumentParser
import Domain
import Foundation
import Synchronization
import Transcription
import UseCases

/// `callbacks transcribe`: the transcription stage by hand, with the same transcriber
/// `serve` runs. Waiting messages by default; `--all` hears every message again (after
/// changing the model, say); an id hears that one.
struct TranscribeCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcribe",
        abstract: "Transcribe waiting messages now (or one message, or --all of them again), on this machine.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "One message's number (as in `show`'s messages and `play`).")
    var id: Int64?

    @Flag(help: "Transcribe every message with audio again, not only those waiting.")
    var all = false

    func validate() throws {
        if all, id != nil { throw ValidationError("give a message number or --all, not both") }
        if let id, id < 1 { throw ValidationError("message numbers start at 1; \(id) is not one") }
    }

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        if let remote = desk.remote {
            // Through a server: its transcriber hears the message, not this machine.
            guard let id, !all else {
                throw CommandFailure("through a server, give one message's number: callbacks transcribe ID (the server's transcriber hears it)")
            }
            desk.print(try await remote.call(.POST, "/api/v1/voicemails/\(id)/transcribe").text)
            return
        }
        let store = try desk.openStore()
        let transcripts = Wiring.transcriptDesk(desk.configuration, store: store)
        if all || id != nil { try await transcripts.ask(voicemail: id) }
        // One message asked for is one to hear, however many others wait.
        let total = id != nil ? 1 : try await transcripts.backlog().pending
        guard total > 0 else {
            desk.print("No messages wait for a transcript.")
            return
        }
        let terminal = isatty(STDERR_FILENO) == 1
        let counts = Counts()
        if terminal { FileHandle.standardError.write(Data("Starting the transcriber (\(desk.configuration.transcription.model))…".utf8)) }
        let transcriber = Transcriber(
            settings: desk.configuration.transcription, desk: transcripts, now: { desk.now }, logger: desk.logger)
        do throws(TranscriberError) {
            try await transcriber.session(only: id, whenIdle: .finish) { heard in
                let (done, failed) = counts.add(failed: heard.error != nil)
                if terminal {
                    let line = "transcribed \(done + failed) of \(total)" + (failed > 0 ? " (\(failed) failed)" : "")
                        + ", \(max(0, total - done - failed)) left"
                    FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
                }
            }
        } catch {
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            // Turned off and not installed: the setting is the news, not Python's complaint.
            if case .unavailable = error, !desk.configuration.transcription.enabled {
                throw CommandFailure(
                    "transcription is turned off (transcription.enabled), and the transcriber is not installed here: "
                        + "install it (docs/transcription.md) to transcribe by hand")
            }
            throw CommandFailure("\(error)")
        }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let (done, failed) = counts.add(failed: false, count: false)
        var summary = "Transcribed \(done) message\(done == 1 ? "" : "s")."
        if failed > 0 { summary += " \(failed) could not be transcribed: `callbacks show` says why under each message." }
        desk.print(summary)
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Messages heard so far, counted from the transcriber's callbacks.
final class Counts: Sendable {
    private let state = Mutex<(done: Int, failed: Int)>((0, 0))

    @discardableResult
    func add(failed: Bool, count: Bool = true) -> (Int, Int) {
        state.withLock { state in
            if count {
                if failed { state.failed += 1 } else { state.done += 1 }
            }
            return (state.done, state.failed)
        }
    }
}

/// `callbacks block NUMBER --reason TEXT`: the owner's last resort for an abusive caller.
struct BlockCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "block",
        abstract: "Keep a number's messages from staff (owner only): its callbacks close; still stored and counted, never queued.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The caller's number, written any way.")
    var number: String

    @Option(help: "Why, kept with the block.")
    var reason: String

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        desk.print(try await desk.client.block(number, reason: reason))
    }
}

struct UnblockCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "unblock", abstract: "Queue a blocked number's new messages again (owner only); closed callbacks stay closed.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The caller's number, written any way.")
    var number: String

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        desk.print(try await desk.client.unblock(number))
    }
}

struct BlockedCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocked", abstract: "The blocked numbers, why, and the messages kept from staff (owner only).")

    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        desk.print(try await desk.client.blocked())
    }
}
