import App
import ArgumentParser
import Foundation
import Presentation
import Runtime
import SpokenAudio

struct GreetingCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "greeting",
        abstract: "The greeting for a moment, stating the real callback time: as text, or spoken into a WAV.")

    @OptionGroup var global: LocalOptions

    @Option(help: "The moment (ISO 8601 with offset; default: now).")
    var at: String?

    @Flag(help: "Print the text (the default when no file is given).")
    var text = false

    @Option(help: "Speak it into this file: 8 kHz mono 16-bit PCM WAV.")
    var wav: String?

    @Option(help: "Speak it into this file: raw 8 kHz µ-law, as Asterisk's .ulaw.")
    var ulaw: String?

    @Flag(help: "The acknowledgement text a PBX or SMS gateway sends after a message, instead.")
    var acknowledgement = false

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        try desk.requireLocal("greeting")
        let moment = try at.map { try instant($0, option: "--at") } ?? desk.now
        // What a caller leaving a message then would be promised; the deadline when the
        // store cannot be read.
        let offer = try? await Wiring.promiseDesk(desk.configuration, store: desk.openStore()).current(at: moment).offer
        let greeting = try Greeting.at(moment, configuration: desk.configuration, promise: offer ?? nil)
        let words = acknowledgement ? greeting.acknowledgement : greeting.spoken
        let settings = desk.configuration.greeting
        let targets = [(wav, PromptFormat.wav), (ulaw, PromptFormat.ulaw)].compactMap { path, format in path.map { ($0, format) } }
        if !targets.isEmpty {
            let samples = try SpeechSynthesizer(voice: settings.voice, wordsPerMinute: settings.speed).synthesize(words)
            for (path, format) in targets {
                try PromptRecording.write(samples, format: format, to: URL(fileURLWithPath: path))
            }
        }
        if desk.json {
            let zone = desk.configuration.business.hours.timeZone
            desk.print(
                JSONValue.object([
                    ("at", .string(ISO8601.format(moment, in: zone))),
                    ("open", .bool(greeting.open)),
                    ("opens_at", greeting.opens.map { .string(ISO8601.format($0, in: zone)) } ?? .null),
                    ("callback_by", .string(ISO8601.format(greeting.callbackBy, in: zone))),
                    ("urgent_by", .string(ISO8601.format(greeting.urgentBy, in: zone))),
                    ("text", .string(words)),
                ]))
        } else if text || targets.isEmpty {
            desk.print(words)
        }
    }
}
