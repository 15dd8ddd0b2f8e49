import AudioProbe
import Domain
import Foundation
import Logging
import Settings
import Subprocess
import Synchronization
import SystemPackage
import UseCases

/// Why the transcriber could not work.
public enum TranscriberError: Error, CustomStringConvertible, Sendable, Equatable {
    /// It could not start: not installed, or its model is missing. Trying again will not help.
    case unavailable(String)
    /// It stopped while working (killed, crashed, hung): start it again.
    case stopped(String)

    public var description: String {
        switch self {
        case .unavailable(let why): "the transcriber is not available: \(why)"
        case .stopped(let why): "the transcriber stopped: \(why)"
        }
    }
}

/// The transcriber as a process: Whisper (faster-whisper, in Python) started from
/// `transcription.python`, spoken to in JSON lines over its standard input and output,
/// one message at a time. Everything about its work lives in the store, so a process
/// that dies loses nothing: the message it held is tried again.
public struct Transcriber: Sendable {
    public let settings: Settings.Configuration.TranscriptionSettings
    public let desk: TranscriptDesk
    let now: @Sendable () -> Date
    let logger: Logger
    /// How long a leased message stays with one transcriber before another may take it.
    let leaseSeconds = 300

    public init(
        settings: Settings.Configuration.TranscriptionSettings, desk: TranscriptDesk, now: @escaping @Sendable () -> Date, logger: Logger
    ) {
        self.settings = settings
        self.desk = desk
        self.now = now
        self.logger = logger
    }

    /// What a session does when no message is waiting.
    public enum WhenIdle: Sendable {
        /// Return: `callbacks transcribe` has done what was asked.
        case finish
        /// Look again after this many seconds: `serve`.
        case poll(Double)
    }

    /// One message heard, for progress and logs.
    public struct Heard: Sendable {
        public var job: TranscriptJob
        public var findings: TranscriptFindings?
        public var error: String?
        public var seconds: Double
    }

