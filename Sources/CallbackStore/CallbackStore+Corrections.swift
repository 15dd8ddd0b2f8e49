import CallbackQueue
import Foundation
import GRDB

extension CallbackStore {
    /// A note in the history without an outcome ("asked for a quote by email").
    public func addNote(id: Int64, by person: Acting, text: String, at now: Date) async throws(StoreError) -> CallbackDetail {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw StoreError("the note for callback #\(id) is empty", code: .refused) }
        return try await write { db in
            _ = try Self.detail(db, id: id, withHistory: false, for: person)
            try Self.appendEvent(db, callbackID: id, at: now, actor: person.name, kind: .noted, note: text)
            return try Self.detail(db, id: id, withHistory: true)
        }
    }

    /// Puts a callback closed by mistake back in the queue, at once, keeping its history
    /// and deadline.
    public func reopen(id: Int64, by person: Acting, note: String?, at now: Date) async throws(StoreError) -> CallbackDetail {
        try await write { db in
            let callback = try Self.detail(db, id: id, withHistory: false, for: person).callback
            guard callback.recordedStatus == .done else {
                throw StoreError("callback #\(id) is not done (it is \(callback.status(at: now).rawValue)); only a done callback can be reopened", code: .refused)
            }
            // One callback per caller: a newer one may have opened since this was closed.
            if let number = callback.caller.number?.e164,
                let newer = try Int64.fetchOne(
                    db, sql: "SELECT id FROM callback WHERE caller_number = ? AND status != 'done' AND owner = ? AND id != ?",
                    arguments: [number, callback.ownerLine, id])
            {
                throw StoreError(
                    "this caller already has callback #\(newer) open; add to it (callbacks note \(newer) …) rather than reopen #\(id)",
                    code: .refused)
            }
            try db.execute(
                sql: "UPDATE callback SET status = 'open', closed_at = NULL, closed_by = NULL, available_at = ? WHERE id = ?",
                arguments: [now.unixSeconds, id])
            try Self.appendEvent(db, callbackID: id, at: now, actor: person.name, kind: .reopened, note: note)
            return try Self.detail(db, id: id, withHistory: true)
        }
    }

    /// Hands a claim (or an open callback) to a colleague, who holds it for a fresh lease.
    /// Someone else's claim is only taken with `force`.
    public func assign(
        id: Int64, to colleague: String, by person: Acting, at now: Date, lease: Int, force: Bool
    ) async throws(StoreError) -> CallbackDetail {
        try await write { db in
            let callback = try Self.detail(db, id: id, withHistory: false, for: person).callback
            let forced = try callback.checkOutcomeAllowed(by: person, at: now, force: force)
            let expires = now.unixSeconds + Int64(lease)
            try db.execute(
                sql: """
                    UPDATE callback SET status = 'claimed', claimed_by = ?, claim_expires_at = ?, available_at = ?,
                        retry_at = NULL
                    WHERE id = ?
                    """,
                arguments: [colleague, expires, expires, id])
            try Self.appendEvent(db, callbackID: id, at: now, actor: person.name, kind: .assigned, note: Callback.withForce("to \(colleague)", forced))
            return try Self.detail(db, id: id, withHistory: true)
        }
    }
}
