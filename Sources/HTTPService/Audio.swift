import AudioProbe
import Foundation
import HTTPTypes
import Hummingbird
import Runtime
import UseCases

extension HTTPFace {
    /// `GET /api/v1/voicemails/{id}/audio`: the message as a 16-bit PCM WAV (GSM, WAV49,
    /// µ-law… converted through libsndfile), with `Content-Length` and `Range`, decoded a
    /// chunk at a time off Swift's cooperative pool.
    func audio(_ request: Request, _ context: APIContext) async throws -> Response {
        let person = try context.acting()
        let id = try Self.id(context)
        let stored = try await desk.audio(id, for: person)
        guard let path = stored.existingFile else { throw APIError(.notFound, "not_found", "the audio of message #\(id) is no longer on the server") }
        let decoding = BlockingQueue(label: "afterhours.audio")
        let wav: PlayableWAV
        do {
            wav = try await decoding.run { try PlayableWAV(URL(fileURLWithPath: path)) }
        } catch {
            throw APIError(.unprocessableContent, "unplayable", "message #\(id) cannot be played: \(error)")
        }
        let total = wav.byteCount
        var headers: HTTPFields = [.contentType: "audio/wav", .acceptRanges: "bytes", .cacheControl: "private, max-age=3600"]
        var status = HTTPResponse.Status.ok
        var range: Range<Int64> = 0..<total
        // A range in a unit other than bytes is ignored (RFC 9110 §14.2): the whole file.
        if let header = request.headers[.range], Self.isByteRange(header) {
            guard let wanted = Self.byteRange(header, total: total) else {
                var error = APIError(.rangeNotSatisfiable, "range_not_satisfiable", "\(header) is not a range of this \(total)-byte file")
                error.headers[.contentRange] = "bytes */\(total)"
                throw error
            }
            range = wanted
            status = .partialContent
            headers[.contentRange] = "bytes \(wanted.lowerBound)-\(wanted.upperBound - 1)/\(total)"
        }
        headers[.contentLength] = String(range.count)
        let chunk: Int64 = 64 * 1024
        let wanted = range
        let body = ResponseBody(contentLength: Int(range.count)) { writer in
            var offset = wanted.lowerBound
            while offset < wanted.upperBound {
                let part = offset..<min(offset + chunk, wanted.upperBound)
                let data = try await decoding.run { () throws -> Data in
                    var collected = Data()
                    try wav.read(part) { collected.append($0) }
                    return collected
                }
                guard !data.isEmpty else { break }
                try await writer.write(ByteBuffer(bytes: data))
                offset += Int64(data.count)
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// Whether `Range` is in bytes (units compare without case), the one unit served.
    static func isByteRange(_ header: String) -> Bool {
        header.split(separator: "=", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces).lowercased() == "bytes"
    }

    /// One range of `Range: bytes=…` (`a-b`, `a-`, `-n`); nil when it is not satisfiable.
    /// Several ranges are answered with the first.
    static func byteRange(_ header: String, total: Int64) -> Range<Int64>? {
        guard isByteRange(header), total > 0, let equals = header.firstIndex(of: "=") else { return nil }
        let first = header[header.index(after: equals)...].split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let parts = first.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let suffix = Int64(parts[1]), suffix > 0 else { return nil }
            return max(0, total - suffix)..<total
        }
        guard let start = Int64(parts[0]), start >= 0, start < total else { return nil }
        if parts[1].isEmpty { return start..<total }
        guard let end = Int64(parts[1]), end >= start else { return nil }
        return start..<min(end + 1, total)
    }
}
