import Afterhours
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

struct ServeCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "The service: watch the spool and ingest as messages arrive, until SIGTERM or SIGINT.")

    @OptionGroup var global: GlobalOptions

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        var logger = Logger(label: "afterhours") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = desk.logLevel ?? .info
        let store = try desk.openStore()
        let now = try CommandClock.running(environment: context.environment)
        let services = Wiring.services(
            configuration: desk.configuration, store: store, environment: context.environment, now: now, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info(
            "afterhours serving",
            metadata: [
                "config": "\(desk.configuration.file ?? "built-in defaults")",
                "database": "\(desk.configuration.storage.database)",
            ])
        try await group.run()
    }
}
