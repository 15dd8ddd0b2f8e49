import Domain
import Foundation
import Presentation
import Testing

/// What the owner reads in a notification about a complaint heard in a message.
@Suite("Notification words with a transcript")
struct EscalationWordsTests {
    static let now = Date(timeIntervalSince1970: 1_795_500_000)

    static func detail(transcript: String?) -> EscalationDetail {
        let voicemail = Voicemail(
            identity: "a", receivedAt: now.addingTimeInterval(-3600), mailbox: "1001", context: "default", folder: "INBOX",
            urgent: false, caller: Caller(name: "Susan Miller", number: PhoneNumber(e164: "+12125550101"), rawNumber: nil),
            pbxMessageID: nil, audio: nil, audioError: nil)
        let message = StoredVoicemail(
            id: 4, callbackID: 2, voicemail: voicemail, audioPath: nil,
            transcript: transcript.map { MessageTranscript(status: .done, text: $0, rules: ["complaint: 'I want a refund'"]) } ?? .pending)
        let callback = Callback(
            id: 2, caller: voicemail.caller, recordedStatus: .open, deadline: now.addingTimeInterval(3600), urgent: false, escalated: true,
            claimedBy: nil, claimExpiresAt: nil, retryAt: nil, attempts: 0, firstReceivedAt: voicemail.receivedAt, closedAt: nil)
        let escalation = Escalation(
            id: 7, callbackID: 2, reason: .complaint, reasons: [RaisedReason(.complaint, detail: "I want a refund")], state: .open,
            createdAt: now, acknowledgedBy: nil, resolvedBy: nil, resolvedAt: nil, resolution: nil)
        return EscalationDetail(escalation: escalation, callback: CallbackDetail(callback: callback, messages: [message], history: []), notifications: [])
    }

    @Test("the chat text and the email quote the caller's first words; without a transcript, nothing is quoted")
    func quotesTheWords() throws {
        let text = EscalationText(businessName: "Acme Plumbing", timeZone: TimeZone(identifier: "America/New_York") ?? .gmt, now: Self.now)
        let long = "I was charged twice for the same repair and I want a refund. " + String(repeating: "This is the third time I've called. ", count: 12)
        let chat = try text.chat(Self.detail(transcript: long), subject: .raised(.complaint))
        #expect(chat.contains("A caller complained: I want a refund"), "\(chat)")
        #expect(chat.contains("They said: “I was charged twice for the same repair"), "\(chat)")
        #expect(chat.contains("…”") && chat.count < long.count + 200, "cut at a word, not the whole message: \(chat)")
        let email = try text.email(Self.detail(transcript: long), subject: .raised(.complaint))
        #expect(email.body.contains("What they said (machine transcript):"))
        let silent = try text.chat(Self.detail(transcript: nil), subject: .raised(.complaint))
        #expect(!silent.contains("They said"))
        // Without http.public_url there is no link, and no stray "nil" where it would be.
        #expect(silent.hasSuffix("Escalation #7."), "\(silent)")
    }
}