    /// Starts the process and feeds it waiting messages (all of them, or `only` one) until
    /// none is left (`finish`) or the task is cancelled. Throws `unavailable` when it cannot
    /// start, `stopped` when it dies; the message it held goes back to waiting.
    public func session(only: Int64? = nil, whenIdle: WhenIdle, heard: @escaping @Sendable (Heard) -> Void = { _ in }) async throws(TranscriberError) {
        let stderrTail = LastLines()
        // The PCM copies the process hears, in a folder of this session's own.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-transcribe-\(UUID().uuidString)")
        let executable: Executable = settings.python.contains("/") ? .path(FilePath(settings.python)) : .name(settings.python)
        var arguments = ["-m", "afterhours_transcriber", "--model", settings.model, "--threads", "\(settings.threads)"]
        arguments += ["--language", settings.language]
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        } catch {
            throw .unavailable("cannot make the scratch folder \(scratch.path): \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outcome: Result<Void, TranscriberError>
        do {
            let result = try await Subprocess.run(
                executable, arguments: Arguments(arguments),
                environment: .inherit.updating([
                    "OMP_NUM_THREADS": "\(settings.threads)", "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1",
                ]),
                input: .inputWriter, output: .sequence, error: .sequence
            ) { execution -> Result<Void, TranscriberError> in
                // Its standard error is kept (the last lines) to say why it stopped.
                let errors = Task {
                    for try await line in execution.standardError.strings() {
                        stderrTail.append(line)
                    }
                }
                defer { errors.cancel() }
                var lines = execution.standardOutput.strings().makeAsyncIterator()
                let result = await work(
                    execution: execution, lines: &lines, scratch: scratch, only: only, whenIdle: whenIdle, heard: heard)
                try? await execution.standardInputWriter.finish()
                if case .failure = result { try? execution.send(signal: .kill) }
                return result
            }
            outcome = result.closureResult
        } catch let error as SubprocessError {
            outcome = .failure(.unavailable("cannot run \(settings.python): \(error)"))
        } catch {
            outcome = .failure(.stopped(String(describing: error)))
        }
        if case .failure(let failure) = outcome {
            let tail = stderrTail.lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            switch failure {
            case .unavailable(let why) where why.hasSuffix("before it was ready") && !tail.isEmpty:
                throw .unavailable("\(settings.python) -m afterhours_transcriber said: \(tail.suffix(3).joined(separator: " | "))")
            default: throw failure
            }
        }
    }

    /// Starts the process, waits until it has loaded its model, and stops it: whether
    /// transcription would work here (`callbacks doctor`). No message has id 0, so none is heard.
    public func checkStarts() async throws(TranscriberError) {
        try await session(only: 0, whenIdle: .finish)
    }

    /// The conversation with a running process.
    private func work(
        execution: Execution<CustomWriteInput, SequenceOutput, SequenceOutput>,
        lines: inout SubprocessOutputSequence.StringSequence<UTF8>.AsyncIterator,
        scratch: URL, only: Int64?, whenIdle: WhenIdle, heard: @Sendable (Heard) -> Void
    ) async -> Result<Void, TranscriberError> {
        // It says it is ready once the model is loaded, or why it cannot start.
        guard let first = try? await lines.next() else { return .failure(.unavailable("it exited before it was ready")) }
        let greeting = WorkerLine(first)
        if let fatal = greeting.fatal { return .failure(.unavailable(fatal)) }
        guard greeting.ready else { return .failure(.unavailable("it said \"\(first.prefix(200))\" instead of being ready")) }
        logger.info("transcriber ready", metadata: ["model": "\(settings.model)", "threads": "\(settings.threads)"])

        while !Task.isCancelled {
            let job: TranscriptJob?
            do {
                job = try await desk.next(only: only, at: now(), leaseSeconds: leaseSeconds)
            } catch {
                logger.error("could not read the transcript work", metadata: ["error": "\(error)"])
                job = nil
            }
            guard let job else {
                switch whenIdle {
                case .finish: return .success(())
                case .poll(let seconds):
                    try? await Task.sleep(for: .seconds(seconds))
                    continue
                }
            }
            let started = ContinuousClock.now
            let answer = await hear(job, execution: execution, lines: &lines, scratch: scratch)
            let seconds = (ContinuousClock.now - started).seconds
            switch answer {
            case .success(let said):
                do {
                    let findings = try await desk.record(
                        job, text: said.text, cutShort: said.cutShort, confidence: said.confidence, at: now())
                    if said.cutShort {
                        logger.warning(
                            "the transcriber repeated itself; the transcript stops before the loop",
                            metadata: ["voicemail.id": "\(job.voicemailID)"])
                    }
                    heard(Heard(job: job, findings: findings, error: nil, seconds: seconds))
                } catch {
                    logger.error("could not store a transcript", metadata: ["voicemail.id": "\(job.voicemailID)", "error": "\(error)"])
                }
            case .failure(.messageError(let why)):
                await giveBack(job, error: why)
                heard(Heard(job: job, findings: nil, error: why, seconds: seconds))
            case .failure(.process(let why)):
                await giveBack(job, error: "the transcriber stopped while hearing it: \(why)")
                heard(Heard(job: job, findings: nil, error: why, seconds: seconds))
                return .failure(.stopped(why))
            }
            if only != nil { return .success(()) }
        }
        return .success(())
    }

    /// A message's words as the process answered them.
    private struct Said {
        var text: String
        /// The process found a repetition loop it could not decode away and kept the words before it.
        var cutShort: Bool
        var confidence: TranscriptConfidence?
    }

    private enum HearingError: Error {
        /// This message could not be heard; the process is fine.
        case messageError(String)
        /// The process died or stopped answering.
        case process(String)
    }

    /// One message: a PCM copy for the process, the request, the answer. A process that
    /// does not answer within four times the message's length plus a minute is killed.
    private func hear(
        _ job: TranscriptJob, execution: Execution<CustomWriteInput, SequenceOutput, SequenceOutput>,
        lines: inout SubprocessOutputSequence.StringSequence<UTF8>.AsyncIterator, scratch: URL
    ) async -> Result<Said, HearingError> {
        let copy = scratch.appendingPathComponent("\(job.voicemailID).wav")
        defer { try? FileManager.default.removeItem(at: copy) }
        do {
            try Self.writePCM(from: job.audioPath, to: copy)
        } catch {
            return .failure(.messageError(String(describing: error)))
        }
        let request = WorkerRequest(id: job.voicemailID, audio: copy.path)
        guard let data = try? JSONEncoder().encode(request), let line = String(data: data, encoding: .utf8) else {
            return .failure(.messageError("could not write the request"))
        }
        do {
            _ = try await execution.standardInputWriter.write(line + "\n")
        } catch {
            return .failure(.process("it no longer reads its input (\(error))"))
        }
        let timeout = 60 + job.durationSeconds * 4
        let watchdog = Task {
            try await Task.sleep(for: .seconds(timeout))
            try? execution.send(signal: .kill)
        }
        defer { watchdog.cancel() }
        while true {
            let next: String?
            do {
                next = try await lines.next()
            } catch {
                return .failure(.process("its output could not be read (\(error))"))
            }
            guard let next else {
                return .failure(.process(watchdog.isCancelled ? "it exited" : "it exited or was killed while hearing message #\(job.voicemailID)"))
            }
            let answer = WorkerLine(next)
            guard answer.id == job.voicemailID else {
                logger.warning("transcriber said something unexpected", metadata: ["line": "\(next.prefix(200))"])
                continue
            }
            if let text = answer.text {
                let confidence = answer.avgLogprob == nil && answer.noSpeechProb == nil
                    ? nil : TranscriptConfidence(avgLogprob: answer.avgLogprob, noSpeechProb: answer.noSpeechProb)
                return .success(Said(text: text, cutShort: answer.cutShort, confidence: confidence))
            }
            return .failure(.messageError(answer.error ?? "it gave no words and no reason"))
        }
    }

    private func giveBack(_ job: TranscriptJob, error: String) async {
        do {
            try await desk.failed(job, error: error, at: now())
        } catch {
            logger.error("could not record a transcript failure", metadata: ["voicemail.id": "\(job.voicemailID)", "error": "\(error)"])
        }
    }

    /// Any audio libsndfile reads, as 16-bit PCM WAV at its own rate: the one format the
    /// transcriber is given.
    static func writePCM(from source: String, to destination: URL) throws {
        let wav = try PlayableWAV(URL(fileURLWithPath: source))
        guard FileManager.default.createFile(atPath: destination.path, contents: nil) else {
            throw TranscriberError.stopped("cannot write \(destination.path)")
        }
        let handle = try FileHandle(forWritingTo: destination)
        defer { try? handle.close() }
        try wav.read(0..<wav.byteCount) { chunk in try handle.write(contentsOf: chunk) }
    }
}

/// The last lines a process wrote to its standard error, to say why it stopped.
final class LastLines: Sendable {
    private let kept = Mutex<[String]>([])

