import App
import AudioProbe
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Ingest
import Logging
import NIOSSL
import Presentation
import Runtime
import ServiceLifecycle
import Settings
import UseCases

/// Door 2: the HTTP API of docs/api.md, served by `callbacks serve` in its `ServiceGroup`.
/// Every handler calls a use case (`CallbackDesk`, `OwnerDesk`, `PeopleDesk`, push
/// ingest), never the store, and answers with `Replies`: the JSON of docs/reference.md,
/// or with `Accept: text/plain` the text the command line prints.
public struct HTTPFace: Sendable {
    public let configuration: Configuration
    /// The use cases it calls (`Wiring.desks`); it never holds the store.
    public let desks: Desks
    public let now: @Sendable () -> Date
    public let push: PushIngest
    public let metrics: ServiceMetrics
    /// What `serve`'s ingest found wrong (`/readyz`).
    public let health: ServiceHealth
    let throttle: FailureThrottle

    public init(
        configuration: Configuration, desks: Desks, now: @escaping @Sendable () -> Date, push: PushIngest, metrics: ServiceMetrics,
        health: ServiceHealth = ServiceHealth()
    ) {
        self.configuration = configuration
        self.desks = desks
        self.now = now
        self.push = push
        self.metrics = metrics
        self.health = health
        throttle = FailureThrottle(now: now)
    }

    /// No breach sweep per request: `serve`'s outbox sweeps every second.
    var desk: CallbackDesk { desks.callbacks }
    var owner: OwnerDesk { desks.owner }
    var people: PeopleDesk { desks.people }

