// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Afterhours",
    // Linux only, which SwiftPM cannot state: the spool is watched with inotify, files are
    // prefetched with posix_fadvise and aged by st_mtim (SpoolWatcher.swift refuses to
    // build elsewhere).
    products: [
        .executable(name: "callbacks", targets: ["callbacks"]),
        .executable(name: "callbacks-bench", targets: ["callbacks-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Domain: plain Swift, no I/O.
        .target(name: "BusinessTime"),
        .target(name: "Domain", dependencies: ["BusinessTime"]),
        // Use cases: one type per job, and the store protocols they own. Every door
        // (command line, HTTP, pages) calls these; every store implements the protocols.
        .target(
            name: "UseCases",
            dependencies: ["BusinessTime", "Domain", .product(name: "Crypto", package: "swift-crypto")]),

        // Adapters at the edges.
        // File and folder errors in words, for every adapter that makes or moves files.
        .target(name: "FileErrors"),
        .systemLibrary(
            name: "CSndFile", pkgConfig: "sndfile",
            providers: [.apt(["libsndfile1-dev"])]),
        .target(name: "AudioProbe", dependencies: ["CSndFile"]),
        // Headers only: the library is loaded with dlopen when speech is first needed,
        // so commands that never speak do not load it (and the audio stack behind it).
        .systemLibrary(name: "CEspeakNG", providers: [.apt(["libespeak-ng-dev"])]),
        // XXH3-128: the content hash in a message's identity.
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .target(name: "SpokenAudio", dependencies: ["CEspeakNG", "CSndFile", "FileErrors"]),
        .target(name: "Spool", dependencies: ["Domain"]),
        .target(
            name: "SQLiteStore",
            dependencies: ["Domain", "UseCases", "FileErrors", .product(name: "GRDB", package: "GRDB.swift")]),
        // The same protocols in memory: no rule of its own, for fast use-case tests and
        // for running a queue forward (simulate).
        .target(name: "MemoryStore", dependencies: ["Domain", "UseCases"]),
        // `callbacks simulate`: arrivals replayed in virtual time through the use cases, on
        // the memory store.
        .target(name: "Simulation", dependencies: ["BusinessTime", "Domain", "UseCases", "MemoryStore"]),
        // The same protocols on PostgreSQL (DESIGN §9): several nodes, one queue.
        .target(
            name: "PostgresStore",
            dependencies: [
                "Domain", "UseCases",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),

        // The configuration file, loaded and validated (file, line, key, what is wrong).
        .target(
            name: "Settings",
            dependencies: ["BusinessTime", "Domain", "SpokenAudio", "Spool", .product(name: "Yams", package: "Yams")]),
        // What a running process shares: the clock (CALLBACKS_NOW), a queue for blocking
        // work off Swift's pool, and where services warn.
        .target(name: "Runtime"),
        // Every sentence a person reads: text, JSON shapes, spoken times, and the prompts
        // (prompts/*.mustache, compiled into the binary).
        .target(
            name: "Presentation",
            dependencies: [
                "BusinessTime", "Domain", "UseCases", "Settings", "Runtime", .product(name: "Mustache", package: "swift-mustache"),
            ],
            plugins: ["EmbedPrompts"]),
        // The spool to the store: layouts, the ingest pipeline, the watcher and its service,
        // and the service's health as ingest sees it.
        .target(
            name: "Ingest",
            dependencies: [
                "BusinessTime", "Domain", "UseCases", "Settings", "Runtime", "AudioProbe", "Spool", "CXXHash", "FileErrors",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
        // The owner's outbox delivered: webhook, command, email.
        .target(
            name: "Notifications",
            dependencies: [
                "Domain", "UseCases", "Settings", "Presentation", "FileErrors",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]),
        // The transcriber process (transcriber/, Python) and the service that supervises it.
        .target(
            name: "Transcription",
            dependencies: [
                "Domain", "UseCases", "Settings", "Runtime", "AudioProbe",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
        // The composition root: the one module that names a store; builds the desks the
        // doors are handed and the services `serve` runs.
        .target(
            name: "App",
            dependencies: [
                "BusinessTime", "Domain", "UseCases", "SQLiteStore", "PostgresStore", "MemoryStore", "Simulation", "Settings", "Runtime",
                "Presentation", "Ingest", "Notifications", "Transcription", "SpokenAudio", "Spool", "FileErrors",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]),

        // Door 2: the HTTP API (and the pages), on Hummingbird, calling the same use cases.
        .target(
            name: "HTTPService",
            dependencies: [
                "App", "Settings", "Runtime", "Presentation", "Ingest", "UseCases", "Domain", "AudioProbe", "Spool",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("openapi.yaml"), .copy("Pages")]),

        // The command line: one file per subcommand, testable in-process.
        .target(
            name: "CallbacksCLI",
            dependencies: [
                "App", "Settings", "Runtime", "Presentation", "Ingest", "Notifications", "Transcription", "UseCases", "HTTPService",
                "Simulation", "Domain",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(name: "callbacks", dependencies: ["CallbacksCLI"]),

        // `make bench`: measured in a release build, never in tests.
        .executableTarget(
            name: "callbacks-bench",
            dependencies: [
                "BusinessTime", "Domain", "UseCases", "SQLiteStore", "Settings", "Runtime", "Ingest", "AudioProbe", "CSndFile",
                "Simulation", "App",
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Build tooling: prompts/*.mustache compiled into the binary.
        .executableTarget(name: "embed-prompts", path: "Plugins/EmbedPromptsTool"),
        .plugin(
            name: "EmbedPrompts", capability: .buildTool(),
            dependencies: ["embed-prompts"], path: "Plugins/EmbedPrompts"),

        .testTarget(name: "BusinessTimeTests", dependencies: ["BusinessTime"]),
        .testTarget(name: "AudioProbeTests", dependencies: ["AudioProbe", "CSndFile"]),
        .testTarget(name: "SpokenAudioTests", dependencies: ["SpokenAudio", "AudioProbe"]),
        .testTarget(name: "SpoolTests", dependencies: ["Spool", "Domain"]),
        .testTarget(name: "DomainTests", dependencies: ["Domain", "BusinessTime"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Domain", "BusinessTime", "UseCases"]),
        .testTarget(name: "SettingsTests", dependencies: ["Settings"]),
        .testTarget(name: "PresentationTests", dependencies: ["Presentation", "Runtime", "Domain"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "TestSupport"]),
        .testTarget(
            name: "HTTPServiceTests",
            dependencies: [
                "HTTPService", "App", "MemoryStore", "Settings", "Ingest", "Domain", "UseCases",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "SQLiteStoreTests",
            dependencies: ["SQLiteStore", .product(name: "GRDB", package: "GRDB.swift")]),
        // Test helpers shared by test targets: a throwaway PostgreSQL cluster.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // One suite, run against every store.
        .testTarget(
            name: "StoreContractTests", dependencies: ["UseCases", "SQLiteStore", "PostgresStore", "MemoryStore", "Domain", "BusinessTime", "TestSupport"]),
        .testTarget(
            name: "CallbacksCLITests",
            dependencies: [
                "CallbacksCLI", "App", "Settings", "Runtime", "Presentation", "Ingest", "SQLiteStore", "FileErrors", "TestSupport", "UseCases", "Domain",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ]),
    ]
)
