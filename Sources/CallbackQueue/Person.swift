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
