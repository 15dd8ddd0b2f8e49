import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import Presentation
import UseCases

/// The pages of docs/pages.md: server-rendered HTML from the Mustache templates in
/// `Pages/`, plain CSS, one small script for live queue updates. Forms work without it;
/// every form carries the session's CSRF token. The pages call the same use cases, with
/// the same roles, as the API.
struct Pages: Sendable {
    let library: MustacheLibrary
    let css: String
    let script: String

    static func load() throws -> Pages {
        guard let folder = Bundle.module.url(forResource: "Pages", withExtension: nil) else {
            throw APIError(.serviceUnavailable, "unavailable", "the page templates are not installed")
        }
        var templates: [String: MustacheTemplate] = [:]
        for file in try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil) where file.pathExtension == "mustache" {
            templates[file.deletingPathExtension().lastPathComponent] = try MustacheTemplate(string: String(contentsOf: file, encoding: .utf8))
        }
        return Pages(
            library: MustacheLibrary(templates: templates),
            css: try String(contentsOf: folder.appendingPathComponent("pages.css"), encoding: .utf8),
            script: try String(contentsOf: folder.appendingPathComponent("pages.js"), encoding: .utf8))
    }

    func render(_ name: String, _ values: [String: Any]) -> String {
        library.render(values, withTemplate: name) ?? ""
    }
}

extension HTTPFace {
    static let sessionLifetime: TimeInterval = 12 * 3600

