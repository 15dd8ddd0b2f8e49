import Domain
import Foundation

/// Transcripts and the block list, as the use cases need them of a store.
public protocol TranscriptRepository: Sendable {
    /// Leases up to `limit` messages waiting for their words, oldest first, to one
    /// transcriber for `leaseSeconds`; `only` narrows the choice to one message. A lease
    /// that runs out (a transcriber that died) frees the message for another.
    func leaseTranscriptions(limit: Int, only: Int64?, at now: Date, leaseSeconds: Int) async throws(StoreError) -> [TranscriptJob]
    /// Stores the words and applies what they decided, in one transaction: the urgent
    /// flag, a `complaint` escalation, a spoken number for a callback without one.
    func saveTranscript(voicemail id: Int64, findings: TranscriptFindings, rules: [String], at now: Date) async throws(StoreError)
    /// The transcriber could not: back to pending for another try, or failed for good.
    func failTranscript(voicemail id: Int64, error: String, giveUp: Bool, at now: Date) async throws(StoreError)
    /// Asks for the words again: of one message, or (nil) of every message with audio to hear.
    /// Returns how many now wait.
    func requestTranscripts(voicemail id: Int64?) async throws(StoreError) -> Int
    func transcriptBacklog() async throws(StoreError) -> TranscriptBacklog

    /// Puts `number` on the block list (or, blocked already, gives it `reason` and keeps
    /// when it was first blocked), and in the same transaction closes each of its
    /// callbacks that `Callback.closesWhenBlocked` says to: done by `actor`, with a
    /// `blocked` history line holding the reason, its open escalation resolved.
    func block(_ number: PhoneNumber, reason: String, by actor: String, at now: Date) async throws(StoreError) -> BlockChange
    /// False when the number was not blocked.
    func unblock(_ number: PhoneNumber) async throws(StoreError) -> Bool
    func blockedNumbers() async throws(StoreError) -> [BlockedNumber]
}

/// The transcription stage's jobs: hand out work, and turn words into decisions.
public struct TranscriptDesk: Sendable {
    public let store: any TranscriptRepository
    public let content: ContentRules
    public let defaultRegion: String
    /// Tries before a message is given up on (a message that kills the transcriber each time).
    public let maxAttempts: Int

    public init(store: any TranscriptRepository, content: ContentRules, defaultRegion: String, maxAttempts: Int = 3) {
        self.store = store
        self.content = content
        self.defaultRegion = defaultRegion
        self.maxAttempts = maxAttempts
    }

    /// How far transcription has got.
    public func backlog() async throws(StoreError) -> TranscriptBacklog { try await store.transcriptBacklog() }

    /// Asks for the words again, of one message or (nil) of every message with audio to
    /// hear (at the server's shell: who may is the command line's to say); how many wait.
    @discardableResult
    public func ask(voicemail id: Int64?) async throws(StoreError) -> Int { try await store.requestTranscripts(voicemail: id) }

    public func next(only: Int64? = nil, at now: Date, leaseSeconds: Int = 300) async throws(StoreError) -> TranscriptJob? {
        try await store.leaseTranscriptions(limit: 1, only: only, at: now, leaseSeconds: leaseSeconds).first
    }

    /// What the words decide, before they are stored: content rules that fire, and a
    /// number read out in the message when the callback has none. Only a number valid for
    /// the region is taken: a wrong number is worse than none.
    /// A low-confidence transcript (`TranscriptConfidence.isLow`) gives no number.
    public func findings(for job: TranscriptJob, text: String, confidence: TranscriptConfidence? = nil) -> TranscriptFindings {
        let trusted = !(confidence?.isLow ?? false)
        var spoken = job.needsNumber && trusted ? SpokenNumber.find(in: text, region: defaultRegion) : nil
        if let number = spoken, Self.promptNumbers.contains(number.e164) { spoken = nil }
        return TranscriptFindings(text: text, matches: content.matches(in: text), spokenNumber: spoken, confidence: confidence)
    }

    /// The example number in the transcriber's style prompt (transcriber/, `STYLE_PROMPT`):
    /// Whisper can repeat its prompt over a stretch of silence, and that number was never
    /// said by a caller.
    static let promptNumbers: Set<String> = ["+13105550100"]

