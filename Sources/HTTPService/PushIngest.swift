import App
import Crypto
import Domain
import FileErrors
import Foundation
import HTTPTypes
import Hummingbird
import Ingest
import Logging
import Metrics
import MultipartKit
import Runtime
import Settings
import Spool
import UseCases

/// `POST /api/v1/voicemails`: a PBX that can POST (FreeSWITCH, 3CX, a script) hands over
/// one message as multipart `audio` + `metadata` (the sidecar JSON). It goes through the
/// same ingest as the spool, from a private folder: stored in the database before the
/// answer, its files archived, or quarantined with a reason. A field of the metadata that
/// cannot be read is ignored with a warning, never the message: only a push with neither
/// audio nor a caller to call back is refused. With `Idempotency-Key` (the sender's own,
/// see `PushKeys`) a retry gets the first answer again and nothing is stored twice.
public struct PushIngest: Sendable {
    let ingester: Ingester
    /// Where each request's files are written before ingest takes them (one folder each).
    let staging: URL
    let quarantine: URL
    let timeZone: TimeZone
    let keys: PushKeys
    let logger: Logger
    let work = BlockingQueue(label: "afterhours.push")

    /// `ingester` is made from `configuration` by `PushIngest.settings` (`Wiring.pushIngest`).
    public init(configuration: Configuration, ingester: Ingester, keys: PushKeys, logger: Logger) {
        staging = Self.staging(configuration)
        quarantine = URL(fileURLWithPath: configuration.spool.quarantine)
        timeZone = configuration.business.hours.timeZone
        self.ingester = ingester
        self.keys = keys
        self.logger = logger
    }

    /// Where each request's files wait for ingest.
    static func staging(_ configuration: Configuration) -> URL {
        URL(fileURLWithPath: configuration.spool.archive).appendingPathComponent(".incoming")
    }

