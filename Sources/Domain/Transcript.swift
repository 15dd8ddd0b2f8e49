import Foundation

/// A message's machine transcript and where its work stands. Transcription is a stage of
/// its own after ingest: a message is queued at once and its words follow.
public struct MessageTranscript: Sendable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// Waiting for the transcriber.
        case pending
        case done
        /// The transcriber tried and could not; `error` says why.
        case failed
        /// Nothing to transcribe (silent, unreadable, no audio kept); `error` says why.
        case skipped
    }

    public var status: Status
    /// The words, once done; nil before.
    public var text: String?
    /// Why there is no transcript (failed or skipped).
    public var error: String?
    /// The content rules the words set off, as shown: "complaint: 'I want a refund'".
    public var rules: [String]
    /// A number read out in the message, taken as the callback's number because the
    /// caller had none that could be called.
    public var spokenNumber: PhoneNumber?
    /// The transcriber fell into a repetition loop it could not get out of: `text` is the
    /// words heard before the loop, and the rest of the message is missing from it.
    public var cutShort: Bool
    /// How sure the transcriber was of the words (nil before, or from an older transcriber).
    public var confidence: TranscriptConfidence?

    public init(
        status: Status, text: String? = nil, error: String? = nil, rules: [String] = [], spokenNumber: PhoneNumber? = nil,
        cutShort: Bool = false, confidence: TranscriptConfidence? = nil
    ) {
        self.status = status
        self.text = text
        self.error = error
        self.rules = rules
        self.spokenNumber = spokenNumber
        self.cutShort = cutShort
        self.confidence = confidence
    }

    /// The words are the transcriber's low-confidence guess (`TranscriptConfidence.isLow`).
    public var lowConfidence: Bool { confidence?.isLow ?? false }

    public static let pending = MessageTranscript(status: .pending)

    /// What a freshly stored message waits for: its words, unless there is nothing to hear.
    public static func initial(for voicemail: Voicemail, audioKept: Bool) -> MessageTranscript {
        if let error = voicemail.audioError { return MessageTranscript(status: .skipped, error: "the audio could not be read: \(error)") }
        guard let audio = voicemail.audio, audioKept else { return MessageTranscript(status: .skipped, error: "no audio was kept") }
        if audio.silent { return MessageTranscript(status: .skipped, error: "the message is silent") }
        return .pending
    }
}

/// The decoder's scores for a message's words, as the transcriber answered them.
public struct TranscriptConfidence: Sendable, Equatable {
    /// Average log-probability per token: 0 is certain, below −1 Whisper itself treats a
    /// window as decoded badly.
    public var avgLogprob: Double?
    /// Whisper's belief that there was no speech, 0…1.
    public var noSpeechProb: Double?

    public init(avgLogprob: Double?, noSpeechProb: Double?) {
        self.avgLogprob = avgLogprob
        self.noSpeechProb = noSpeechProb
    }

    /// Below this average log-probability a transcript is low confidence (Whisper's own
    /// `logprob_threshold`).
    public static let lowLogprob = -1.0
    /// Above this no-speech probability a transcript is low confidence (Whisper's own
    /// `no_speech_threshold`).
    public static let highNoSpeech = 0.6

    /// The words are a guess a person should not act on without listening: no number is
    /// taken from them.
    public var isLow: Bool {
        (avgLogprob.map { $0 < Self.lowLogprob } ?? false) || (noSpeechProb.map { $0 > Self.highNoSpeech } ?? false)
    }
}

/// Where a message's callback number came from (`number_source`).
public enum NumberSource: String, Sendable, Codable {
    /// The phone system's caller ID.
    case callerID = "caller_id"
    /// Read out by the caller in the message, heard in its transcript.
    case spoken
}

extension StoredVoicemail {
    /// Where the number to call back came from, if there is one.
    public var numberSource: NumberSource? {
        if voicemail.caller.number != nil { return .callerID }
        return transcript.spokenNumber == nil ? nil : .spoken
    }
}

/// A message waiting for its transcript, leased to one transcriber.
public struct TranscriptJob: Sendable, Equatable {
    public var voicemailID: Int64
    public var callbackID: Int64?
    /// The audio file to hear: the archived copy.
    public var audioPath: String
    public var durationSeconds: Double
    /// Tries so far, this one not counted.
    public var attempts: Int
    /// True when the callback has no number to call: a number read out in the message may
    /// become its number.
    public var needsNumber: Bool

