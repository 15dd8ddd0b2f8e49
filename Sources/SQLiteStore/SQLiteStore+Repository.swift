import Domain
import UseCases

/// The SQLite store is a whole store: the desk and outbox through GRDB's asynchronous
/// API, ingest synchronously on ingest's own threads.
extension SQLiteStore: CallbackRepository, IngestRepository, StoreLifetime {}