    /// Stores the words of a leased message, with what they decided. `cutShort`: the
    /// transcriber stopped them where it began repeating itself (`MessageTranscript.cutShort`).
    @discardableResult
    public func record(
        _ job: TranscriptJob, text: String, cutShort: Bool = false, confidence: TranscriptConfidence? = nil, at now: Date
    ) async throws(StoreError) -> TranscriptFindings {
        let cleaned = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var findings = findings(for: job, text: cleaned, confidence: confidence)
        findings.cutShort = cutShort
        var rules = findings.matches.map(\.description)
        if let number = findings.spokenNumber { rules.append("number: \(number.formatted) read out in the message") }
        try await store.saveTranscript(voicemail: job.voicemailID, findings: findings, rules: rules, at: now)
        return findings
    }

    /// The transcriber failed on a leased message: tried again later, until `maxAttempts`.
    public func failed(_ job: TranscriptJob, error: String, at now: Date) async throws(StoreError) {
        let giveUp = job.attempts + 1 >= maxAttempts
        try await store.failTranscript(
            voicemail: job.voicemailID, error: giveUp ? "\(error) (gave up after \(job.attempts + 1) tries)" : error, giveUp: giveUp, at: now)
    }
}

/// The owner's block list: the last resort for an abusive caller. Messages from a blocked
/// number are still stored and counted, never queued for staff. Blocking closes the
/// number's callbacks that are not done (outcome `blocked`); while it is blocked, its
/// callbacks and messages do not exist for staff (`Visibility`) and stay the owner's.
/// Unblocking requeues nothing: the owner reopens a callback if it should be called.
public struct BlockList: Sendable {
    public let store: any TranscriptRepository
    public let rules: DeskRules

    public init(store: any TranscriptRepository, rules: DeskRules) {
        self.store = store
        self.rules = rules
    }

    func requireOwner(_ person: Acting) throws(StoreError) {
        guard person.isOwner || rules.anyoneReadsEscalations else {
            throw StoreError("the block list is the owner's: \(person.name.isEmpty ? "you are" : "\(person.name) is") not the owner", code: .forbidden)
        }
    }

    func number(_ raw: String) throws(StoreError) -> PhoneNumber {
        guard let number = PhoneNumber.normalise(raw, defaultRegion: rules.defaultRegion) else {
            throw StoreError("\(raw) is not a phone number", code: .invalid)
        }
        return number
    }

    public func block(_ raw: String, reason: String, by person: Acting, at now: Date) async throws(StoreError) -> BlockChange {
        try requireOwner(person)
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw StoreError("say why \(raw) is blocked: the reason is empty", code: .invalid)
        }
        let number = try number(raw)
        return try await store.block(number, reason: reason, by: person.name, at: now)
    }

    public func unblock(_ raw: String, by person: Acting) async throws(StoreError) -> PhoneNumber {
        try requireOwner(person)
        let number = try number(raw)
        guard try await store.unblock(number) else {
            throw StoreError("\(number.formatted) is not blocked", code: .notFound)
        }
        return number
    }

    public func blocked(for person: Acting) async throws(StoreError) -> [BlockedNumber] {
        try requireOwner(person)
        return try await store.blockedNumbers()
    }
}

/// Asking, from a door, for one message's words (again): the owner's, like the block list.
/// The transcriber `serve` runs hears it next; a message with nothing to hear is refused.
public struct TranscriptRequests: Sendable {
    public let store: any TranscriptRepository
    public let rules: DeskRules

    public init(store: any TranscriptRepository, rules: DeskRules) {
        self.store = store
        self.rules = rules
    }

    public func request(_ voicemailID: Int64, by person: Acting) async throws(StoreError) {
        guard person.isOwner || rules.anyoneReadsEscalations else {
            throw StoreError(
                "asking for a transcript is the owner's: \(person.name.isEmpty ? "you are" : "\(person.name) is") not the owner", code: .forbidden)
        }
        _ = try await store.requestTranscripts(voicemail: voicemailID)
    }
}
