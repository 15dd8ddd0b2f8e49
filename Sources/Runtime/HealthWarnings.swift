/// Where a service says something is wrong without holding anything back (a transcriber
/// that is down): `/readyz` shows it as a warning, never a 503.
public protocol HealthWarnings: Sendable {
    /// Sets the warning under `key`; nil clears it.
    func warn(_ key: String, _ text: String?)
}

/// Nobody listening (a one-shot command).
public struct NoWarnings: HealthWarnings {
    public init() {}
    public func warn(_ key: String, _ text: String?) {}
}
