import CallbackStore
import Foundation
import Logging
import ServiceLifecycle

/// The one place that knows which services `callbacks serve` runs: the spool watcher and
/// ingest, the outbox (with breach sweeps), and the spoken greeting when configured.
/// `serve` builds its `ServiceGroup` from these; a new door (HTTP) is added here.
public enum Wiring {
    public static func services(
        configuration: Configuration, store: CallbackStore, environment: [String: String],
        now: @escaping @Sendable () -> Date, logger: Logger
    ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let ingest = IngestService(
            ingester: Ingester(configuration: configuration, store: store, logger: logger), now: now, logger: logger)
        let outbox = OutboxService(
            store: store, notifier: Notifier(configuration: configuration, environment: environment),
            now: now, logger: logger, sweepBreaches: configuration.escalation.onBreach)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: ingest), .init(service: outbox)]
        if let writer = GreetingWriter(configuration: configuration) {
            services.append(.init(service: GreetingService(writer: writer, now: now, logger: logger)))
        }
        return services
    }
}
