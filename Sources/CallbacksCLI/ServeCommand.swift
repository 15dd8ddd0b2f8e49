import App
import ArgumentParser
import Foundation
import HTTPService
import Ingest
import Logging
import Runtime
import ServiceLifecycle

struct ServeCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "The service: watch the spool, deliver notifications, answer HTTP (http.listen), until SIGTERM or SIGINT.")

    @OptionGroup var global: ConfigOption

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        try desk.requireLocal("serve")
        let now = try CommandClock.running(environment: context.environment)
        // Stamped by the service's clock, as everything it stores is.
        let zone = desk.configuration.business.hours.timeZone
        var logger = Logger(label: "afterhours") { ServiceLogHandler(label: $0, now: now, timeZone: zone) }
        logger.logLevel = desk.logLevel ?? .info
        let store = try desk.openStore()
        let health = ServiceHealth()
        var services = Wiring.services(
            configuration: desk.configuration, store: store, environment: context.environment, now: now, logger: logger, health: health)
        if let listen = desk.configuration.http.listen {
            let metrics = ServiceMetrics()
            metrics.bootstrap()
            let desks = Wiring.desks(desk.configuration, store: store, insideService: true)
            let push = PushIngest(
                configuration: desk.configuration,
                ingester: Ingester(configuration: PushIngest.settings(desk.configuration), store: store, logger: logger),
                keys: desks.pushKeys, logger: logger)
            let face = HTTPFace(configuration: desk.configuration, desks: desks, now: now, push: push, metrics: metrics, health: health)
            do {
                services.append(.init(service: try face.application(listen: listen, logger: logger)))
                services.append(
                    .init(service: PushKeyPurge(keys: desks.pushKeys, now: now, logger: logger)))
            } catch {
                throw CommandFailure(error.message)
            }
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info(
            "afterhours serving",
            metadata: [
                "config": "\(desk.configuration.file ?? "built-in defaults")",
                "database": "\(desk.configuration.storage.shownDatabase)",
            ])
        try await group.run()
    }
}
