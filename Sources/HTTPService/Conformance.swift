import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// The methods each path takes, read off the router once every route is added: a method a
/// known path does not take is a 405 with `Allow` (RFC 9110 §15.5.6), not a 404.
struct AllowedMethods: Sendable {
    let routes: [(path: RouterPath, methods: Set<HTTPRequest.Method>)]

    init(_ descriptions: [Router<APIContext>.RouteDescription]) {
        var table: [(path: RouterPath, methods: Set<HTTPRequest.Method>)] = []
        for route in descriptions {
            if let index = table.firstIndex(where: { $0.path == route.path }) {
                table[index].methods.insert(route.method)
            } else {
                table.append((route.path, [route.method]))
            }
        }
        // Every GET route answers HEAD too (the router's autoGenerateHeadEndpoints).
        routes = table.map { ($0.path, $0.methods.contains(.get) ? $0.methods.union([.head]) : $0.methods) }
    }

    /// The methods `path` takes, from the route that matches it most literally; nil when
    /// no route matches.
    func methods(for path: String) -> Set<HTTPRequest.Method>? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var best: (literal: Int, methods: Set<HTTPRequest.Method>)?
        for route in routes where route.path.components.count == segments.count {
            var literal = 0
            var matches = true
            for (element, segment) in zip(route.path.components, segments) {
                guard element ~= segment else {
                    matches = false
                    break
                }
                if element == segment { literal += 1 }
            }
            guard matches else { continue }
            if let current = best, current.literal > literal { continue }
            if let current = best, current.literal == literal {
                best = (literal, current.methods.union(route.methods))
            } else {
                best = (literal, route.methods)
            }
        }
        return best?.methods
    }

    static func header(_ methods: Set<HTTPRequest.Method>) -> String {
        methods.map(\.rawValue).sorted().joined(separator: ", ")
    }
}

/// Added to the router after its last route, so it wraps only the router's "not found"
/// answer: a path that exists, asked with a method it does not take, is a 405 naming the
/// methods it does take.
struct MethodNotAllowed: RouterMiddleware {
    typealias Context = APIContext
    let allowed: AllowedMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let methods = allowed.methods(for: request.uri.path), !methods.contains(request.method) {
            let list = AllowedMethods.header(methods)
            var error = APIError(
                .methodNotAllowed, "method_not_allowed", "\(request.uri.path) does not take \(request.method.rawValue): it takes \(list)")
            error.headers[.allow] = list
            throw error
        }
        return try await next(request, context)
    }
}

/// A query parameter given twice is refused rather than silently read as its first value.
struct SingleQueryValues: RouterMiddleware {
    typealias Context = APIContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let repeated = Self.repeated(request) {
            throw APIError(.badRequest, "bad_request", "\(repeated) is given more than once: give each query parameter once")
        }
        return try await next(request, context)
    }

    /// The first query parameter that appears more than once, if any.
    static func repeated(_ request: Request) -> String? {
        var seen = Set<String>()
        for (name, _) in request.uri.queryParameters {
            let key = String(name)
            if !seen.insert(key).inserted { return key }
        }
        return nil
    }
}

/// The HTTP/1 parser refuses a method it does not know (`FOO`, say) before any route sees
/// it, and the server would answer a bare 400 with no body. This answers it as the API
/// answers everything else: 501 Not Implemented (RFC 9110 §9.1: a method the server does
/// not recognise) with the JSON error body, and the
/// connection closed (the parser cannot read on past the bad request).
final class UnknownMethodAnswer: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parse = error as? HTTPParserError, case .invalidMethod = parse else {
            context.fireErrorCaught(error)
            return
        }
        let error = APIError(
            .notImplemented, "not_implemented", "the request's method is not one this server knows: the API takes GET, HEAD, POST and DELETE")
        let body = ByteBuffer(string: error.body)
        var fields: HTTPFields = [.contentType: "application/json; charset=utf-8", .connection: "close"]
        fields[.contentLength] = String(body.readableBytes)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: .notImplemented, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
