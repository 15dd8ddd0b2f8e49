import Domain
import Foundation
import Logging
import ServiceLifecycle
import UseCases

/// Runs the forecast under `callbacks serve` (DESIGN §10): promises every new callback
/// within seconds of its message being stored, and keeps the at-risk marks, the greeting's
/// offer and the metrics current. Logs when the number at risk changes, not every pass.
public struct PromiseService: Service {
    let promises: PromiseDesk
    let now: @Sendable () -> Date
    let logger: Logger
    /// How often it plans: well inside the minute DESIGN asks for, and as often as a plan
    /// is reused (`PromiseDesk.reuse`).
    public static let interval: Duration = .seconds(5)

    public init(promises: PromiseDesk, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.promises = promises
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var atRisk: Int?
            var failing = false
            while !Task.isCancelled {
                do {
                    let plan = try await promises.plan(at: now())
                    failing = false
                    if plan.atRisk.count != atRisk {
                        if plan.atRisk.count > 0 || atRisk != nil {
                            logger.notice(
                                "callbacks at risk", metadata: ["promises.at_risk": "\(plan.atRisk.count)", "promises.handling_samples": "\(plan.model.samples)"])
                        }
                        atRisk = plan.atRisk.count
                    }
                } catch {
                    // Once while it lasts: the store's own faults are logged where they happen.
                    if !failing { logger.error("no forecast", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                try? await Task.sleep(for: Self.interval)
            }
        }
    }
}
