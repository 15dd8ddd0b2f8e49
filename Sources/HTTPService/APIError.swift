import Domain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import UseCases

/// An error answer: `{"error": {"code": "...", "message": "one sentence"}}`.
public struct APIError: Error, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var headers: HTTPFields = [:]
    /// With a refusal over a colleague's claim: whose (`claimed_by` in the body).
    public var claimedBy: String?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// What a use case's refusal is over HTTP.
    init(_ error: StoreError) {
        switch error.code {
        case .notFound: self.init(.notFound, "not_found", error.message)
        case .refused:
            if let holder = error.claimedBy {
                // The API's way to override a claim; the remote command line says --force.
                self.init(.conflict, "conflict", error.message + Self.forceHint)
                claimedBy = holder
            } else {
                self.init(.conflict, "conflict", error.message)
            }
        case .forbidden: self.init(.forbidden, "forbidden", error.message)
        case .invalid: self.init(.unprocessableContent, "invalid", error.message)
        case .database: self.init(.serviceUnavailable, "unavailable", "the store did not answer; try again shortly")
        }
    }

    /// What an API client adds to override a colleague's claim.
    public static let forceHint = "; send \"force\": true to record it anyway"

    /// The JSON body, with its closing newline.
    var body: String {
        var fields: [String: JSONText] = ["code": .string(code), "message": .string(message)]
        if let claimedBy { fields["claimed_by"] = .string(claimedBy) }
        return JSONText.object(["error": .object(fields)]).rendered + "\n"
    }

    var response: Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Turns every error a handler throws into the error shape: a client never sees a 500 for
/// anything it sent, and the store's own failures are a 503 that says to retry.
struct ErrorShapes: RouterMiddleware {
    typealias Context = APIContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response
        } catch let error as StoreError {
            return APIError(error).response
        } catch is NIOTooManyBytesError {
            return APIError(.contentTooLarge, "too_large", "the body is larger than this endpoint takes").response
        } catch let error as HTTPError {
            let code = error.status == .notFound ? "not_found" : error.status == .contentTooLarge ? "too_large" : "bad_request"
            let message = error.status == .notFound ? "there is no such resource" : (error.body ?? error.status.reasonPhrase)
            return APIError(error.status.code >= 500 ? .badRequest : error.status, code, message).response
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return APIError(.badRequest, "bad_request", "the request could not be handled: \(error)").response
        }
    }
}

/// A small JSON writer for error bodies and push answers.
indirect enum JSONText {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case null
    case object([String: JSONText])
    case array([JSONText])

    var rendered: String {
        switch self {
        case .string(let text):
            let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
            return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        case .int(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .null: return "null"
        case .object(let fields):
            return "{" + fields.sorted { $0.key < $1.key }.map { JSONText.string($0.key).rendered + ": " + $0.value.rendered }.joined(separator: ", ") + "}"
        case .array(let values):
            return "[" + values.map(\.rendered).joined(separator: ", ") + "]"
        }
    }
}
