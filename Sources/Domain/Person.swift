import Foundation

/// What a person may do. Staff work the queue and never see the owner's line; the owner
/// also sees it and the escalations; an admin also manages people.
public enum Role: String, Sendable, CaseIterable, Codable {
    case staff, owner, admin
}

/// Someone who uses Afterhours: a name (recorded in every change), a role, and the hash of
/// their bearer token (the token itself is shown once, never stored).
public struct Person: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var role: Role
    public var createdAt: Date

    public init(id: Int64, name: String, role: Role, createdAt: Date) {
        self.id = id
        self.name = name
        self.role = role
        self.createdAt = createdAt
    }

    public var acting: Acting { Acting(name, role: role) }
}

extension Person {
    /// A name as it is kept and shown: without the spaces around it.
    public static func cleaned(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What two names are compared by: `Alice`, `alice` and ` ALICE ` are one person, so
    /// no two people have names that differ only in case or spaces. Stores keep this key
    /// (unique) and look people up by it; they never compare names themselves.
    public static func key(_ name: String) -> String {
        cleaned(name).lowercased()
    }
}
