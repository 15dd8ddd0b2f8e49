import AsyncHTTPClient
import Domain
import FileErrors
import Foundation
import NIOCore
import Presentation
import Settings
import Subprocess
import SystemPackage

/// Delivers one notification on its channel: a webhook `POST` of the escalation JSON, a
/// command run without a shell with the JSON on stdin, or an email through the local
/// `sendmail -t`. Success is a 2xx answer, exit status 0, or sendmail accepting it.
public struct Notifier: Sendable {
    public let configuration: Settings.Configuration
    /// Where commands and `sendmail` are looked up (`PATH`).
    public let searchPath: [String]
    public var timeout: Duration = .seconds(30)

    public init(configuration: Settings.Configuration, environment: [String: String]) {
        self.configuration = configuration
        searchPath = (environment["PATH"] ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            .split(separator: ":").map(String.init)
    }

    /// The body every channel gets: the escalation (docs/reference.md) plus `text`, the short
    /// chat message that Slack-style webhooks display.
    func payload(_ notification: OwnerNotification, _ detail: EscalationDetail, now: Date) throws(DeliveryError) -> Data {
        let zone = configuration.business.hours.timeZone
        guard case .object(var fields) = JSONShapes(timeZone: zone, now: now).escalation(detail) else {
            throw DeliveryError("the escalation could not be written as JSON")
        }
        do {
            let text = try EscalationText(businessName: configuration.business.name, timeZone: zone, now: now, publicURL: configuration.http.publicURL).chat(detail, subject: notification.subject)
            fields.append(("text", .string(text)))
            fields.append(("announced_reason", .string(notification.subject.rawValue)))
            if let url = EscalationText(businessName: "", timeZone: zone, now: now, publicURL: configuration.http.publicURL).pageURL(detail.escalation.id) {
                fields.append(("url", .string(url)))
            }
        } catch {
            throw DeliveryError(error.description)
        }
        return Data(JSONValue.object(fields).rendered().utf8)
    }

    public func deliver(_ notification: OwnerNotification, _ detail: EscalationDetail, now: Date) async throws(DeliveryError) {
        guard let channel = Settings.Configuration.NotificationChannel(identifier: notification.channel) else {
            throw DeliveryError("unknown channel \(notification.channel)")
        }
        let body = try payload(notification, detail, now: now)
        switch channel {
        case .webhook(let url):
            try await post(body, to: url, key: notification.idempotencyKey)
        case .command(let path):
            try await run(path, arguments: [], input: body)
        case .email(let address):
            let zone = configuration.business.hours.timeZone
            let mail: (subject: String, body: String)
            do {
                mail = try EscalationText(businessName: configuration.business.name, timeZone: zone, now: now, publicURL: configuration.http.publicURL).email(detail, subject: notification.subject)
            } catch {
                throw DeliveryError(error.description)
            }
            let message = """
                To: \(address)
                Subject: \(Self.encodedHeader(mail.subject))
                MIME-Version: 1.0
                Content-Type: text/plain; charset=utf-8
                Content-Transfer-Encoding: 8bit
                Auto-Submitted: auto-generated
                X-Afterhours-Escalation: \(notification.idempotencyKey)

                \(mail.body)

                """
            guard let sendmail = locate("sendmail") ?? ["/usr/sbin/sendmail", "/usr/lib/sendmail"].first(where: FileManager.default.isExecutableFile) else {
                throw DeliveryError("no sendmail found on PATH or in /usr/sbin")
            }
            try await run(sendmail, arguments: ["-t"], input: Data(message.utf8))
        }
    }

    /// POSTs the JSON through `OneTryClient` (AsyncHTTPClient), which is created on first
    /// use: commands that never send a webhook never start its event loop.
    private func post(_ body: Data, to url: URL, key: String) async throws(DeliveryError) {
        let host = url.host ?? url.absoluteString
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: key)
        request.headers.add(name: "User-Agent", value: "afterhours")
        request.body = .bytes(ByteBuffer(bytes: body))
        let status: UInt
        do {
            let response = try await OneTryClient.shared.execute(request, timeout: .seconds(15))
            status = response.status.code
            // Read (and drop) what the receiver says, so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
        } catch {
            throw DeliveryError("\(host): \(Self.describe(error))")
        }
        guard (200..<300).contains(status) else {
            throw DeliveryError("\(host) answered HTTP \(status)")
        }
    }

    /// A connection failure in words ("connection refused"), not a type name.
    public static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return "no answer within 15 s"
        }
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("connection refused") { return "connection refused" }
        return text
    }

    /// Runs `path` directly (no shell: nothing from a caller reaches an argv), feeding
    /// `input` on stdin; exit status 0 is success. swift-subprocess writes the input and
    /// drains the output together, so neither side can fill a pipe and stall; past
    /// `timeout` the task is cancelled, which makes it terminate the program.
    private func run(_ path: String, arguments: [String], input: Data) async throws(DeliveryError) {
        struct Finished: Sendable {
            let status: TerminationStatus
            let said: String
        }
        let name = URL(fileURLWithPath: path).lastPathComponent
        let limit = timeout
        let finished: Finished?
        do {
            finished = try await withThrowingTaskGroup(of: Finished?.self) { group in
                group.addTask {
                    let result = try await Subprocess.run(
                        .path(FilePath(path)), arguments: Arguments(arguments), input: .data(input),
                        output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
                    return Finished(
                        status: result.terminationStatus, said: result.standardOutput + result.standardError)
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
        } catch {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw DeliveryError(FileError("\(path) cannot be run", path: path, code: access(path, F_OK) == 0 ? EACCES : ENOENT).description)
            }
            throw DeliveryError("\(name) could not be run: \(error)")
        }
        guard let finished else { throw DeliveryError("\(name) did not finish within \(limit); stopped") }
        guard case .exited(0) = finished.status else {
            let said = String(finished.said.prefix(300)).trimmingCharacters(in: .whitespacesAndNewlines)
            let ending: String
            switch finished.status {
            case .exited(let code): ending = "exited with status \(code)"
            case .signaled(let signal): ending = "was stopped by signal \(signal)"
            }
            throw DeliveryError("\(name) \(ending)\(said.isEmpty ? "" : ": \(TerminalText.oneLine(said))")")
        }
    }

    private func locate(_ program: String) -> String? {
        searchPath.map { "\($0)/\(program)" }.first(where: FileManager.default.isExecutableFile)
    }

    /// RFC 2047 for headers that are not plain ASCII.
    static func encodedHeader(_ text: String) -> String {
        guard !text.allSatisfy(\.isASCII) else { return text }
        return "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }
}

/// A channel that did not take a notification, and why.
public struct DeliveryError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
