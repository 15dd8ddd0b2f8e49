import Foundation
import Logging
import ServiceLifecycle
import UseCases

/// Part of `callbacks serve` when it answers HTTP: forgets push `Idempotency-Key`s older
/// than `http.idempotency_window`, at start and then every hour.
public struct PushKeyPurge: Service {
    let keys: PushKeys
    let now: @Sendable () -> Date
    let logger: Logger

    public init(keys: PushKeys, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.keys = keys
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let purged = try await keys.purge(at: now())
                    if purged > 0 { logger.info("purged push idempotency keys", metadata: ["keys.purged": "\(purged)"]) }
                } catch {
                    logger.warning("could not purge push idempotency keys; trying again in an hour", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(3600))
            }
        }
    }
}
