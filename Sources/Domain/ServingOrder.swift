import Foundation

/// The order in which `callbacks next` serves callbacks (docs/reference.md): escalated and urgent
/// first, then the earliest promise (the deadline until one is made: DESIGN §10), then the
/// earliest message, then the oldest callback.
public enum ServingOrder {
    /// True when `a` is served before `b`.
    public static func precedes(_ a: Callback, _ b: Callback) -> Bool {
        if a.escalated != b.escalated { return a.escalated }
        if a.urgent != b.urgent { return a.urgent }
        if a.servedBy != b.servedBy { return a.servedBy < b.servedBy }
        if a.firstReceivedAt != b.firstReceivedAt { return a.firstReceivedAt < b.firstReceivedAt }
        return a.id < b.id
    }

    /// True when `next` may hand the callback out at `now`.
    public static func isServable(_ callback: Callback, at now: Date) -> Bool {
        callback.status(at: now) == .open
    }
}

extension Callback {
    /// What serving order sorts on after escalation and urgency: the promise, or the
    /// deadline while there is none.
    public var servedBy: Date { promisedBy ?? deadline }
}