    public init(voicemailID: Int64, callbackID: Int64?, audioPath: String, durationSeconds: Double, attempts: Int, needsNumber: Bool) {
        self.voicemailID = voicemailID
        self.callbackID = callbackID
        self.audioPath = audioPath
        self.durationSeconds = durationSeconds
        self.attempts = attempts
        self.needsNumber = needsNumber
    }
}

/// What a transcript's words decided, for the store to apply in one transaction.
public struct TranscriptFindings: Sendable, Equatable {
    public var text: String
    public var matches: [ContentMatch]
    /// A valid number read out in the message, when the callback needs one.
    public var spokenNumber: PhoneNumber?
    /// The words stop where the transcriber began repeating itself (`MessageTranscript.cutShort`).
    public var cutShort: Bool
    public var confidence: TranscriptConfidence?

    public init(
        text: String, matches: [ContentMatch], spokenNumber: PhoneNumber?, cutShort: Bool = false, confidence: TranscriptConfidence? = nil
    ) {
        self.text = text
        self.matches = matches
        self.spokenNumber = spokenNumber
        self.cutShort = cutShort
        self.confidence = confidence
    }

    public var urgent: [ContentMatch] { matches.filter { $0.kind == .urgent } }
    public var complaints: [ContentMatch] { matches.filter { $0.kind == .complaint } }
}

/// How far transcription has got.
public struct TranscriptBacklog: Sendable, Equatable {
    public var pending = 0
    public var done = 0
    public var failed = 0
    public var skipped = 0

    public init(pending: Int = 0, done: Int = 0, failed: Int = 0, skipped: Int = 0) {
        self.pending = pending
        self.done = done
        self.failed = failed
        self.skipped = skipped
    }

    /// Counts `count` messages in the state a store wrote as `status` (an unknown one is not counted).
    public mutating func add(_ count: Int, status: String) {
        switch MessageTranscript.Status(rawValue: status) {
        case .pending: pending += count
        case .done: done += count
        case .failed: failed += count
        case .skipped: skipped += count
        case nil: break
        }
    }
}

/// A number whose messages are kept from staff: the owner's last resort for an abusive caller.
public struct BlockedNumber: Sendable, Equatable {
    public var number: PhoneNumber
    public var reason: String
    public var blockedBy: String
    public var blockedAt: Date
    /// Messages from it stored since it was blocked, and the latest of them.
    public var heldMessages: [StoredVoicemail]

    public init(number: PhoneNumber, reason: String, blockedBy: String, blockedAt: Date, heldMessages: [StoredVoicemail]) {
        self.number = number
        self.reason = reason
        self.blockedBy = blockedBy
        self.blockedAt = blockedAt
        self.heldMessages = heldMessages
    }
}

extension BlockedNumber {
    /// The block list's entry once `actor` blocks `number` for `reason`: blocked again for
    /// the same reason, it is the first block as it was; for another reason, `actor`'s, but
    /// blocked since the first time.
    public static func blocking(_ number: PhoneNumber, reason: String, by actor: String, at now: Date, previous: BlockedNumber?) -> BlockedNumber {
        BlockedNumber(
            number: number, reason: reason, blockedBy: previous?.reason == reason ? previous?.blockedBy ?? actor : actor,
            blockedAt: previous?.blockedAt ?? now, heldMessages: [])
    }
}

extension CallbackDetail {
    /// Where the number to call came from: the caller ID, or a number read out in a
    /// message when the caller had none.
    public var numberSource: NumberSource? {
        guard let number = callback.caller.number else { return nil }
        if messages.contains(where: { $0.voicemail.caller.number == number }) { return .callerID }
        return messages.contains(where: { $0.transcript.spokenNumber == number }) ? .spoken : .callerID
    }
}

/// What putting a number on the block list did.
public struct BlockChange: Sendable, Equatable {
    /// The entry as it stands now.
    public var entry: BlockedNumber
    /// The entry it replaced, when the number was blocked already.
    public var previous: BlockedNumber?
    /// The callbacks it closed (outcome `blocked`).
    public var closed: [Int64]

    public init(entry: BlockedNumber, previous: BlockedNumber?, closed: [Int64]) {
        self.entry = entry
        self.previous = previous
        self.closed = closed
    }

    /// Blocked again with the same reason: nothing changed.
    public var unchanged: Bool { previous?.reason == entry.reason && closed.isEmpty }
}

extension Callback {
    /// Blocking its number closes a callback that is not done: open, waiting, or claimed
    /// (the claim in flight ends, and its holder's outcome is refused from then on).
    public var closesWhenBlocked: Bool { recordedStatus != .done }
}
