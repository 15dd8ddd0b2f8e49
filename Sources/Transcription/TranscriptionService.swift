import Foundation
import Logging
import Runtime
import ServiceLifecycle

/// `serve`'s transcription stage: keeps one transcriber process running beside ingest,
/// never in its way (a message is queued at once; its words follow). A process that dies
/// is started again, sooner at first, then at most once a minute; one that cannot start
/// (not installed) is said once, and the service carries on without transcripts.
public struct TranscriptionService: Service {
    let transcriber: Transcriber
    let logger: Logger
    /// Where a transcriber that is down shows as a warning (`/readyz`).
    let health: any HealthWarnings

    public init(transcriber: Transcriber, logger: Logger, health: any HealthWarnings = NoWarnings()) {
        self.transcriber = transcriber
        self.logger = logger
        self.health = health
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await supervise()
        }
    }

    private func supervise() async {
        var restarts = 0
        while !Task.isCancelled {
            let started = ContinuousClock.now
            do throws(TranscriberError) {
                try await transcriber.session(whenIdle: .poll(1)) { heard in
                    if let error = heard.error {
                        logger.warning("could not transcribe a message", metadata: ["voicemail.id": "\(heard.job.voicemailID)", "error": "\(error)"])
                    } else {
                        health.warn("transcriber", nil)
                        logger.info(
                            "transcribed a message",
                            metadata: [
                                "voicemail.id": "\(heard.job.voicemailID)", "seconds": "\(String(format: "%.1f", heard.seconds))",
                                "rules": "\(heard.findings?.matches.map(\.description).joined(separator: "; ") ?? "")",
                            ])
                    }
                }
                return
            } catch {
                switch error {
                case .unavailable(let why):
                    logger.warning(
                        "transcription is off: the transcriber cannot start; messages are queued without transcripts",
                        metadata: ["reason": "\(why)", "python": "\(transcriber.settings.python)"])
                    health.warn("transcriber", "cannot start: \(why)")
                    return
                case .stopped(let why):
                    if Task.isCancelled { return }
                    // A process that ran a good while before dying gets a fresh start.
                    if ContinuousClock.now - started > .seconds(300) { restarts = 0 }
                    restarts += 1
                    let wait = min(60.0, pow(2.0, Double(restarts - 1)))
                    logger.error("the transcriber stopped; starting it again", metadata: ["reason": "\(why)", "in.seconds": "\(wait)"])
                    health.warn("transcriber", "stopped: \(why); starting it again")
                    try? await Task.sleep(for: .seconds(wait))
                }
            }
        }
    }
}
