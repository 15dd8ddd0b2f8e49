import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Presentation
import UseCases

/// The owner's block list and transcript requests over HTTP: the same use cases and the
/// same answers (`Replies`) as `callbacks block`, `unblock`, `blocked` and `transcribe ID`.
extension HTTPFace {
    var blockList: BlockList { desks.blockList }

    func ownerRoutes(_ api: RouterGroup<APIContext>) {
        api.get("/blocked") { request, context -> Response in
            let (person, now) = (try context.acting(), now())
            let list = try await blockList.blocked(for: person)
            return reply(request, now) { $0.blocked(list) }
        }
        api.post("/blocked") { request, context -> Response in
            let (person, now) = (try context.acting(), now())
            let body = try await BlockBody.read(request, context)
            guard let number = body.number else { throw APIError(.unprocessableContent, "invalid", "name the number: {\"number\": \"…\", \"reason\": \"…\"}") }
            let change = try await blockList.block(number, reason: body.reason ?? "", by: person, at: now)
            var response = reply(request, now) { $0.blockChange(change) }
            if change.previous == nil { response.status = .created }
            return response
        }
        api.delete("/blocked/{number}") { request, context -> Response in
            let (person, now) = (try context.acting(), now())
            let raw = context.parameters.get("number") ?? ""
            let number = try await blockList.unblock(raw.removingPercentEncoding ?? raw, by: person)
            return reply(request, now) { $0.unblocked(number) }
        }
        api.post("/voicemails/{id}/transcribe") { request, context -> Response in
            let (person, now) = (try context.acting(), now())
            let id = try Self.id(context)
            guard configuration.transcription.enabled else {
                throw APIError(.conflict, "conflict", "transcription is off on this server (transcription.enabled: false)")
            }
            try await desks.transcriptRequests.request(id, by: person)
            var response = reply(request, now) { $0.transcriptRequested(id) }
            response.status = .accepted
            return response
        }
    }
}

/// The body of `POST /api/v1/blocked`: `{"number": …, "reason": …}`.
struct BlockBody: Decodable {
    var number: String?
    var reason: String?

    static func read(_ request: Request, _ context: APIContext) async throws -> BlockBody {
        try await readJSONBody(request, empty: BlockBody(), expected: "{\"number\": \"…\", \"reason\": \"…\"}")
    }
}