    /// The application: a Hummingbird `Service`, run in `serve`'s `ServiceGroup`.
    public func application(listen: Configuration.HTTPSettings.Listen, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        throws(APIError) -> some Service
    {
        try buildApplication(listen: listen, logger: logger, onRunning: onRunning)
    }

    /// The one function that builds the HTTP door: `serve` runs what it returns, and the
    /// in-process tests drive it with HummingbirdTesting (`app.test(.router)`).
    public func buildApplication(
        listen: Configuration.HTTPSettings.Listen, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(APIError) -> some ApplicationProtocol {
        Application(
            router: router(),
            server: try Self.server(configuration.http.tls),
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "afterhours"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listen.port
                logger.notice("http listening", metadata: ["http.address": "\(listen.host):\(port)"])
                await onRunning(port)
            },
            logger: logger)
    }

    /// Plain HTTP, or HTTPS with `http.tls`'s certificate chain and key (PEM files).
    static func server(_ tls: Configuration.HTTPSettings.TLS?) throws(APIError) -> HTTPServerBuilder {
        // A method the HTTP parser does not know gets the API's error shape, not a bare 400.
        let http1 = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: [UnknownMethodAnswer()]))
        guard let tls else { return http1 }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
            return try .tls(http1, tlsConfiguration: TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        } catch {
            throw APIError(.serviceUnavailable, "tls", "http.tls: cannot use \(tls.certificate) and \(tls.key): \(error)")
        }
    }

    public func router() -> Router<APIContext> {
        // Every GET route answers HEAD too: the same status and headers, no body.
        let router = Router(context: APIContext.self, options: .autoGenerateHeadEndpoints)
        // Timing outside the error shapes, so refused requests are timed too.
        router.add(middleware: metrics.timing())
        router.add(middleware: ErrorShapes())
        router.get("/healthz") { _, _ -> Response in
            do {
                _ = try await people.anyoneAdded()
            } catch {
                throw APIError(.serviceUnavailable, "unavailable", "the store does not answer: \(error)")
            }
            return Self.json(#"{"status": "ok"}"#)
        }
        router.get("/readyz") { _, _ -> Response in await readiness() }
        router.get("/api/v1/openapi.yaml") { _, _ -> Response in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let text = try? String(contentsOf: url, encoding: .utf8)
            else { throw APIError(.notFound, "not_found", "the API document is not installed") }
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        if let pages = try? Pages.load() { pageRoutes(router, pages: pages) }
        let signedIn = router.group().add(middleware: Authenticate(people: people, throttle: throttle, now: now))
        signedIn.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: try await metrics.scrape(desk: desk, transcriptDesk: desks.transcripts, at: now()))))
        }
        let api = signedIn.group("/api/v1").add(middleware: SingleQueryValues())
        callbackRoutes(api)
        escalationRoutes(api)
        ownerRoutes(api)
        api.get("/voicemails/{id}/audio") { request, context in try await audio(request, context) }
        api.post("/voicemails") { request, context in try await push.handle(request, context, face: self) }
        // Last, after every route: it wraps only the router's "not found" answer.
        router.add(middleware: MethodNotAllowed(allowed: AllowedMethods(router.routes)))
        return router
    }

    func callbackRoutes(_ api: RouterGroup<APIContext>) {
        api.get("/callbacks") { request, context -> Response in
            let person = try context.acting()
            let query = request.uri.queryParameters
            let parsed = CallbackDesk.Query(
                all: try Self.flag(query.get("all"), "all"), limit: try Self.number(query.get("limit"), "limit"),
                number: query.get("number"), name: query.get("name"), mine: try Self.flag(query.get("mine"), "mine"),
                doneToday: try Self.flag(query.get("done_today"), "done_today"), text: query.get("text"),
                atRisk: try Self.flag(query.get("at_risk"), "at_risk"))
            let now = now()
            let details = try await desk.list(parsed, for: person, at: now)
            return reply(request, now) { $0.list(details, filtered: parsed.isFiltered) }
        }
        api.post("/callbacks/next") { request, context -> Response in
            let person = try context.acting()
            let now = now()
            let next = try await desk.next(for: person, at: now)
            guard case .claimed(let claimed) = next else {
                // JSON: nothing to serve is 204; text: what the command line says instead.
                return Self.wantsText(request) ? reply(request, now) { $0.next(next, staff: person.name) } : Response(status: .noContent)
            }
            var response = reply(request, now) { $0.next(next, staff: person.name) }
            response.headers[Self.callbackID] = String(claimed.callback.id)
            return response
        }
        api.get("/callbacks/{id}") { request, context -> Response in
            let person = try context.acting()
            let now = now()
            let detail = try await desk.show(try Self.id(context), for: person, at: now)
            return reply(request, now) { $0.show(detail, reader: person.name) }
        }
        api.post("/callbacks/{id}/done") { request, context -> Response in
            let (person, body, now) = (try context.acting(), try await OutcomeBody.read(request, context), now())
            let done = try await desk.done(try Self.id(context), by: person, note: body.note, force: body.force ?? false, at: now)
            return reply(request, now) { $0.done(done) }
        }
        api.post("/callbacks/{id}/no-answer") { request, context -> Response in
            let (person, body, now) = (try context.acting(), try await OutcomeBody.read(request, context), now())
            let outcome = try await desk.noAnswer(try Self.id(context), by: person, note: body.note, force: body.force ?? false, at: now)
            return reply(request, now) { $0.noAnswer(outcome) }
        }
        api.post("/callbacks/{id}/release") { request, context -> Response in
            let (person, body, now) = (try context.acting(), try await OutcomeBody.read(request, context), now())
            let detail = try await desk.release(try Self.id(context), by: person, force: body.force ?? false, at: now)
            return reply(request, now) { $0.released(detail) }
        }
        api.post("/callbacks/{id}/escalate") { request, context -> Response in
            let (person, body, now) = (try context.acting(), try await OutcomeBody.read(request, context), now())
            guard let reason = body.reason else { throw APIError(.unprocessableContent, "invalid", "say why the owner should take it: {\"reason\": \"…\"}") }
            let detail = try await desk.escalate(try Self.id(context), by: person, reason: reason, force: body.force ?? false, at: now)
            return reply(request, now) { $0.escalated(detail) }
        }
        api.get("/stats") { request, context -> Response in
            let person = try context.acting()
            let now = now()
            let days = try Self.number(request.uri.queryParameters.get("days"), "days") ?? 7
            guard days <= 3660 else { throw APIError(.badRequest, "bad_request", "days=\(days) should be 1 to 3660") }
            let stats = try await desk.stats(days: days, for: person, at: now)
            return reply(request, now) { $0.stats(stats) }
        }
    }

    func escalationRoutes(_ api: RouterGroup<APIContext>) {
        api.get("/escalations") { request, context -> Response in
            let (person, now) = (try context.acting(), now())
            let all = try Self.flag(request.uri.queryParameters.get("all"), "all")
            let list = try await owner.escalations(includeResolved: all, for: person, at: now)
            return reply(request, now) { $0.escalations(list) }
        }
        api.get("/escalations/{id}") { request, context -> Response in
            let (person, now) = (try context.acting(), now())
            let detail = try await owner.escalation(try Self.id(context), for: person, at: now)
            return reply(request, now) { $0.escalation(detail) }
        }
        api.post("/escalations/{id}/ack") { request, context -> Response in
            let (person, now) = (try context.acting(), now())
            let detail = try await owner.acknowledge(try Self.id(context), by: person, at: now)
            return reply(request, now) { $0.acknowledged(detail) }
        }
        api.post("/escalations/{id}/resolve") { request, context -> Response in
            let (person, body, now) = (try context.acting(), try await OutcomeBody.read(request, context), now())
            guard let note = body.note else { throw APIError(.unprocessableContent, "invalid", "say what was done: {\"note\": \"…\"}") }
            let detail = try await owner.resolve(try Self.id(context), by: person, note: note, at: now)
            return reply(request, now) { $0.resolved(detail) }
        }
    }

    // MARK: answers

    static let callbackID = HTTPField.Name.ours("Afterhours-Callback-Id")

    static func wantsText(_ request: Request) -> Bool {
        let accept = request.headers[.accept] ?? ""
        return accept.contains("text/plain") && !accept.contains("application/json")
    }

    /// The reply of one job, as JSON or (with `Accept: text/plain`) as text.
    func reply(_ request: Request, _ now: Date, _ build: (Replies) -> String) -> Response {
        let text = Self.wantsText(request)
        let replies = Replies(configuration: configuration, now: now, colour: false, json: !text, remote: true)
        let body = build(replies) + "\n"
        return Response(
            status: .ok, headers: [.contentType: text ? "text/plain; charset=utf-8" : "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func id(_ context: APIContext) throws(APIError) -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id >= 1 else {
            throw APIError(.badRequest, "bad_request", "\(context.parameters.get("id") ?? "") is not a number: ids start at 1")
        }
        return id
    }

    static func flag(_ value: String?, _ name: String) throws(APIError) -> Bool {
        switch value {
        case nil, "false", "0": return false
        case "true", "1", "": return true
        case let other?: throw APIError(.badRequest, "bad_request", "\(name)=\(other) should be true or false")
        }
    }

    static func number(_ value: String?, _ name: String) throws(APIError) -> Int? {
        guard let value else { return nil }
        guard let number = Int(value), number >= 1 else {
            throw APIError(.badRequest, "bad_request", "\(name)=\(value) should be a whole number, 1 or more")
        }
        return number
    }
}

/// The body of an outcome: `{"note": …, "reason": …, "force": true}`, all optional.
struct OutcomeBody: Decodable {
    var note: String?
    var reason: String?
    var force: Bool?

    static func read(_ request: Request, _ context: APIContext) async throws -> OutcomeBody {
        try await readJSONBody(request, empty: OutcomeBody(), expected: "{\"note\": \"…\", \"force\": false}")
    }
}

/// A small JSON body (at most 64 KiB): `empty` when there is none, 415 when it is not
/// JSON, 400 naming the shape `expected` when it is not that shape.
func readJSONBody<Body: Decodable>(_ request: Request, empty: Body, expected: String) async throws -> Body {
    let buffer = try await request.body.collect(upTo: 64 * 1024)
    guard buffer.readableBytes > 0 else { return empty }
    if let type = request.headers[.contentType], !type.hasPrefix("application/json") {
        throw APIError(.unsupportedMediaType, "unsupported_media_type", "send the body as application/json")
    }
    do {
        return try JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
    } catch {
        throw APIError(.badRequest, "bad_request", "the body is not the JSON expected: \(expected)")
    }
}
