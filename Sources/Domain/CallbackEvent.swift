import Foundation

/// One change in a callback's life, kept with who made it and when.
public struct CallbackEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case ingested, claimed, released, lapsed, attempted, noted, escalated, resolved, done, reopened, assigned
        /// Closed because the owner blocked its number; the note is why.
        case blocked
    }

    public var at: Date
    public var actor: String
    public var kind: Kind
    public var note: String?

    public init(at: Date, actor: String, kind: Kind, note: String? = nil) {
        self.at = at
        self.actor = actor
        self.kind = kind
        self.note = note
    }
}

/// A callback with everything staff need to make the call.
public struct CallbackDetail: Sendable, Equatable {
    public var callback: Callback
    /// Its messages, oldest first.
    public var messages: [StoredVoicemail]
    /// Its history, oldest first; empty where a view does not need it.
    public var history: [CallbackEvent]
    /// When the forecast says its call will start, where that is after its promise (it is
    /// at risk); nil otherwise, and where no forecast was read.
    public var atRisk: Date?

    public init(callback: Callback, messages: [StoredVoicemail], history: [CallbackEvent]) {
        self.callback = callback
        self.messages = messages
        self.history = history
    }
}
