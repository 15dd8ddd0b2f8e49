import Domain
import Foundation
import UseCases

// Messages: ingest, transcripts and the block list, in memory. Where a message goes and
// what its words decide are the domain's (`Decide.placement`, `arrival`, `transcribed`,
// `block`).

extension MemoryStore: IngestRepository {
    public func record(_ recordings: [Recording], at now: Date, actor: String, rules: EscalationRules)
        throws(StoreError) -> [Result<RecordOutcome, StoreError>]
    {
        state.withLock { state in
            recordings.map { recording in .success(state.insert(recording, at: now, actor: actor, rules: rules, channels: notificationChannels)) }
        }
    }

    public func identities(prefix: String) throws(StoreError) -> [String] {
        state.withLock { state in state.messages.values.map(\.stored.voicemail.identity).filter { $0.hasPrefix(prefix) }.sorted() }
    }

    /// Nothing was stored before identities named their hash scheme: this store is new.
    public func hasLegacyIdentities() throws(StoreError) -> Bool { false }

    public func setAudioPath(voicemail id: Int64, _ path: String) throws(StoreError) {
        state.withLock { state in state.messages[id]?.stored.audioPath = path }
    }

    public func setQuarantinePath(voicemail id: Int64, _ path: String) throws(StoreError) {
        state.withLock { state in state.messages[id]?.stored.quarantinePath = path }
    }

    public func voicemail(identityPrefix: String) throws(StoreError) -> Int64? {
        state.withLock { state in
            state.messages.values.map(\.stored).filter { $0.voicemail.identity.hasPrefix(identityPrefix) }
                .min { $0.voicemail.identity < $1.voicemail.identity }?.id
        }
    }

    public func hasVoicemails() throws(StoreError) -> Bool {
        state.withLock { state in !state.messages.isEmpty }
    }
}

extension MemoryStore.State {
    mutating func insert(_ recording: Recording, at now: Date, actor: String, rules: EscalationRules, channels: [String]) -> RecordOutcome {
        let voicemail = recording.voicemail
        if let existing = messages.values.first(where: { $0.stored.voicemail.identity == voicemail.identity }) {
            return .duplicate(voicemailID: existing.stored.id, audioPath: existing.stored.audioPath)
        }
        let blocked = isBlocked(voicemail.caller.number)
        let open = voicemail.caller.number
            .flatMap { openCallback(number: $0, ownerLine: rules.isOwnerLine(voicemail)) }
            .flatMap { callbacks[$0] }
        var callbackID: Int64?
        var joined = false
        switch Decide.placement(of: recording, callerBlocked: blocked, open: open, rules: rules, at: now) {
        case .none:
            break
        case .join(let callback):
            callbacks[callback.id] = callback
            callbackID = callback.id
            joined = true
        case .open(var callback):
            callback.id = nextID(.callback)
            callbacks[callback.id] = callback
            callbackID = callback.id
        }
        let id = nextID(.message)
        let path = recording.audioPath(id)
        messages[id] = MemoryStore.Message(
            stored: StoredVoicemail(
                id: id, callbackID: callbackID ?? 0, voicemail: voicemail, audioPath: path,
                transcript: MessageTranscript.initial(for: voicemail, audioKept: path != nil), blocked: blocked))
        guard let callbackID else { return .stored(voicemailID: id, callbackID: nil, joinedExisting: false) }

        var recent = 0
        if let number = voicemail.caller.number {
            let since = voicemail.receivedAt.addingTimeInterval(-TimeInterval(rules.repeatWindow))
            recent = messages.values.filter {
                $0.stored.voicemail.caller.number == number && $0.stored.voicemail.receivedAt > since
                    && $0.stored.voicemail.receivedAt <= voicemail.receivedAt
            }.count
        }
        let arrival = Decide.arrival(of: voicemail, id: id, joined: joined, notes: recording.notes, recentFromCaller: recent, rules: rules)
        history[callbackID, default: []].append(CallbackEvent(at: now, actor: actor, kind: .ingested, note: arrival.note))
        for raised in arrival.raises {
            if let records = try? records(callbackID) {
                apply(Decide.raise(raised.kind, on: records, detail: raised.detail ?? "", by: Decide.system, at: now), channels: channels)
            }
        }
        return .stored(voicemailID: id, callbackID: callbackID, joinedExisting: joined)
    }
}

extension MemoryStore: TranscriptRepository {
    public func leaseTranscriptions(limit: Int, only: Int64?, at now: Date, leaseSeconds: Int) async throws(StoreError) -> [TranscriptJob] {
        state.withLock { state in
            var jobs: [TranscriptJob] = []
            let waiting = state.messages.values.filter {
                $0.stored.transcript.status == .pending && ($0.leasedUntil ?? .distantPast) <= now && (only == nil || $0.stored.id == only)
            }.map(\.stored.id).sorted().prefix(limit)
            for id in waiting {
                guard var message = state.messages[id] else { continue }
                guard let path = message.stored.audioPath else {
                    message.stored.transcript = MessageTranscript(status: .skipped, error: "no audio was kept")
                    state.messages[id] = message
                    continue
                }
                message.leasedUntil = now.addingTimeInterval(TimeInterval(leaseSeconds))
                state.messages[id] = message
                let callback = state.callbacks[message.stored.callbackID]
                jobs.append(
                    TranscriptJob(
                        voicemailID: id, callbackID: callback?.id, audioPath: path,
                        durationSeconds: message.stored.voicemail.audio?.durationSeconds ?? 0, attempts: message.attempts,
                        needsNumber: callback != nil && callback?.caller.number == nil))
            }
            return jobs
        }
    }

