import Domain
import Foundation
import Ingest
import Logging
import MemoryStore
import Notifications
import PostgresStore
import Runtime
import ServiceLifecycle
import Settings
import Simulation
import SQLiteStore
import Transcription
import UseCases

/// The one place that knows which store, services and doors exist. The command line opens
/// its store and desk here; `serve` builds its `ServiceGroup` from `services`; the tests
/// use the same functions.
public enum Wiring {
    /// The store `storage.database` names: a SQLite file, or a PostgreSQL URL (whose
    /// connection pool starts on first use; `services` ties it to `serve`'s lifetime).
    /// `logger` is the pool's (a command's log level holds for it too).
    public static func openStore(_ configuration: Configuration, logger: Logger = PostgresStore.quietLogger) throws(StoreError) -> any Store {
        if PostgresStore.isPostgresURL(configuration.storage.database) {
            return try PostgresStore(
                url: configuration.storage.database, notificationChannels: configuration.notificationChannels,
                connectTimeout: configuration.storage.connectTimeout, logger: logger)
        }
        try refuseNewDatabaseOverOldData(configuration)
        return try SQLiteStore(path: configuration.storage.database, notificationChannels: configuration.notificationChannels)
    }

    /// Whether `storage.database` names PostgreSQL (else it is a SQLite file).
    public static func isPostgresURL(_ database: String) -> Bool { PostgresStore.isPostgresURL(database) }

    /// A store for a check that reads and keeps nothing (doctor's transcriber start).
    public static func scratchStore() -> any Store { MemoryStore() }