    func append(_ line: String) {
        kept.withLock { lines in
            lines.append(line)
            if lines.count > 12 { lines.removeFirst(lines.count - 12) }
        }
    }

    var lines: [String] { kept.withLock { $0 } }
}

/// A request line: the message's id and the PCM copy to hear.
struct WorkerRequest: Encodable {
    var id: Int64
    var audio: String
}

/// A line from the process, read leniently: any field may be missing.
struct WorkerLine {
    var ready = false
    var fatal: String?
    var id: Int64?
    var text: String?
    /// The words stop where Whisper began repeating itself (the worker's "cut_short").
    var cutShort = false
    /// The decoder's scores (the worker's "avg_logprob" and "no_speech_prob").
    var avgLogprob: Double?
    var noSpeechProb: Double?
    var error: String?

    init(_ line: String) {
        guard let data = line.data(using: .utf8),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return }
        ready = object["ready"] as? Bool ?? false
        fatal = object["fatal"] as? String
        id = (object["id"] as? NSNumber)?.int64Value
        text = object["text"] as? String
        cutShort = object["cut_short"] as? Bool ?? false
        avgLogprob = (object["avg_logprob"] as? NSNumber)?.doubleValue
        noSpeechProb = (object["no_speech_prob"] as? NSNumber)?.doubleValue
        error = object["error"] as? String
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
