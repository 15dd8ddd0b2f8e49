import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import UseCases

/// Who is asking: `Authorization: Bearer TOKEN`, or the pages' session cookie. Anything
/// else is a 401. Failures from one address are counted, and past a few each further
/// answer is slowed (up to 10 s) so tokens cannot be guessed at speed. Tokens are never
/// logged.
struct Authenticate: RouterMiddleware {
    typealias Context = APIContext
    let people: PeopleDesk
    let throttle: FailureThrottle
    let now: @Sendable () -> Date

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer", let person = try await people.authenticate(token: String(parts[1])) {
                context.person = person
                throttle.succeeded(context.remoteAddress)
                return try await next(request, context)
            }
        } else if let cookie = Self.cookie(Self.sessionCookie, in: request), let session = try await people.session(cookie, at: now()) {
            // A change made with the pages' cookie must also carry the session's CSRF token.
            if ![.get, .head].contains(request.method) {
                guard let sent = request.headers[Self.csrfHeader], Secret.constantTimeEqual(sent, session.csrf) else {
                    throw APIError(.forbidden, "csrf", "a change made with a session cookie needs the page's X-CSRF-Token header")
                }
            }
            context.person = session.person
            context.csrf = session.csrf
            return try await next(request, context)
        }
        await throttle.failed(context.remoteAddress)
        var error = APIError(.unauthorized, "unauthorized", "a valid token is needed: send Authorization: Bearer TOKEN")
        error.headers[.wwwAuthenticate] = "Bearer realm=\"afterhours\""
        throw error
    }

    static let sessionCookie = "afterhours_session"
    static let csrfHeader = HTTPField.Name.ours("X-CSRF-Token")

    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }
}

/// Failed sign-ins per address over the last minute; past `free` of them, each further
/// answer waits 2^(n − free) × 100 ms, at most 10 s.
final class FailureThrottle: Sendable {
    private let failures = Mutex<[String: [Date]]>([:])
    let free = 5
    let now: @Sendable () -> Date

    init(now: @escaping @Sendable () -> Date) { self.now = now }

    func failed(_ address: String) async {
        let instant = now()
        let count = failures.withLock { table -> Int in
            var recent = (table[address] ?? []).filter { instant.timeIntervalSince($0) < 60 }
            recent.append(instant)
            table[address] = recent
            if table.count > 10_000 { table = table.filter { !$0.value.isEmpty && instant.timeIntervalSince($0.value.last ?? instant) < 60 } }
            return recent.count
        }
        guard count > free else { return }
        let delay = min(10.0, 0.1 * pow(2, Double(count - free)))
        try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
    }

    func succeeded(_ address: String) {
        _ = failures.withLock { $0.removeValue(forKey: address) }
    }

    /// Recent failures from `address` (for tests and metrics).
    func recentFailures(_ address: String) -> Int {
        failures.withLock { $0[address]?.count ?? 0 }
    }
}