    func pageRoutes(_ router: Router<APIContext>, pages: Pages) {
        router.get("/static/pages.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=300"], body: .init(byteBuffer: ByteBuffer(string: pages.css)))
        }
        router.get("/static/pages.js") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=300"], body: .init(byteBuffer: ByteBuffer(string: pages.script)))
        }
        router.get("/") { request, context in
            try await withSession(request, context, pages) { person, _, form in
                Response(status: .seeOther, headers: [.location: person.isOwner ? "/escalations" : "/queue"])
            }
        }
        router.get("/login") { request, context in signInPage(request, pages) }
        router.post("/login") { request, context in try await signIn(request, pages) }
        router.post("/logout") { request, context in
            try await withSession(request, context, pages, form: true) { _, _, _ in
                if let cookie = Authenticate.cookie(Authenticate.sessionCookie, in: request) { try await people.endSession(cookie) }
                var response = page(pages, status: .ok, title: "Signed out", "message", ["heading": "Signed out", "text": "You are signed out of this browser."])
                response.headers[.setCookie] = "\(Authenticate.sessionCookie)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
                return response
            }
        }
        router.get("/escalations") { request, context in
            try await withSession(request, context, pages, ownerOnly: true) { person, csrf, _ in
                let now = now()
                let list = try await owner.escalations(includeResolved: false, for: person, at: now)
                let items = list.map { detail -> [String: Any] in
                    let escalation = detail.escalation
                    return [
                        "id": escalation.id, "state": escalation.state.rawValue, "stateWords": Self.stateWords(escalation.state),
                        "since": DeskText.span(max(0, Int(now.timeIntervalSince(escalation.stateSince)))),
                        "caller": Self.callerName(detail.callback.callback), "number": Self.numberWords(detail.callback.callback.caller),
                        "reasons": escalation.reasons.map { Self.outside(EscalationWords.line($0)) },
                    ]
                }
                return page(pages, title: "Escalations", "escalations", ["items": items], person: person, csrf: csrf)
            }
        }
        router.get("/escalations/{id}") { request, context in
            try await withSession(request, context, pages, ownerOnly: true) { person, csrf, _ in
                let now = now()
                let detail = try await owner.escalation(try Self.id(context), for: person, at: now)
                return page(pages, title: "Escalation #\(detail.escalation.id)", "escalation", escalationValues(detail, pages: pages, csrf: csrf, now: now), person: person, csrf: csrf)
            }
        }
        router.post("/escalations/{id}/ack") { request, context in
            try await withSession(request, context, pages, ownerOnly: true, form: true) { person, _, form in
                let id = try Self.id(context)
                _ = try await owner.acknowledge(id, by: person, at: now())
                return Response(status: .seeOther, headers: [.location: "/escalations/\(id)"])
            }
        }
        router.post("/escalations/{id}/resolve") { request, context in
            try await withSession(request, context, pages, ownerOnly: true, form: true) { person, _, form in
                let id = try Self.id(context)
                _ = try await owner.resolve(id, by: person, note: form["note"] ?? "", at: now())
                return Response(status: .seeOther, headers: [.location: "/escalations/\(id)"])
            }
        }
        blockedPageRoutes(router, pages: pages)
        router.get("/queue") { request, context in
            try await withSession(request, context, pages) { person, csrf, _ in
                let now = now()
                var values = try await queueValues(person: person, pages: pages, now: now)
                let mine = try await desk.list(.init(mine: true), for: person, at: now)
                let text = Replies(configuration: configuration, now: now, colour: false, json: false).text
                values["mine"] = mine.map { detail -> [String: Any] in
                    let callback = detail.callback
                    var values: [String: Any] = [
                        "id": callback.id, "caller": Self.callerName(callback), "number": Self.numberWords(callback.caller),
                        "messagesHTML": pages.render("messages", ["messages": Self.messageValues(detail, text: text)]), "csrf": csrf,
                    ]
                    // Absent, not empty: no `tel:` link without a number to dial.
                    if let number = callback.caller.number { values["dial"] = number.e164 }
                    if let opening = text.openingLine(detail, staff: person.name) { values["opening"] = Self.outside(opening) }
                    return values
                }
                values["csrf"] = csrf
                return page(pages, title: "Queue", "queue", values, person: person, csrf: csrf, script: true)
            }
        }
        router.get("/queue/live") { request, context in
            try await withSession(request, context, pages) { person, _, form in
                let values = try await queueValues(person: person, pages: pages, now: now())
                let body = "\(values["version"] ?? "")\n\(values["tableHTML"] ?? "")"
                return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: body)))
            }
        }
        router.post("/queue/next") { request, context in
            try await withSession(request, context, pages, form: true) { person, _, form in
                if case .nothingNow = try await desk.next(for: person, at: now()) {
                    return Response(status: .seeOther, headers: [.location: "/queue?notice=nothing"])
                }
                return Response(status: .seeOther, headers: [.location: "/queue"])
            }
        }
        router.post("/queue/{id}/outcome") { request, context in
            try await withSession(request, context, pages, form: true) { person, _, form in
                let id = try Self.id(context)
                let note = form["note"].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
                switch form["outcome"] {
                case "done": _ = try await desk.done(id, by: person, note: note, force: false, at: now())
                case "no-answer": _ = try await desk.noAnswer(id, by: person, note: note, force: false, at: now())
                case "release": _ = try await desk.release(id, by: person, force: false, at: now())
                default: throw APIError(.badRequest, "bad_request", "choose Done, No answer or Release")
                }
                return Response(status: .seeOther, headers: [.location: "/queue"])
            }
        }
    }

    // MARK: sessions

    /// `GET /login?token=…`: a page with a "Sign in" button, and nothing spent. A chat
    /// app's link preview, a mail scanner or a HEAD request fetches the link without
    /// signing anyone in; only the button's POST uses it.
    func signInPage(_ request: Request, _ pages: Pages) -> Response {
        if let repeated = SingleQueryValues.repeated(request) {
            return page(pages, status: .badRequest, title: "Sign in", "message", ["heading": "This sign-in link is not right", "text": "\(repeated) is in it more than once.", "hint": Self.askForLink])
        }
        let token = request.uri.queryParameters.get("token") ?? ""
        var values: [String: Any] = ["token": token]
        if let next = Self.nextPath(request.uri.queryParameters.get("next")) { values["next"] = next }
        var response = page(pages, title: "Sign in", "signin", values)
        // The token is in this address: never pass it on to another site (same-origin, not
        // no-referrer, which would make the button's POST carry Origin: null).
        response.headers[.ours("Referrer-Policy")] = "same-origin"
        return response
    }

    /// Whether a posted form's `Origin` (when the browser sends one) is this site: the
    /// address asked for, or `http.public_url`.
    static func fromThisSite(_ request: Request, publicURL: String?) -> Bool {
        guard let origin = request.headers[.origin] else { return true }
        func authority(_ url: URL?) -> String? {
            guard let url, let host = url.host else { return nil }
            return url.port.map { "\(host):\($0)" } ?? host
        }
        guard let sent = authority(URL(string: origin)) else { return false }
        return [request.head.authority, authority(publicURL.flatMap(URL.init(string:)))].contains(sent)
    }

    static let askForLink = "Ask the owner or an admin for a new link: they run callbacks people link YOUR-NAME on the server."

    /// Only a path on this site: never `//host` or `/\host`, which browsers read as another site.
    static func nextPath(_ value: String?) -> String? {
        value.flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") && !$0.contains("\\") ? $0 : nil }
    }

    /// `POST /login` (the sign-in page's button): the one-time link becomes a session cookie.
    func signIn(_ request: Request, _ pages: Pages) async throws -> Response {
        // A sign-in posted from another site would sign this browser in as someone else.
        guard Self.fromThisSite(request, publicURL: configuration.http.publicURL) else {
            return page(pages, status: .forbidden, title: "Refused", "message", ["heading": "This sign-in was refused", "text": "It did not come from this site's page. Open the sign-in link again.", "hint": Self.askForLink])
        }
        let form = try await Self.form(request)
        let token = form["token"] ?? ""
        let next = Self.nextPath(form["next"])
        let ask = Self.askForLink
        switch try await people.redeem(link: token, at: now()) {
        case .signedIn(let person):
            let cookie = Secret.make()
            let csrf = Secret.make()
            try await people.startSession(person, cookie: cookie, csrf: csrf, expiresAt: now().addingTimeInterval(Self.sessionLifetime))
            let secure = (configuration.http.publicURL ?? "").hasPrefix("https:") ? "; Secure" : ""
            return Response(
                status: .seeOther,
                headers: [
                    .location: next ?? (person.role == .staff ? "/queue" : "/escalations"),
                    .setCookie: "\(Authenticate.sessionCookie)=\(cookie); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Int(Self.sessionLifetime))\(secure)",
                ])
        case .expired:
            return page(pages, status: .gone, title: "Link expired", "message", ["heading": "This sign-in link has expired", "text": "Sign-in links last 15 minutes.", "hint": ask])
        case .used:
            return page(pages, status: .gone, title: "Link already used", "message", ["heading": "This sign-in link was already used", "text": "Each link signs in once.", "hint": ask])
        case .unknown:
            return page(pages, status: .notFound, title: "Unknown link", "message", ["heading": "This sign-in link is not known", "text": "It may have been mistyped or cut short.", "hint": ask])
        }
    }

    /// Runs `body` for the signed-in person; otherwise a page saying how to sign in. With
    /// `ownerOnly`, staff get a 404 (the page does not exist for them); with `form`, the
    /// POST must carry the session's CSRF token.
    func withSession(
        _ request: Request, _ context: APIContext, _ pages: Pages, ownerOnly: Bool = false, form: Bool = false,
        _ body: (Acting, String, [String: String]) async throws -> Response
    ) async throws -> Response {
        guard let cookie = Authenticate.cookie(Authenticate.sessionCookie, in: request), let (person, csrf) = try await people.session(cookie, at: now())
        else {
            // SameSite=Strict keeps the cookie off a navigation from another site (a link
            // in an email): reload once from this site, where it is sent, before asking.
            let again = request.uri.queryParameters.get("again") != nil
            let path = request.uri.path + "?" + ((request.uri.query.map { $0 + "&" }) ?? "") + "again=1"
            return page(
                pages, status: .unauthorized, title: "Sign in", "message",
                [
                    "heading": "Sign in first",
                    "text": "Open the sign-in link you were given; it brings you back here.",
                    "hint": "No link? The owner or an admin runs callbacks people link YOUR-NAME on the server and sends it to you.",
                ], refresh: (request.method == .get && !again) ? path : nil)
        }
        if ownerOnly, !person.isOwner {
            return page(pages, status: .notFound, title: "Not found", "message", ["heading": "There is no such page", "text": "Go to the queue."], person: person, csrf: csrf)
        }
        var fields: [String: String] = [:]
        if form {
            fields = try await Self.form(request)
            guard let sent = fields["csrf"], Secret.constantTimeEqual(sent, csrf) else {
                return page(pages, status: .forbidden, title: "Refused", "message", ["heading": "This form was refused", "text": "It did not come from this site's page. Go back, reload the page and try again."], person: person, csrf: csrf)
            }
        }
        do {
            if let repeated = SingleQueryValues.repeated(request) {
                throw APIError(.badRequest, "bad_request", "\(repeated) is given more than once in the address: give it once")
            }
            return try await body(person, csrf, fields)
        } catch let error as StoreError {
            if error.claimedBy != nil {
                // No override on a page: say what the person can do from here.
                let message = error.message + ": ask them to release it, or wait until their claim lapses"
                return notDone(pages, APIError(.conflict, "conflict", message), person: person, csrf: csrf)
            }
            return notDone(pages, APIError(error), person: person, csrf: csrf)
        } catch let error as APIError {
            // A page's form or address with a bad value: a page saying so, not the API's JSON.
            return notDone(pages, error, person: person, csrf: csrf)
        }
    }

    /// A page saying what was not done and why, with the refusal's status.
    func notDone(_ pages: Pages, _ error: APIError, person: Acting, csrf: String) -> Response {
        let heading = error.status == .notFound ? "There is no such page" : "That was not done"
        return page(pages, status: error.status, title: "Not done", "message", ["heading": heading, "text": Self.outside(error.message)], person: person, csrf: csrf)
    }

    // MARK: rendering

    func page(
        _ pages: Pages, status: HTTPResponse.Status = .ok, title: String, _ template: String, _ values: [String: Any],
        person: Acting? = nil, csrf: String? = nil, script: Bool = false, refresh: String? = nil
    ) -> Response {
        var layout: [String: Any] = [
            "title": title, "business": configuration.business.name, "body": pages.render(template, values), "script": script,
        ]
        if let person {
            layout["person"] = Self.outside(person.name)
            layout["owner"] = person.isOwner
            layout["csrf"] = csrf ?? ""
        }
        if let refresh { layout["refresh"] = refresh }
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .ours("X-Frame-Options"): "DENY", .ours("Content-Security-Policy"): "default-src 'self'; media-src 'self'; frame-ancestors 'none'"],
            body: .init(byteBuffer: ByteBuffer(string: pages.render("layout", layout))))
    }

    func queueValues(person: Acting, pages: Pages, now: Date) async throws -> [String: Any] {
        let list = try await desk.list(.init(all: true), for: person, at: now).filter { $0.callback.status(at: now) != .done }
        let items = list.map { detail -> [String: Any] in
            let callback = detail.callback
            let seconds = Int(callback.deadline.timeIntervalSince(now))
            var status = callback.status(at: now).rawValue
            if status == "claimed", let holder = callback.claimedBy { status = "claimed by \(Self.outside(holder))" }
            if callback.escalated { status += ", escalated" }
            if callback.urgent { status += ", urgent" }
            let zone = configuration.business.hours.timeZone
            if let reach = detail.atRisk { status += ", at risk: reached about \(ReadableTime.format(reach, in: zone, reference: now))" }
            var due = seconds >= 0 ? "due in \(DeskText.span(seconds))" : "\(DeskText.span(-seconds)) late"
            // What the caller was told, when the staff on shift could not meet the deadline.
            if let promise = callback.promisedBy, promise != callback.deadline, callback.status(at: now) != .done {
                due += " (promised \(ReadableTime.format(promise, in: zone, reference: now)))"
            }
            var item: [String: Any] = [
                "id": callback.id, "caller": Self.callerName(callback), "number": Self.numberWords(callback.caller), "due": due, "status": status,
            ]
            let classes = (seconds < 0 ? ["late"] : []) + (detail.atRisk != nil ? ["at-risk"] : [])
            if !classes.isEmpty { item["rowClass"] = classes.joined(separator: " ") }
            return item
        }
        let table = pages.render("queue-table", ["items": items, "hasItems": !items.isEmpty])
        let version = Secret.hash(table).prefix(16)
        return ["tableHTML": table, "version": String(version)]
    }

    func escalationValues(_ detail: EscalationDetail, pages: Pages, csrf: String, now: Date) -> [String: Any] {
        let escalation = detail.escalation
        let callback = detail.callback.callback
        let text = Replies(configuration: configuration, now: now, colour: false, json: false).text
        var values: [String: Any] = [
            "id": escalation.id, "state": escalation.state.rawValue, "stateWords": Self.stateWords(escalation.state),
            "since": DeskText.span(max(0, Int(now.timeIntervalSince(escalation.stateSince)))),
            "caller": Self.callerName(callback), "number": Self.numberWords(callback.caller),
            "reasons": escalation.reasons.map { Self.outside(EscalationWords.line($0)) },
            "canAck": escalation.state == .open, "canResolve": escalation.state != .resolved, "csrf": csrf,
            "messagesHTML": pages.render("messages", ["messages": Self.messageValues(detail.callback, text: text)]),
            "history": detail.callback.history.map { event -> [String: Any] in
                var line: [String: Any] = ["when": text.moment(event.at), "actor": Self.outside(event.actor), "kind": event.kind.rawValue]
                if let note = event.note, !note.isEmpty { line["note"] = Self.outside(note) }
                return line
            },
        ]
        // The "Block this caller" form: only for a number not blocked yet.
        if !callback.callerBlocked, let number = callback.caller.number { values["blockNumber"] = number.e164 }
        // Values are left out, never nil: a nil in `Any` renders as the word "nil".
        if escalation.state == .resolved {
            var resolved = "Resolved by \(Self.outside(escalation.resolvedBy ?? "the owner"))"
            if let at = escalation.resolvedAt { resolved += ", \(text.moment(at))" }
            values["resolvedLine"] = resolved
            if let resolution = escalation.resolution, !resolution.isEmpty { values["resolution"] = Self.outside(resolution) }
        }
        if let by = escalation.acknowledgedBy, let at = escalation.acknowledgedAt {
            values["acknowledgedLine"] = "Acknowledged by \(Self.outside(by)), \(text.moment(at))"
        }
        return values
    }

    static func messageValues(_ detail: CallbackDetail, text: DeskText) -> [[String: Any]] {
        detail.messages.map { stored in
            let audio = stored.voicemail.audio
            var values: [String: Any] = [
                "id": stored.id, "received": text.moment(stored.voicemail.receivedAt),
                "duration": audio.map { String(format: "%.0f s", $0.durationSeconds) } ?? "audio unreadable",
                "urgent": stored.voicemail.urgent,
                "playable": stored.audioPath != nil || stored.quarantinePath != nil,
                "rules": stored.transcript.rules.map(Self.outside),
                "spoken": stored.numberSource == .spoken,
            ]
            // Left out when there is none, never nil (which renders as the word "nil").
            if let audio { values["seconds"] = String(format: "%.2f", audio.durationSeconds) }
            if let error = stored.voicemail.audioError, !error.isEmpty { values["error"] = Self.outside(error) }
            if stored.transcript.status == .done, let words = stored.transcript.text, !words.isEmpty {
                values["transcript"] = Self.outside(words)
            }
            if stored.transcript.status == .done, stored.transcript.cutShort { values["cutShort"] = DeskText.cutShortNote }
            if stored.transcript.status == .done, stored.transcript.lowConfidence { values["lowConfidence"] = DeskText.lowConfidenceNote }
            return values
        }
    }

    static func callerName(_ callback: Callback) -> String {
        callback.caller.shownName.map(outside) ?? (callback.caller.isAnonymous ? "Unknown caller" : "Caller")
    }

    /// The number to read and dial, or what stands in for it: "number withheld", or what
    /// the phone system wrote when it is not a number to dial.
    static func numberWords(_ caller: Caller) -> String {
        if let number = caller.number { return number.formatted }
        if let raw = caller.rawNumber?.trimmingCharacters(in: .whitespaces), !raw.isEmpty, !Caller.withheldMarkers.contains(raw.lowercased()) {
            return "\(outside(raw)) (not a number to dial)"
        }
        return "number withheld"
    }

    /// Text from outside (names, notes, reasons, transcripts) as a page shows it: on one
    /// line, control characters and bidi controls as visible escapes (`\u{202E}`), like the
    /// terminal. The templates put it in `<bdi>`, so a right-to-left name cannot reorder
    /// what is around it.
    static func outside(_ text: String) -> String { TerminalText.oneLine(text) }

    static func stateWords(_ state: EscalationState) -> String {
        switch state {
        case .open: "Open"
        case .acknowledged: "Acknowledged"
        case .resolved: "Resolved"
        }
    }

    /// A posted form (`application/x-www-form-urlencoded`), at most 64 KiB.
    static func form(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        var components = URLComponents()
        components.percentEncodedQuery = String(buffer: buffer).replacingOccurrences(of: "+", with: "%20")
        var fields: [String: String] = [:]
        for item in components.queryItems ?? [] { fields[item.name] = item.value ?? "" }
        return fields
    }
}
