import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Presentation
import UseCases

/// The owner's block list on the pages: the list with an unblock button for each number,
/// a form to block one, and the "Block this caller" form of an escalation's page.
extension HTTPFace {
    func blockedPageRoutes(_ router: Router<APIContext>, pages: Pages) {
        router.get("/blocked") { request, context in
            try await withSession(request, context, pages, ownerOnly: true) { person, csrf, _ in
                try await blockedPage(pages, person: person, csrf: csrf, notice: nil)
            }
        }
        router.post("/blocked") { request, context in
            try await withSession(request, context, pages, ownerOnly: true, form: true) { person, csrf, form in
                let now = now()
                let change = try await blockList.block(form["number"] ?? "", reason: form["reason"] ?? "", by: person, at: now)
                let text = Replies(configuration: configuration, now: now, colour: false, json: false).text
                return try await blockedPage(pages, person: person, csrf: csrf, notice: text.blockChange(change))
            }
        }
        router.post("/blocked/unblock") { request, context in
            try await withSession(request, context, pages, ownerOnly: true, form: true) { person, csrf, form in
                let now = now()
                let number = try await blockList.unblock(form["number"] ?? "", by: person)
                let text = Replies(configuration: configuration, now: now, colour: false, json: false).text
                return try await blockedPage(pages, person: person, csrf: csrf, notice: text.unblocked(number))
            }
        }
    }

    func blockedPage(_ pages: Pages, person: Acting, csrf: String, notice: String?) async throws -> Response {
        let now = now()
        let text = Replies(configuration: configuration, now: now, colour: false, json: false).text
        let items = try await blockList.blocked(for: person).map { entry -> [String: Any] in
            let held = entry.heldMessages.count
            return [
                "number": entry.number.formatted, "e164": entry.number.e164, "reason": Self.outside(entry.reason), "blockedBy": Self.outside(entry.blockedBy),
                "blockedWhen": text.moment(entry.blockedAt), "csrf": csrf,
                "held": held == 0 ? "No message kept from staff since." : "\(held) message\(held == 1 ? "" : "s") kept from staff since.",
            ]
        }
        var values: [String: Any] = ["items": items, "hasItems": !items.isEmpty, "csrf": csrf]
        if let notice { values["notice"] = notice }
        return page(pages, title: "Blocked numbers", "blocked", values, person: person, csrf: csrf)
    }
}
