import BusinessTime
import Domain
import Foundation
import Settings

/// What the phone says to a caller at a given moment: the after-hours or busy greeting
/// with the real callback time, the urgent option, and the acknowledgement text.
public struct Greeting: Sendable, Equatable {
    public var open: Bool
    public var opens: Date?
    public var callbackBy: Date
    public var urgentBy: Date
    /// The greeting and the urgent option, as one text to speak.
    public var spoken: String
    public var acknowledgement: String

    /// Spoken promises are rounded up to the quarter hour: a promise a little later than
    /// the real deadline is one the business keeps, and the words (and so the recording)
    /// change four times an hour at most while open.
    static let spokenGranularity: TimeInterval = 900

    /// `promise`: what a caller leaving a message now would be promised (the forecast's
    /// offer, DESIGN §10); nil: the deadline, `respond_within` from now.
    public static func at(_ now: Date, configuration: Configuration, promise: Date? = nil) throws(PromptError) -> Greeting {
        let hours = configuration.business.hours
        let policy = configuration.callbacks
        let open = hours.isOpen(at: now)
        let opens = open ? nil : hours.nextOpening(atOrAfter: now)
        let callbackBy = roundedUp(promise ?? hours.deadline(from: now, within: policy.respondWithin))
        let urgentBy = roundedUp(hours.deadline(from: now, within: policy.urgentWithin))
        let spoken = SpokenTime(timeZone: hours.timeZone)
        var values: [String: Any] = [
            "business_name": configuration.business.name,
            "callback_by": spoken.spoken(callbackBy, now: now),
            "urgent_by": spoken.spoken(urgentBy, now: now),
        ]
        if let opens { values["opens"] = spoken.spokenWithPreposition(opens, now: now) }
        let greeting = try Prompts.render(open ? .greetingBusy : .greetingAfterHours, values)
        let urgent = try Prompts.render(.greetingUrgentOption, values)
        return Greeting(
            open: open, opens: opens, callbackBy: callbackBy, urgentBy: urgentBy, spoken: greeting + " " + urgent,
            acknowledgement: try Prompts.render(.messageAcknowledgement, values))
    }

    static func roundedUp(_ date: Date) -> Date {
        guard date != .distantFuture else { return date }
        let seconds = date.timeIntervalSince1970
        return Date(timeIntervalSince1970: (seconds / spokenGranularity).rounded(.up) * spokenGranularity)
    }
}
