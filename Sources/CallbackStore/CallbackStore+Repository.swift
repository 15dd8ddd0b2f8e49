import CallbackQueue
import UseCases

/// The SQLite store is a whole store: the desk and outbox through GRDB's asynchronous
/// API, ingest synchronously on ingest's own threads.
extension CallbackStore: CallbackRepository, IngestRepository, StoreLifetime {}
