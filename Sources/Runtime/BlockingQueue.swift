import Dispatch

/// Where a service runs its synchronous work (reading the spool, libsndfile, SQLite,
/// espeak-ng): a serial queue of its own, never Swift's cooperative pool, which has one
/// thread per core — on two cores one ingest pass would otherwise stall the outbox and
/// anything else awaiting.
public struct BlockingQueue: Sendable {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `work` on the queue and waits for it without holding a cooperative thread.
    public func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// `run` for work that cannot fail.
    public func run<Value: Sendable>(_ work: @escaping @Sendable () -> Value) async -> Value {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
