import FileErrors
import Foundation
import Logging
import Presentation
import Runtime
import ServiceLifecycle
import Settings
import SpokenAudio
import UseCases

/// Keeps the spoken greeting in `greeting.folder` saying the current promise: rewritten
/// (atomically) whenever its words change — at opening, at closing, and when the promise
/// moves — and left alone otherwise. The words are kept beside it in `<name>.txt`.
public struct GreetingWriter: Sendable {
    public let configuration: Configuration
    public let folder: URL

    public init?(configuration: Configuration) {
        guard let folder = configuration.greeting.folder else { return nil }
        self.configuration = configuration
        self.folder = URL(fileURLWithPath: folder)
    }

    public enum Outcome: Sendable, Equatable { case rewritten(String), unchanged }

    var textFile: URL { folder.appendingPathComponent("\(configuration.greeting.name).txt") }

    /// Brings the recordings up to date for `now`, saying `promise` (the forecast's offer).
    public func update(at now: Date, promise: Date? = nil) throws -> Outcome {
        let text = try Greeting.at(now, configuration: configuration, promise: promise).spoken
        let current = try? String(contentsOf: textFile, encoding: .utf8)
        let formats = configuration.greeting.formats.compactMap(PromptFormat.init(rawValue:))
        let present = formats.allSatisfy { FileManager.default.fileExists(atPath: recording($0).path) }
        if current == text, present { return .unchanged }
        let samples = try SpeechSynthesizer(voice: configuration.greeting.voice, wordsPerMinute: configuration.greeting.speed)
            .synthesize(text)
        for format in formats {
            try PromptRecording.write(samples, format: format, to: recording(format))
        }
        // The words last: if anything above failed, the next tick tries again.
        do {
            try Data(text.utf8).write(to: textFile, options: .atomic)
        } catch {
            throw FileError("cannot write \(textFile.path)", path: textFile.path, error: error)
        }
        return .rewritten(text)
    }

    func recording(_ format: PromptFormat) -> URL {
        folder.appendingPathComponent("\(configuration.greeting.name).\(format.rawValue)")
    }
}

/// Runs the `GreetingWriter` every few seconds under `callbacks serve`.
public struct GreetingService: Service {
    let writer: GreetingWriter
    /// Where the promise the greeting states comes from; nil: the deadline.
    let promises: PromiseDesk?
    let now: @Sendable () -> Date
    let logger: Logger
    let work = BlockingQueue(label: "afterhours.greeting")

    public init(writer: GreetingWriter, promises: PromiseDesk? = nil, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.writer = writer
        self.promises = promises
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let (writer, moment) = (writer, now())
                    // The forecast's offer; the deadline while the store cannot say.
                    let promise = try? await promises?.current(at: moment).offer
                    if case .rewritten(let text) = try await work.run({ try writer.update(at: moment, promise: promise ?? nil) }) {
                        logger.info("greeting updated", metadata: ["greeting.folder": "\(writer.folder.path)", "greeting.text": "\(text)"])
                    }
                } catch {
                    logger.error("greeting not updated", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(10))
            }
        }
    }
}
