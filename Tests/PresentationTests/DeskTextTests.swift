import Domain
import Foundation
import Presentation
import Runtime
import Testing

@Suite("What staff read")
struct DeskTextTests {
    let newYork = TimeZone(identifier: "America/New_York") ?? .current

    func detail(name: String?, left: String, deadline: String) -> CallbackDetail {
        let received = ISO8601.parse(left) ?? .distantPast
        let caller = Caller(name: name, number: PhoneNumber(e164: "+15551234567"), rawNumber: "5551234567")
        let voicemail = Voicemail(
            identity: "x", receivedAt: received, mailbox: "1001", context: "default", folder: "INBOX", urgent: false,
            caller: caller, pbxMessageID: nil, audio: nil, audioError: nil)
        return CallbackDetail(
            callback: Callback(
                id: 7, caller: caller, recordedStatus: .open, deadline: ISO8601.parse(deadline) ?? .distantPast, urgent: false,
                escalated: false, claimedBy: nil, claimExpiresAt: nil, retryAt: nil, attempts: 0, firstReceivedAt: received,
                closedAt: nil),
            messages: [StoredVoicemail(id: 1, callbackID: 7, voicemail: voicemail, audioPath: "/archive/1.wav")], history: [])
    }

    func desk(at now: String, colour: Bool = false) -> DeskText {
        DeskText(businessName: "Acme Plumbing", timeZone: newYork, now: ISO8601.parse(now) ?? .distantPast, colour: colour)
    }

    @Test(
        "the opening line greets by name, names the business and when they called",
        arguments: [
            ("2026-11-22T22:40:00-05:00", "last night"),
            ("2026-11-23T02:10:00-05:00", "last night"),
            ("2026-11-22T14:00:00-05:00", "yesterday afternoon"),
            ("2026-11-20T17:35:00-05:00", "Friday evening"),
            ("2026-11-23T07:15:00-05:00", "this morning"),
            ("2026-11-02T10:00:00-05:00", "November 2"),
        ])
    func openingLine(_ left: String, phrase: String) {
        let line = desk(at: "2026-11-23T08:05:00-05:00").openingLine(
            detail(name: "Jane O'Brien", left: left, deadline: "2026-11-23T10:00:00-05:00"), staff: "alice")
        #expect(line == "Hi Jane, this is Alice from Acme Plumbing, returning your call from \(phrase).")
    }

    @Test("a missed promise opens with an apology; a caller without a name is greeted plainly")
    func lateAndNameless() {
        let late = desk(at: "2026-11-23T11:00:00-05:00").openingLine(
            detail(name: nil, left: "2026-11-20T17:35:00-05:00", deadline: "2026-11-23T10:00:00-05:00"), staff: "bob")
        #expect(late == "Hi, this is Bob from Acme Plumbing. I'm sorry we're later than we promised; I'm returning your call from Friday evening.")
    }

    @Test("colour on a terminal, plain text when piped")
    func colour() {
        let item = detail(name: "Jane", left: "2026-11-20T17:35:00-05:00", deadline: "2026-11-23T10:00:00-05:00")
        let plain = desk(at: "2026-11-23T11:00:00-05:00").callback(item, staff: "bob", withHistory: false)
        let coloured = desk(at: "2026-11-23T11:00:00-05:00", colour: true).callback(item, staff: "bob", withHistory: false)
        #expect(!plain.contains("\u{1B}["))
        #expect(coloured.contains("\u{1B}[31m1h late\u{1B}[0m"))
        #expect(plain.contains("1h late (was due Mon Nov 23 10:00)"))
        #expect(plain.contains("/archive/1.wav"))
    }
}