    /// The configuration push ingest's own pipeline runs with: the staging folder as its
    /// spool, sidecar layout, nothing kept, nothing to wait for.
    public static func settings(_ configuration: Configuration) -> Configuration {
        var settings = configuration
        settings.spool.path = staging(configuration).path
        settings.spool.layout = .sidecar
        settings.spool.keepOriginals = false
        settings.spool.settle = 0
        return settings
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
        }
        let push = Push(try await parts(request, context), timeZone: timeZone)
        guard let key else {
            let (status, body) = try await store(push, by: person, now: face.now())
            return HTTPFace.json(body, status: status)
        }
        switch try await keys.begin(sender: person.name, key: key, fingerprint: push.fingerprint, now: face.now) {
        case .proceed:
            break
        case .replay(let status, let body):
            var response = HTTPFace.json(body, status: .init(code: status))
            response.headers[Self.replayed] = "true"
            return response
        case .reused:
            throw APIError(
                .unprocessableContent, "idempotency_key_reused",
                "Idempotency-Key \"\(key)\" was already used for a different message; nothing was stored or replayed: send this message with a key of its own")
        case .busy:
            var error = APIError(
                .conflict, "idempotency_key_in_progress",
                "a request with Idempotency-Key \"\(key)\" is still being stored; send it again in a moment to get its answer")
            error.headers[.retryAfter] = "1"
            throw error
        }
        let (status, body): (HTTPResponse.Status, String)
        do {
            (status, body) = try await store(push, by: person, now: face.now())
        } catch {
            // Not stored: the key is free for the retry.
            await keys.abandon(sender: person.name, key: key, fingerprint: push.fingerprint)
            throw error
        }
        do {
            try await keys.finish(sender: person.name, key: key, fingerprint: push.fingerprint, status: Int(status.code), body: body)
        } catch {
            // The message is stored: a retry finds it by its identity once the reservation lapses.
            logger.error("could not keep the push's answer with its Idempotency-Key", metadata: ["error": "\(error)"])
        }
        return HTTPFace.json(body, status: status)
    }

    /// The parts of one multipart request, as sent.
    struct Upload {
        var audio: Data?
        var audioFileName: String?
        var audioType: String?
        var metadata: Data?
        var others: [(name: String, body: Data)] = []
    }

    /// A request read: the audio (if any, and what kind), the metadata as parsed, what was
    /// ignored, and the fingerprint its Idempotency-Key is kept with.
    struct Push {
        var upload: Upload
        /// The audio's file extension, when its name or type says a kind this service reads.
        var audioExtension: String?
        var metadata: SidecarMetadata
        var metadataIsObject: Bool
        /// What of the request itself was ignored (not the fields, which ingest notes itself).
        var ignored: [String] = []
        /// Everything ignored, for the answer: the request's own and the metadata's fields.
        var warnings: [String] = []
        /// SHA-256 of the audio bytes and the metadata as parsed (in one canonical form).
        var fingerprint: String

        init(_ upload: Upload, timeZone: TimeZone) {
            self.upload = upload
            let fromName = upload.audioFileName.map { URL(fileURLWithPath: $0).pathExtension.lowercased() }
            let fromType = upload.audioType.flatMap { PushIngest.audioTypes[$0.lowercased().split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""] }
            audioExtension = fromName.flatMap { PushIngest.audioExtensions.contains($0) ? $0 : nil } ?? fromType
            var canonical: Data
            if let data = upload.metadata {
                if let read = try? SidecarMetadata.read(data) {
                    metadata = read
                    metadataIsObject = true
                    canonical = Data(("metadata\n" + read.canonical(in: timeZone)).utf8)
                } else {
                    metadata = SidecarMetadata()
                    metadataIsObject = false
                    canonical = Data("unreadable metadata\n".utf8) + data
                    ignored.append("the metadata part is not a JSON object (the sidecar fields); ignored")
                }
            } else {
                metadata = SidecarMetadata()
                metadataIsObject = false
                canonical = Data("no metadata".utf8)
            }
            warnings = ignored + metadata.warnings
            if case .unreadable(let warning)? = metadata.receivedAt(in: timeZone) { warnings.append(warning) }
            var hash = SHA256()
            hash.update(data: Data("audio \(upload.audio?.count ?? -1)\n".utf8))
            hash.update(data: upload.audio ?? Data())
            hash.update(data: canonical)
            fingerprint = hash.finalize().map { String(format: "%02x", $0) }.joined()
        }

        /// Someone to call back: a number in the metadata.
        var hasCaller: Bool { !(metadata.callerNumber ?? "").trimmingCharacters(in: .whitespaces).isEmpty }

        /// Every part sent, named as kept in the quarantine.
        var files: [(String, Data)] {
            var files: [(String, Data)] = []
            if let audio = upload.audio { files.append(("audio.\(audioExtension ?? "bin")", audio)) }
            if let metadata = upload.metadata { files.append(("metadata.json", metadata)) }
            return files + upload.others
        }
    }

    /// The parts of the multipart body.
    func parts(_ request: Request, _ context: APIContext) async throws -> Upload {
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
        var upload = Upload()
        for part in parts {
            let disposition = part.headers["content-disposition"] ?? ""
            switch Self.parameter("name", in: disposition) {
            case "audio" where upload.audio == nil:
                upload.audio = part.body
                upload.audioFileName = Self.parameter("filename", in: disposition)
                upload.audioType = part.headers["content-type"]
            case "metadata" where upload.metadata == nil:
                upload.metadata = part.body
            case let name:
                upload.others.append((name ?? "part", part.body))  // unknown parts are ignored (and kept if refused)
            }
        }
        return upload
    }

    /// Keeps a refused push in the quarantine with why (nothing a PBX sent is lost), once
    /// for each sender and body however often it is retried, and answers 4xx with the reason.
    func reject(_ push: Push, _ reason: String, by person: Acting, now: Date, status: HTTPResponse.Status = .unprocessableContent) async throws -> Never {
        let folder = refusedFolder(push, by: person)
        let files = push.files
        let note = "\(reason)\npushed by \(person.name) at \(ISO8601.format(now, in: timeZone))\n"
        do {
            try await work.run { try Self.keep(files, in: folder, note: note) }
        } catch {
            throw APIError(.serviceUnavailable, "unavailable", "\(reason), and it could not be kept in the quarantine: \(error)")
        }
        throw APIError(status, status == .unprocessableContent ? "invalid" : "unsupported_media_type", "\(reason); what was sent is kept in the quarantine")
    }

    /// `quarantine/push/SENDER-FINGERPRINT`: the same body refused again lands in the same folder.
    func refusedFolder(_ push: Push, by person: Acting) -> URL {
        quarantine.appendingPathComponent("push")
            .appendingPathComponent(FileMover.safeComponent("\(person.name)-\(push.fingerprint.prefix(24))"))
    }

    /// Writes `files` (names from the sender: kept only when plain, else numbered) and the
    /// `.reason`, unless this folder already holds them.
    static func keep(_ files: [(String, Data)], in folder: URL, note: String) throws {
        let reason = folder.appendingPathComponent(".reason")
        if FileManager.default.fileExists(atPath: reason.path) {
            Counter(label: "afterhours_push_refused_again_total").increment()
            return
        }
        try FileError.createFolder(folder.path, for: "the quarantine")
        for (index, (name, data)) in files.enumerated() {
            let plain = !name.isEmpty && name.count <= 64 && !name.hasPrefix(".")
                && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" }
            try data.write(to: folder.appendingPathComponent(plain ? name : "part-\(index)"), options: .atomic)
        }
        // Written last: a folder with its .reason holds everything that was sent.
        try Data(note.utf8).write(to: reason, options: .atomic)
        Counter(label: "afterhours_quarantined_total").increment()
    }

    /// Writes the message into a folder of its own (audio first, metadata last, as a PBX
    /// would, both dated by the service's clock), ingests that folder, and says what became of it.
    func store(_ push: Push, by person: Acting, now: Date) async throws -> (HTTPResponse.Status, String) {
        var push = push
        let audio: (Data, String)
        switch (push.upload.audio, push.audioExtension) {
        case (let data?, let ext?) where !data.isEmpty:
            audio = (data, ext)
        case (let data?, nil) where !data.isEmpty:
            try await reject(
                push, "the audio part should be WAV, GSM, µ-law, A-law, FLAC, Ogg or MP3 (by its file name or Content-Type)", by: person, now: now,
                status: .unsupportedMediaType)
        case (let data, _):
            let what = data == nil ? "there is no audio part" : "the audio part is empty"
            guard push.hasCaller else { try await reject(push, "\(what), and no caller_number to call back", by: person, now: now) }
            // A caller to call back is a message: stored with no audio to hear.
            push.ignored.append("\(what); stored with no audio")
            push.warnings.insert("\(what); stored with no audio", at: 0)
            audio = (Data(), push.audioExtension ?? "wav")
        }
        let folder = staging.appendingPathComponent(UUID().uuidString)
        var staged = self.ingester
        staged.extraNotes = push.ignored
        let answerWarnings = push.warnings
        let metadata = push.metadataIsObject ? push.upload.metadata : nil
        let (status, body, refusal): (HTTPResponse.Status, String?, String?) = try await work.run { [staged] in
            do {
                try FileError.createFolder(folder.path, for: "push ingest")
                // Named after the content: the same message pushed again has the same name (and
                // so the same identity).
                let digest = SHA256.hash(data: audio.0 + (metadata ?? Data())).prefix(12).map { String(format: "%02x", $0) }.joined()
                let name = "push-\(digest)"
                var files = [folder.appendingPathComponent("\(name).\(audio.1)")]
                try audio.0.write(to: files[0], options: .atomic)
                if let metadata {
                    files.append(folder.appendingPathComponent("\(name).json"))
                    try metadata.write(to: files[1], options: .atomic)
                }
                // The message arrived now by the service's clock, not the machine's.
                for file in files { try FileManager.default.setAttributes([.modificationDate: now], ofItemAtPath: file.path) }
            } catch {
                try? FileManager.default.removeItem(at: folder)
                throw APIError(.serviceUnavailable, "unavailable", "the message could not be written down: \(error); send it again")
            }
            // Nothing more will arrive: every file is as old as it will ever be.
            let summary = staged.runOnce(spoolPath: folder.path, at: now, fileClock: .distantFuture, actor: "push:\(person.name)")
            summary.count()
            switch summary.outcomes.first {
            case .stored(let voicemailID, let callbackID, _)?:
                Self.removeIfEmpty(folder)
                let error = summary.unreadable > 0 ? summary.quarantineReasons.first : nil
                return (.created, Self.answer(voicemailID, callbackID, duplicate: false, error: error, warnings: answerWarnings), nil)
            case .duplicate(let voicemailID, _)?:
                Self.removeIfEmpty(folder)
                return (.ok, Self.answer(voicemailID, nil, duplicate: true, error: nil, warnings: answerWarnings), nil)
            case nil:
                if let unstored = summary.leftBehind.first(where: { $0.reason.hasPrefix("not stored:") }) {
                    // The store did not take it: nothing kept, the sender sends it again.
                    try? FileManager.default.removeItem(at: folder)
                    throw APIError(.serviceUnavailable, "unavailable", "the message was \(unstored.reason.replacingOccurrences(of: "; will retry", with: "")); send it again")
                }
                try? FileManager.default.removeItem(at: folder)
                return (.unprocessableContent, nil, summary.quarantineReasons.first ?? summary.leftBehind.first?.reason ?? summary.problems.first ?? "not a message")
            }
        }
        if let refusal { try await reject(push, "the message was not stored: \(refusal)", by: person, now: now) }
        return (status, body ?? "")
    }

    static func answer(_ voicemailID: Int64, _ callbackID: Int64?, duplicate: Bool, error: String?, warnings: [String]) -> String {
        JSONText.object([
            "voicemail_id": .int(voicemailID), "callback_id": callbackID.map(JSONText.int) ?? .null,
            "duplicate": .bool(duplicate), "quarantined": .bool(error != nil), "error": error.map(JSONText.string) ?? .null,
            "warnings": .array(warnings.map(JSONText.string)),
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
