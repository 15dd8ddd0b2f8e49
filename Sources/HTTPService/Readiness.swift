import Foundation
import Hummingbird
import Ingest
import Presentation
import Runtime

/// `/readyz`: whether the service is doing its work, for a monitor or a load balancer.
/// 503 while a fault holds messages back (the store cannot write, the spool cannot be
/// read, the archive or the quarantine cannot be written), or the store does not answer;
/// 200 otherwise. Warnings (a transcriber that is down) are said, never a 503.
extension HTTPFace {
    func readiness() async -> Response {
        var snapshot = health.snapshot
        do {
            _ = try await people.anyoneAdded()
        } catch {
            snapshot.faults[.store] = ServiceHealth.Active(reason: "does not answer: \(error)", heldBack: snapshot.faults[.store]?.heldBack ?? 0, since: now())
        }
        var fields: [(String, JSONValue)] = [("status", .string(snapshot.ready ? "ok" : "degraded"))]
        for fault in ServiceHealth.Fault.allCases {
            if let active = snapshot.faults[fault] { fields.append((fault.rawValue, .string(active.reason))) }
        }
        if !snapshot.ready { fields.append(("held_back", .int(Int64(snapshot.heldBack)))) }
        if !snapshot.warnings.isEmpty {
            fields.append(("warnings", .array(snapshot.warnings.sorted { $0.key < $1.key }.map { .string("\($0.key): \($0.value)") })))
        }
        return Self.json(JSONValue.object(fields).rendered(), status: snapshot.ready ? .ok : .serviceUnavailable)
    }
}
