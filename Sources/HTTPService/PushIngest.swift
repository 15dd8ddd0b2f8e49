import Afterhours
import CallbackQueue
import Crypto
import FileErrors
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import MultipartKit
import UseCases

/// `POST /api/v1/voicemails`: a PBX that can POST (FreeSWITCH, 3CX, a script) hands over
/// one message as multipart `audio` + `metadata` (the sidecar JSON). It goes through the
/// same ingest as the spool, from a private folder: stored in the database before the
/// answer, its files archived, or quarantined with a reason. With `Idempotency-Key` a
/// retry gets the first answer again and nothing is stored twice.
public struct PushIngest: Sendable {
    let ingester: Ingester
    /// Where each request's files are written before ingest takes them (one folder each).
    let staging: URL
    let quarantine: URL
    let work = BlockingQueue(label: "afterhours.push")

    public init(configuration: Configuration, store: any Store, logger: Logger) {
        var settings = configuration
        staging = URL(fileURLWithPath: configuration.spool.archive).appendingPathComponent(".incoming")
        settings.spool.path = staging.path
        settings.spool.layout = .sidecar
        settings.spool.keepOriginals = false
        settings.spool.settle = 0
        quarantine = URL(fileURLWithPath: configuration.spool.quarantine)
        ingester = Ingester(configuration: settings, store: store, logger: logger)
    }

    static let idempotencyKey = HTTPField.Name.ours("Idempotency-Key")
    static let replayed = HTTPField.Name.ours("Idempotent-Replayed")
    static let audioTypes: [String: String] = [
        "audio/wav": "wav", "audio/x-wav": "wav", "audio/wave": "wav", "audio/vnd.wave": "wav", "audio/gsm": "gsm",
        "audio/x-gsm": "gsm", "audio/basic": "ulaw", "audio/pcmu": "ulaw", "audio/pcma": "alaw", "audio/flac": "flac",
        "audio/ogg": "ogg", "audio/opus": "opus", "audio/mpeg": "mp3",
    ]
    static let audioExtensions: Set<String> = ["wav", "gsm", "ulaw", "alaw", "sln", "flac", "ogg", "opus", "mp3"]

