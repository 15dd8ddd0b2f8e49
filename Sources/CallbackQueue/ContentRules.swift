import Foundation

// Placeholder until the content-rules branch lands (same public API).
public struct ContentRules: Sendable, Equatable {
    public var urgent: [String]
    public var complaint: [String]
    public static let defaults = ContentRules(urgent: ["leak", "flood", "fire", "no heat", "as soon as possible"], complaint: ["refund", "cancel", "lawyer"])
    public init(urgent: [String], complaint: [String]) {
        self.urgent = urgent
        self.complaint = complaint
    }
    public func validationError() -> String? { nil }
    public func matches(in transcript: String) -> [ContentMatch] {
        let lower = transcript.lowercased()
        return urgent.filter { lower.contains($0) }.map { ContentMatch(kind: .urgent, phrase: $0, excerpt: transcript) }
            + complaint.filter { lower.contains($0) }.map { ContentMatch(kind: .complaint, phrase: $0, excerpt: transcript) }
    }
}

public struct ContentMatch: Sendable, Equatable {
    public enum Kind: String, Sendable { case urgent, complaint }
    public var kind: Kind
    public var phrase: String
    public var excerpt: String
    public init(kind: Kind, phrase: String, excerpt: String) {
        self.kind = kind
        self.phrase = phrase
        self.excerpt = excerpt
    }
    public var description: String { "\(kind.rawValue): '\(excerpt)'" }
}