    public func saveTranscript(voicemail id: Int64, findings: TranscriptFindings, rules: [String], at now: Date) async throws(StoreError) {
        try state.withLock { state throws(StoreError) in
            guard var message = state.messages[id] else { throw StoreError(.noMessage(id)) }
            message.stored.transcript = MessageTranscript(
                status: .done, text: findings.text, error: nil, rules: rules, spokenNumber: findings.spokenNumber ?? message.stored.transcript.spokenNumber,
                cutShort: findings.cutShort, confidence: findings.confidence)
            message.leasedUntil = nil
            message.attempts += 1
            state.messages[id] = message
            guard state.callbacks[message.stored.callbackID] != nil else { return }
            var records = try state.records(message.stored.callbackID)
            if let number = findings.spokenNumber {
                records.spokenNumberHolder = state.openCallback(number: number, ownerLine: records.callback.ownerLine, besides: records.callback.id)
            }
            let (transition, urgent) = Decide.transcribed(records, voicemail: id, findings: findings, at: now)
            if urgent { state.messages[id]?.stored.voicemail.urgent = true }
            state.apply(transition, channels: notificationChannels)
        }
    }

    public func failTranscript(voicemail id: Int64, error: String, giveUp: Bool, at now: Date) async throws(StoreError) {
        state.withLock { state in
            guard var message = state.messages[id] else { return }
            message.stored.transcript.status = giveUp ? .failed : .pending
            message.stored.transcript.error = error
            message.leasedUntil = nil
            message.attempts += 1
            state.messages[id] = message
        }
    }

    public func requestTranscripts(voicemail id: Int64?) async throws(StoreError) -> Int {
        try state.withLock { state throws(StoreError) -> Int in
            // Only messages with audio to hear: the skipped ones stay skipped.
            let asked = state.messages.values.filter { $0.stored.transcript.status != .skipped && (id == nil || $0.stored.id == id) }.map(\.stored.id)
            for each in asked {
                state.messages[each]?.stored.transcript.status = .pending
                state.messages[each]?.leasedUntil = nil
                state.messages[each]?.attempts = 0
            }
            if let id, asked.isEmpty {
                guard let message = state.messages[id] else { throw StoreError(.noMessage(id)) }
                throw StoreError(.nothingToTranscribe(id, why: message.stored.transcript.error ?? "no audio"))
            }
            return asked.count
        }
    }

    public func transcriptBacklog() async throws(StoreError) -> TranscriptBacklog {
        state.withLock { state in
            var backlog = TranscriptBacklog()
            for message in state.messages.values { backlog.add(1, status: message.stored.transcript.status.rawValue) }
            return backlog
        }
    }

    public func block(_ number: PhoneNumber, reason: String, by actor: String, at now: Date) async throws(StoreError) -> BlockChange {
        try state.withLock { state throws(StoreError) -> BlockChange in
            let previous = state.blocked[number].map {
                BlockedNumber(number: number, reason: $0.reason, blockedBy: $0.blockedBy, blockedAt: $0.blockedAt, heldMessages: [])
            }
            let entry = BlockedNumber.blocking(number, reason: reason, by: actor, at: now, previous: previous)
            state.blocked[number] = entry
            var closed: [Int64] = []
            for id in state.callbacks.values.filter({ $0.caller.number == number && $0.recordedStatus != .done }).map(\.id).sorted() {
                guard let transition = Decide.block(try state.records(id), by: actor, reason: reason, at: now) else { continue }
                state.apply(transition, channels: notificationChannels)
                closed.append(id)
            }
            return BlockChange(entry: entry, previous: previous, closed: closed)
        }
    }

    public func unblock(_ number: PhoneNumber) async throws(StoreError) -> Bool {
        state.withLock { state in state.blocked.removeValue(forKey: number) != nil }
    }

    public func blockedNumbers() async throws(StoreError) -> [BlockedNumber] {
        state.withLock { state in
            state.blocked.values.sorted { ($0.blockedAt, $0.number.e164) < ($1.blockedAt, $1.number.e164) }.map { entry in
                var entry = entry
                entry.heldMessages = state.messages.values.map(\.stored)
                    .filter { $0.voicemail.caller.number == entry.number && $0.blocked }
                    .sorted { ($0.voicemail.receivedAt, $0.id) < ($1.voicemail.receivedAt, $1.id) }
                return entry
            }
        }
    }
}
