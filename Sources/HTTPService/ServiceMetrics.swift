import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import Metrics
import Prometheus
import Domain
import Synchronization
import UseCases

/// `/metrics`: Prometheus text. Ingest and the outbox count through swift-metrics (the
/// factory here writes them to this registry); the queue's gauges are read from the store
/// when scraped; each request's latency goes to a histogram.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let queueDepth: [String: Prometheus.Gauge]
    private let oldestOverdue: Prometheus.Gauge
    private let promisesKept: Prometheus.Gauge
    private let atRisk: Prometheus.Gauge
    private let clearIn: Prometheus.Gauge
    private let transcripts: [MessageTranscript.Status: Prometheus.Gauge]
    private let bootstrapped = Mutex(false)

    public init() {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        queueDepth = Dictionary(uniqueKeysWithValues: ["open", "claimed", "waiting"].map { status in
            (status, registry.makeGauge(name: "afterhours_queue_depth", labels: [("status", status)], help: "Callbacks in the queue, by status."))
        })
        oldestOverdue = registry.makeGauge(
            name: "afterhours_oldest_overdue_seconds", help: "How long the most overdue callback is past its deadline (0: none).")
        promisesKept = registry.makeGauge(
            name: "afterhours_promises_kept_ratio", help: "Share of the callbacks due over the last 7 days done by their deadline.")
        atRisk = registry.makeGauge(
            name: "afterhours_at_risk", help: "Callbacks the forecast says will be reached after their promise.")
        clearIn = registry.makeGauge(
            name: "afterhours_queue_clear_seconds", help: "How long until the forecast says the queue is clear (its last call started; 0: empty).")
        transcripts = Dictionary(uniqueKeysWithValues: MessageTranscript.Status.allCases.map { status in
            (status, registry.makeGauge(
                name: "afterhours_transcripts", labels: [("status", status.rawValue)],
                help: "Messages by transcript status: pending (waiting for the transcriber), done, failed, skipped."))
        })
    }

    /// Makes swift-metrics write to this registry (once per process: `serve` calls it).
    public func bootstrap() {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        if first { MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry)) }
    }

    /// The text for one scrape, with the queue read now.
    func scrape(desk: CallbackDesk, transcriptDesk: TranscriptDesk, at now: Date) async throws -> String {
        let backlog = try await transcriptDesk.backlog()
        transcripts[.pending]?.set(Double(backlog.pending))
        transcripts[.done]?.set(Double(backlog.done))
        transcripts[.failed]?.set(Double(backlog.failed))
        transcripts[.skipped]?.set(Double(backlog.skipped))
        // The staff's queue: what `next` serves (the owner's line and blocked callers are not in it).
        let stats = try await desk.stats(days: 7, for: Acting("metrics", role: .staff), at: now)
        queueDepth["open"]?.set(Double(stats.counts.open))
        queueDepth["claimed"]?.set(Double(stats.counts.claimed))
        queueDepth["waiting"]?.set(Double(stats.counts.waiting))
        oldestOverdue.set(stats.counts.oldestOverdueDeadline.map { max(0, now.timeIntervalSince($0)) } ?? 0)
        promisesKept.set(stats.keptShare ?? 1)
        if let forecast = desk.forecast {
            let plan = try await forecast.current(at: now)
            atRisk.set(Double(plan.atRisk.count))
            clearIn.set(plan.clearBy.map { $0 == .distantFuture ? 0 : max(0, $0.timeIntervalSince(now)) } ?? 0)
        }
        return registry.emitToString()
    }

    /// Records each request's latency by method and status.
    func timing() -> RequestTiming { RequestTiming(registry: registry) }
}

struct RequestTiming: RouterMiddleware {
    typealias Context = APIContext
    let registry: PrometheusCollectorRegistry
    static let buckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        registry.makeDurationHistogram(
            name: "afterhours_http_request_duration_seconds",
            labels: [("method", request.method.rawValue), ("status", String(response.status.code))],
            buckets: Self.buckets, help: "HTTP request latency."
        ).record(ContinuousClock.now - start)
        return response
    }
}
