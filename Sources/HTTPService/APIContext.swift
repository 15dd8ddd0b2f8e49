import Domain
import Foundation
import HTTPTypes
import HTTPTypes
import Hummingbird
import NIOCore

/// Each request's context: who is asking (set by `Authenticate`) and from where.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The person the token or session names; nil before authentication.
    public var person: Acting?
    /// The session's CSRF token, when signed in through the pages.
    public var csrf: String?
    public let remoteAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Uploads up to 64 MiB (a long message in an uncompressed format).
    public var maxUploadSize: Int { 64 * 1024 * 1024 }

    /// The person acting; only reached behind `Authenticate`.
    func acting() throws(APIError) -> Acting {
        guard let person else { throw APIError(.unauthorized, "unauthorized", "sign in: send Authorization: Bearer TOKEN") }
        return person
    }
}

extension HTTPField.Name {
    /// A header name written in this source (letters, digits and hyphens: always valid).
    /// `HTTPField.Name` is failable for names read off the wire; for ours the fallback is
    /// never taken (the HTTP tests see each of them on the wire).
    static func ours(_ text: String) -> HTTPField.Name {
        HTTPField.Name(text) ?? .via
    }
}