    func handle(_ request: Request, _ context: APIContext, face: HTTPFace) async throws -> Response {
        let person = try context.acting()
        let key = request.headers[Self.idempotencyKey]
        if let key {
            guard (1...255).contains(key.count), key.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) else {
                throw APIError(.badRequest, "bad_request", "Idempotency-Key should be 1 to 255 printable ASCII characters")
            }
            if let (status, body) = try await face.store.pushReceipt(key: key) {
                var response = HTTPFace.json(body, status: .init(code: status))
                response.headers[Self.replayed] = "true"
                return response
            }
        }
        let (audio, metadata) = try await parts(request, context)
        let (status, body) = try await store(audio: audio, metadata: metadata, by: person, now: face.now())
        if let key { try await face.store.savePushReceipt(key: key, status: Int(status.code), body: body, at: face.now()) }
        return HTTPFace.json(body, status: status)
    }

    /// The audio (bytes and extension) and the metadata (a JSON object, or none).
    func parts(_ request: Request, _ context: APIContext) async throws -> (audio: (Data, String), metadata: Data?) {
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/form-data"),
            let boundary = Self.parameter("boundary", in: type)
        else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "send multipart/form-data with an audio part and a metadata part")
        }
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        var parts: [(headers: [String: String], body: Data)] = []
        var headers: [String: String] = [:]
        var body = Data()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { chunk in body.append(contentsOf: chunk.readableBytesView) }
        parser.onPartComplete = {
            parts.append((headers, body))
            headers = [:]
            body = Data()
        }
        do {
            try parser.execute(buffer)
        } catch {
            throw APIError(.badRequest, "bad_request", "the multipart body cannot be read: \(error)")
        }
        var audio: (Data, String)?
        var metadata: Data?
        for part in parts {
            let disposition = part.headers["content-disposition"] ?? ""
            switch Self.parameter("name", in: disposition) {
            case "audio":
                let fromName = Self.parameter("filename", in: disposition).map { URL(fileURLWithPath: $0).pathExtension.lowercased() }
                let fromType = part.headers["content-type"].flatMap { Self.audioTypes[$0.lowercased().split(separator: ";")[0].trimmingCharacters(in: .whitespaces)] }
                guard let ext = fromName.flatMap({ Self.audioExtensions.contains($0) ? $0 : nil }) ?? fromType else {
                    try await reject(
                        [("audio", part.body)], "the audio part should be WAV, GSM, µ-law, A-law, FLAC, Ogg or MP3 (by its file name or Content-Type)",
                        status: .unsupportedMediaType)
                }
                guard !part.body.isEmpty else { try await reject([], "the audio part is empty") }
                audio = (part.body, ext)
            case "metadata":
                metadata = part.body
            default:
                continue  // unknown parts are ignored
            }
        }
        guard let audio else {
            try await reject(parts.map { ($0.headers["content-disposition"].flatMap { Self.parameter("name", in: $0) } ?? "part", $0.body) }, "there is no audio part")
        }
        if let metadata, !((try? JSONSerialization.jsonObject(with: metadata)) is [String: Any]) {
            try await reject([("message.\(audio.1)", audio.0), ("message.json", metadata)], "the metadata part should be a JSON object (the sidecar fields)")
        }
        return (audio, metadata)
    }

    /// Keeps a refused upload in the quarantine with why (nothing a PBX sent is lost), and
    /// answers 422 with the same reason.
    func reject(_ files: [(String, Data)], _ reason: String, status: HTTPResponse.Status = .unprocessableContent) async throws -> Never {
        let folder = quarantine.appendingPathComponent("push-\(UUID().uuidString)")
        do {
            try await work.run {
                try FileError.createFolder(folder.path, for: "the quarantine")
                for (index, (name, data)) in files.enumerated() {
                    // Names come from the sender: kept only when plain, else numbered.
                    let plain = !name.isEmpty && name.count <= 64 && !name.hasPrefix(".")
                        && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }
                    try data.write(to: folder.appendingPathComponent(plain ? name : "part-\(index)"))
                }
                try Data((reason + "\n").utf8).write(to: folder.appendingPathComponent(".reason"))
            }
        } catch {
            throw APIError(.serviceUnavailable, "unavailable", "\(reason), and it could not be kept in the quarantine: \(error)")
        }
        Counter(label: "afterhours_quarantined_total").increment()
        throw APIError(status, status == .unprocessableContent ? "invalid" : "unsupported_media_type", "\(reason); what was sent is kept in the quarantine")
    }

    /// Writes the message into a folder of its own (audio first, metadata last, as a PBX
    /// would), ingests that folder, and says what became of it.
    func store(audio: (Data, String), metadata: Data?, by person: Acting, now: Date) async throws -> (HTTPResponse.Status, String) {
        let folder = staging.appendingPathComponent(UUID().uuidString)
        let (ingester, quarantine) = (ingester, quarantine)
        return try await work.run { () throws -> (HTTPResponse.Status, String) in
            do {
                try FileError.createFolder(folder.path, for: "push ingest")
                // Named after the content: the same message pushed again has the same name (and
                // so the same identity), two different ones never share a quarantine folder.
                let digest = SHA256.hash(data: audio.0 + (metadata ?? Data())).prefix(12).map { String(format: "%02x", $0) }.joined()
                let name = "push-\(digest)"
                try audio.0.write(to: folder.appendingPathComponent("\(name).\(audio.1)"), options: .atomic)
                if let metadata { try metadata.write(to: folder.appendingPathComponent("\(name).json"), options: .atomic) }
            } catch {
                throw APIError(.serviceUnavailable, "unavailable", "the message could not be written down: \(error); send it again")
            }
            let summary = ingester.runOnce(spoolPath: folder.path, at: now, fileClock: MachineClock.fileTime().addingTimeInterval(3600), actor: "push:\(person.name)")
            summary.count()
            defer { Self.removeIfEmpty(folder) }
            switch summary.outcomes.first {
            case .stored(let voicemailID, let callbackID, _)?:
                let error = summary.unreadable > 0 ? summary.quarantineReasons.first : nil
                return (.created, Self.answer(voicemailID, callbackID, duplicate: false, error: error))
            case .duplicate(let voicemailID, _)?:
                return (.ok, Self.answer(voicemailID, nil, duplicate: true, error: nil))
            case nil:
                // Not stored: the files are kept, in the quarantine, with why.
                let reason = summary.quarantineReasons.first ?? summary.leftBehind.first?.reason ?? summary.problems.first ?? "not a message"
                if summary.quarantined == 0 {
                    var mover = FileMover(keepOriginals: false)
                    let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
                    try? mover.quarantine(files, in: quarantine.appendingPathComponent("push-\(folder.lastPathComponent)"), reason: reason)
                }
                throw APIError(.unprocessableContent, "invalid", "the message was not stored: \(reason); its files are in the quarantine")
            }
        }
    }

    static func answer(_ voicemailID: Int64, _ callbackID: Int64?, duplicate: Bool, error: String?) -> String {
        JSONText.object([
            "voicemail_id": .int(voicemailID), "callback_id": callbackID.map(JSONText.int) ?? .null,
            "duplicate": .bool(duplicate), "quarantined": .bool(error != nil), "error": error.map(JSONText.string) ?? .null,
        ]).rendered
    }

    static func removeIfEmpty(_ folder: URL) {
        if (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.isEmpty == true {
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// `name=value` (or `name="value"`) in a header like Content-Type or Content-Disposition.
    static func parameter(_ name: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
