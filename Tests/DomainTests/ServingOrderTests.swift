import Domain
import Foundation
import Testing

@Suite("Serving order")
struct ServingOrderTests {
    func callback(_ id: Int64, deadline: Double, received: Double = 0, urgent: Bool = false, escalated: Bool = false) -> Callback {
        Callback(
            id: id, caller: Caller(name: nil, number: nil, rawNumber: nil), recordedStatus: .open,
            deadline: Date(timeIntervalSince1970: deadline), urgent: urgent, escalated: escalated,
            claimedBy: nil, claimExpiresAt: nil, retryAt: nil, attempts: 0,
            firstReceivedAt: Date(timeIntervalSince1970: received), closedAt: nil)
    }

    @Test("escalated, then urgent, then earliest deadline, then earliest message")
    func order() {
        let queue = [
            callback(1, deadline: 300, received: 5),
            callback(2, deadline: 300, received: 1),
            callback(3, deadline: 100),
            callback(4, deadline: 900, urgent: true),
            callback(5, deadline: 999, escalated: true),
        ]
        #expect(queue.sorted(by: ServingOrder.precedes).map(\.id) == [5, 4, 3, 2, 1])
    }

    @Test("a lapsed claim and a due retry are open again")
    func effectiveStatus() {
        var claimed = callback(1, deadline: 0)
        claimed.recordedStatus = .claimed
        claimed.claimExpiresAt = Date(timeIntervalSince1970: 100)
        #expect(claimed.status(at: Date(timeIntervalSince1970: 99)) == .claimed)
        #expect(claimed.status(at: Date(timeIntervalSince1970: 100)) == .open)
        var waiting = callback(2, deadline: 0)
        waiting.recordedStatus = .waiting
        waiting.retryAt = Date(timeIntervalSince1970: 50)
        #expect(!ServingOrder.isServable(waiting, at: Date(timeIntervalSince1970: 49)))
        #expect(ServingOrder.isServable(waiting, at: Date(timeIntervalSince1970: 50)))
    }
}