    /// A SQLite database is created on first use, but not silently beside another one's
    /// data: when `storage.database` does not exist while the archive already holds
    /// messages, those were stored in a database this configuration does not name (a path
    /// mistyped or left out), and a new, empty one would hide them (docs/configuration.md).
    public static func refuseNewDatabaseOverOldData(_ configuration: Configuration) throws(StoreError) {
        let database = configuration.storage.database
        guard !FileManager.default.fileExists(atPath: database) else { return }
        let archive = configuration.spool.archive
        guard let enumerator = FileManager.default.enumerator(atPath: archive) else { return }
        var archived = 0
        while let path = enumerator.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: archive + "/" + path, isDirectory: &isFolder), !isFolder.boolValue { archived += 1 }
        }
        guard archived > 0 else { return }
        throw StoreError(
            "there is no database at \(database) (storage.database), but the archive \(archive) already holds \(archived) "
                + "file\(archived == 1 ? "" : "s") of messages stored in another one: set storage.database to that database "
                + "(a new, empty one would hide them), or move the archive aside to start afresh")
    }

    /// The rules the desk applies, from the configuration.
    /// `insideService`: the desk of a door inside `serve` (HTTP), whose outbox already sweeps
    /// breaches every second; the command line sweeps before each job itself.
    public static func rules(_ configuration: Configuration, anyoneReadsEscalations: Bool = false, insideService: Bool = false) -> DeskRules {
        DeskRules(
            hours: configuration.business.hours, policy: configuration.callbacks,
            escalateOnBreach: configuration.escalation.onBreach && !insideService,
            anyoneReadsEscalations: anyoneReadsEscalations,
            defaultRegion: configuration.phone.defaultRegion)
    }

    /// The staff's desk on `store`.
    public static func desk(
        _ configuration: Configuration, store: any Store, anyoneReadsEscalations: Bool = false, insideService: Bool = false
    ) -> CallbackDesk {
        CallbackDesk(
            store: store, rules: rules(configuration, anyoneReadsEscalations: anyoneReadsEscalations, insideService: insideService),
            forecast: promiseDesk(configuration, store: store))
    }

    /// Every use case a door calls, on `store`: a door is handed these, never the store.
    public static func desks(_ configuration: Configuration, store: any Store, insideService: Bool = false) -> Desks {
        let callbacks = desk(configuration, store: store, insideService: insideService)
        return Desks(
            callbacks: callbacks, owner: OwnerDesk(desk: callbacks),
            people: PeopleDesk(store: store, configuredOwners: configuration.owner.people),
            transcripts: transcriptDesk(configuration, store: store),
            transcriptRequests: TranscriptRequests(store: store, rules: callbacks.rules),
            blockList: BlockList(store: store, rules: callbacks.rules),
            pushKeys: PushKeys(store: store, window: configuration.http.idempotencyWindow),
            promises: callbacks.forecast ?? promiseDesk(configuration, store: store))
    }

    /// `callbacks simulate`'s replay, with the configuration's hours, staffing and rules.
    public static func replay(_ configuration: Configuration) -> Replay {
        Replay(
            hours: configuration.business.hours, staffing: configuration.staffingSchedule, handlingPrior: configuration.staffing.handling,
            callbacks: configuration.callbacks, escalation: configuration.escalationRules, intake: configuration.intakeRules,
            defaultRegion: configuration.phone.defaultRegion)
    }

    /// The promise desk on `store`, with the configuration's staffing.
    public static func promiseDesk(_ configuration: Configuration, store: any Store, policy: PromisePolicy = .capacity) -> PromiseDesk {
        PromiseDesk(
            store: store,
            rules: PromiseRules(
                staffing: configuration.staffingSchedule, handlingPrior: configuration.staffing.handling, policy: policy,
                callbacks: configuration.callbacks, hours: configuration.business.hours))
    }

    /// The transcription stage's desk on `store`.
    public static func transcriptDesk(_ configuration: Configuration, store: any Store) -> TranscriptDesk {
        TranscriptDesk(store: store, content: configuration.content, defaultRegion: configuration.phone.defaultRegion)
    }

    /// What `callbacks serve` runs: the spool watcher and ingest, the outbox (with breach
    /// sweeps), the spoken greeting when configured, and the transcriber when enabled.
    public static func services(
        configuration: Configuration, store: any Store, environment: [String: String],
        now: @escaping @Sendable () -> Date, logger: Logger, health: ServiceHealth = ServiceHealth()
    ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let ingest = IngestService(
            ingester: Ingester(configuration: configuration, store: store, logger: logger), now: now, logger: logger, health: health)
        let outbox = OutboxService(
            store: store, notifier: Notifier(configuration: configuration, environment: environment),
            now: now, logger: logger, sweepBreaches: configuration.escalation.onBreach)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        // First in, last out: the database outlives the services that use it.
        if store.needsRunning { services.append(.init(service: StoreRunning(store: store))) }
        let promises = promiseDesk(configuration, store: store)
        services += [.init(service: ingest), .init(service: outbox), .init(service: PromiseService(promises: promises, now: now, logger: logger))]
        if let writer = GreetingWriter(configuration: configuration) {
            services.append(.init(service: GreetingService(writer: writer, promises: promises, now: now, logger: logger)))
        }
        if configuration.transcription.enabled {
            let transcriber = Transcriber(
                settings: configuration.transcription, desk: transcriptDesk(configuration, store: store), now: now, logger: logger)
            // It ends by itself when the transcriber is not installed: that must not end `serve`.
            services.append(
                .init(service: TranscriptionService(transcriber: transcriber, logger: logger, health: health), successTerminationBehavior: .ignore))
        }
        return services
    }
}


/// The use cases a door calls, built by `Wiring.desks` from the configuration and the store.
public struct Desks: Sendable {
    public let callbacks: CallbackDesk
    public let owner: OwnerDesk
    public let people: PeopleDesk
    public let transcripts: TranscriptDesk
    public let transcriptRequests: TranscriptRequests
    public let blockList: BlockList
    public let pushKeys: PushKeys
    public let promises: PromiseDesk
}

/// The store's own lifetime as one of `serve`'s services (PostgreSQL's pool).
struct StoreRunning: Service {
    let store: any StoreLifetime
    func run() async throws { try await store.run() }
}
