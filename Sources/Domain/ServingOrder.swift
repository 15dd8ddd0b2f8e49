import Foundation

/// The order in which `callbacks next` serves callbacks (docs/reference.md): escalated and urgent
/// first, then the earliest deadline, then the earliest message, then the oldest callback.
public enum ServingOrder {
    /// True when `a` is served before `b`.
    public static func precedes(_ a: Callback, _ b: Callback) -> Bool {
        if a.escalated != b.escalated { return a.escalated }
        if a.urgent != b.urgent { return a.urgent }
        if a.deadline != b.deadline { return a.deadline < b.deadline }
        if a.firstReceivedAt != b.firstReceivedAt { return a.firstReceivedAt < b.firstReceivedAt }
        return a.id < b.id
    }

    /// True when `next` may hand the callback out at `now`.
    public static func isServable(_ callback: Callback, at now: Date) -> Bool {
        callback.status(at: now) == .open
    }
}
