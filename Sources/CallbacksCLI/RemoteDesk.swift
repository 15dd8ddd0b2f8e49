import AsyncHTTPClient
import Foundation
import HTTPService
import NIOCore
import NIOHTTP1
import Notifications

/// The HTTP API as the command line uses it: the same jobs, done by the server, answered
/// as the text (`Accept: text/plain`) or JSON the command would print locally.
struct RemoteDesk: Sendable {
    let base: String
    let token: String
    let json: Bool
    /// Where the token came from, for saying what to check when it is refused.
    let tokenSource: String

    /// From `--server`/`CALLBACKS_URL` and `--token`/`CALLBACKS_TOKEN`; nil when no server is named.
    init?(_ options: Invocation, _ environment: [String: String]) throws {
        guard let server = options.server ?? environment["CALLBACKS_URL"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        guard let url = URL(string: server), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw CommandFailure("\(server) is not a server address: give one like https://calls.example.com (--server or $CALLBACKS_URL)")
        }
        guard let token = options.token ?? environment["CALLBACKS_TOKEN"], !token.isEmpty else {
            throw CommandFailure("a token is needed with a server: give --token or set $CALLBACKS_TOKEN (callbacks people add prints one)")
        }
        base = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.token = token
        tokenSource = options.token != nil ? "--token" : "CALLBACKS_TOKEN"
        json = options.json
    }

    struct Answer {
        var text: String
        var headers: HTTPHeaders
    }

    /// Sends one request and returns the body; an error answer becomes the server's sentence.
    func call(_ method: HTTPMethod, _ path: String, query: [(String, String?)] = [], body: [String: Any]? = nil) async throws -> Answer {
        var components = URLComponents()
        components.queryItems = query.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        let suffix = (components.queryItems?.isEmpty ?? true) ? "" : "?" + (components.percentEncodedQuery ?? "")
        var request = HTTPClientRequest(url: base + path + suffix)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: json ? "application/json" : "text/plain")
        request.headers.add(name: "User-Agent", value: "callbacks")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await OneTryClient.shared.execute(request, timeout: .seconds(30))
            bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        } catch {
            throw unreachable(error)
        }
        let text = String(buffer: bytes)
        guard (200..<300).contains(response.status.code) else { throw refusal(response.status.code, body: text) }
        return Answer(text: text.hasSuffix("\n") ? String(text.dropLast()) : text, headers: response.headers)
    }

    /// The audio of one message, streamed to `file`.
    func download(_ path: String, to file: FileHandle) async throws {
        var request = HTTPClientRequest(url: base + path)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response: HTTPClientResponse
        do {
            response = try await OneTryClient.shared.execute(request, timeout: .seconds(120))
        } catch {
            throw unreachable(error)
        }
        guard response.status == .ok else {
            throw refusal(response.status.code, body: String(buffer: try await response.body.collect(upTo: 1024 * 1024)))
        }
        for try await chunk in response.body {
            try file.write(contentsOf: Data(chunk.readableBytesView))
        }
    }

    /// An error answer as the server's one sentence (`{"error": {"message": …}}`), in the
    /// words of someone at this command line: a refused token is this token, a claim is
    /// overridden with --force, not with the API's `"force": true`.
    func refusal(_ status: UInt, body: String) -> CommandFailure {
        if status == 401 { return CommandFailure("the server at \(base) refused this token (check \(tokenSource))") }
        let error = ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any])?["error"] as? [String: Any]
        guard let message = error?["message"] as? String else { return CommandFailure("\(base) answered HTTP \(status)") }
        if error?["claimed_by"] is String, let hint = message.range(of: APIError.forceHint) {
            return CommandFailure(CommandWords.overrideHint(String(message[..<hint.lowerBound])))
        }
        return CommandFailure(message)
    }

    /// A request that got no answer, in one line: no TLS library dump.
    func unreachable(_ error: any Error) -> CommandFailure {
        let text = String(describing: error)
        if base.hasPrefix("https:"), text.contains("SSL") || text.contains("TLS") || text.contains("handshake") {
            if text.localizedCaseInsensitiveContains("certificate") {
                return CommandFailure("the server at \(base) has a certificate this machine does not trust: check the address, or the server's http.tls certificate")
            }
            let plain = "http:" + base.dropFirst("https:".count)
            return CommandFailure("the server at \(base) does not speak TLS (HTTPS): if it serves plain HTTP, use \(plain)")
        }
        return CommandFailure("cannot reach \(base): \(Notifier.describe(error))")
    }
}
