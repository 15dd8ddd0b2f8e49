import Domain
import Foundation
import Synchronization
import UseCases

/// The third store: everything in this process's memory, behind one lock. It passes the
/// same contract suite as SQLite and PostgreSQL (Tests/StoreContractTests), so the use
/// cases can be tested fast and `simulate` can run a queue forward without a file. It is
/// small because the rules are not here: every change of state is decided in the domain
/// (`Decide`) and written as it is (`apply`); this file only keeps records, answers
/// queries, and makes each call atomic. Nothing survives the process.
public final class MemoryStore: StoreLifetime {
    let state = Mutex(State())
    /// Where every new escalation is announced, one outbox entry per channel.
    let notificationChannels: [String]

    public init(notificationChannels: [String] = []) {
        self.notificationChannels = notificationChannels
    }

    struct State {
        var callbacks: [Int64: Callback] = [:]
        var messages: [Int64: Message] = [:]
        var history: [Int64: [CallbackEvent]] = [:]
        var escalations: [Int64: Escalation] = [:]
        var notifications: [Int64: OwnerNotification] = [:]
        var blocked: [PhoneNumber: BlockedNumber] = [:]
        var people: [Int64: (person: Person, tokenHash: String)] = [:]
        var signInLinks: [String: (person: Int64, expiresAt: Date, used: Bool)] = [:]
        var sessions: [String: (person: Int64, csrf: String, expiresAt: Date)] = [:]
        var pushKeys: [PushKeyID: PushKey] = [:]
        /// Each kind of record numbered from 1, as each table is in the databases.
        var lastIDs: [Kind: Int64] = [:]

        enum Kind { case callback, message, escalation, notification, person }

        mutating func nextID(_ kind: Kind) -> Int64 {
            let id = (lastIDs[kind] ?? 0) + 1
            lastIDs[kind] = id
            return id
        }
    }

    /// A stored message and the transcription work on it.
    struct Message {
        var stored: StoredVoicemail
        var leasedUntil: Date?
        var attempts = 0
    }

    struct PushKeyID: Hashable {
        var sender: String
        var key: String
    }

    struct PushKey {
        var fingerprint: String
        var done: Bool
        var status: Int?
        var body: String?
        var createdAt: Date
    }
}

// MARK: - Reading records

extension MemoryStore.State {
    func isBlocked(_ number: PhoneNumber?) -> Bool { number.map { blocked[$0] != nil } ?? false }

    func callback(_ id: Int64) throws(StoreError) -> Callback {
        guard var callback = callbacks[id] else { throw StoreError(.noCallback(id)) }
        callback.callerBlocked = isBlocked(callback.caller.number)
        return callback
    }

    /// The callbacks `visibility` admits, as the stores' filters do.
    func visible(_ visibility: Visibility) -> [Callback] {
        callbacks.values.compactMap { stored in
            var callback = stored
            callback.callerBlocked = isBlocked(callback.caller.number)
            return visibility.admits(ownerLine: callback.ownerLine, callerBlocked: callback.callerBlocked) ? callback : nil
        }
    }

    func messages(of callbackID: Int64) -> [StoredVoicemail] {
        messages.values.map(\.stored).filter { $0.callbackID == callbackID }
            .sorted { ($0.voicemail.receivedAt, $0.id) < ($1.voicemail.receivedAt, $1.id) }
    }

    func detail(_ id: Int64, withHistory: Bool = true) throws(StoreError) -> CallbackDetail {
        CallbackDetail(callback: try callback(id), messages: messages(of: id), history: withHistory ? history[id] ?? [] : [])
    }

    /// The callback not yet done of `number` on the line, other than `besides`.
    func openCallback(number: PhoneNumber, ownerLine: Bool, besides: Int64? = nil) -> Int64? {
        callbacks.values.filter { $0.caller.number == number && $0.recordedStatus != .done && $0.ownerLine == ownerLine && $0.id != besides }
            .map(\.id).min()
    }

    func records(_ id: Int64) throws(StoreError) -> CallbackRecords {
        let callback = try callback(id)
        let open = escalations.values.first { $0.callbackID == id && $0.state != .resolved }
        var other: Int64?
        if callback.recordedStatus == .done, let number = callback.caller.number {
            other = openCallback(number: number, ownerLine: callback.ownerLine, besides: id)
        }
        return CallbackRecords(callback: callback, openEscalation: open, otherOpenCallback: other)
    }

    func escalationDetail(_ id: Int64) throws(StoreError) -> EscalationDetail {
        guard let escalation = escalations[id] else { throw StoreError(.noEscalation(id)) }
        return EscalationDetail(
            escalation: escalation, callback: try detail(escalation.callbackID),
            notifications: notifications.values.filter { $0.escalationID == id }.sorted { $0.id < $1.id })
    }
}

// MARK: - Writing transitions

extension MemoryStore.State {
    /// Writes `transition` as it is: what SQLite's and PostgreSQL's `apply` write.
    mutating func apply(_ transition: Transition, channels: [String]) {
        let id = transition.callbackID
        if let new = transition.callback { callbacks[id] = new }
        if transition.marksBreached { callbacks[id]?.breached = true }
        if let change = transition.escalation { apply(change, callbackID: id, channels: channels) }
        history[id, default: []] += transition.history
    }

    private mutating func apply(_ change: EscalationChange, callbackID: Int64, channels: [String]) {
        let escalationID: Int64
        if let id = change.id {
            escalationID = id
        } else {
            escalationID = nextID(.escalation)
            escalations[escalationID] = Escalation(
                id: escalationID, callbackID: callbackID, reason: change.raised.first?.kind ?? .staff, reasons: [], state: .open,
                createdAt: change.at, acknowledgedBy: nil, resolvedBy: nil, resolvedAt: nil, resolution: nil)
        }
        guard var escalation = escalations[escalationID] else { return }
        escalation.reasons += change.raised
        switch change.state {
        case .acknowledged:
            escalation.state = .acknowledged
            escalation.acknowledgedBy = change.by
            escalation.acknowledgedAt = change.at
        case .resolved:
            escalation.state = .resolved
            escalation.resolvedBy = change.by
            escalation.resolvedAt = change.at
            escalation.resolution = change.resolution
        case .open, nil:
            break
        }
        escalations[escalationID] = escalation
        for subject in change.announce {
            for channel in channels
            where !notifications.values.contains(where: { $0.escalationID == escalationID && $0.channel == channel && $0.subject == subject }) {
                let id = nextID(.notification)
                notifications[id] = OwnerNotification(
                    id: id, escalationID: escalationID, channel: channel, subject: subject, attempts: 0, nextAttemptAt: change.at,
                    deliveredAt: nil, lastError: nil)
            }
        }
    }
}

// MARK: - The queue, the escalations and the outbox

extension MemoryStore: CallbackRepository {
    public func claimNext(by staff: String, at now: Date, lease: Int) async throws(StoreError) -> CallbackDetail? {
        try state.withLock { state throws(StoreError) -> CallbackDetail? in
            let servable = state.visible(.staff).filter { $0.recordedStatus != .done && ($0.availableAt ?? .distantFuture) <= now }
            guard let first = servable.min(by: ServingOrder.precedes) else { return nil }
            state.apply(Decide.claim(first, by: staff, lease: lease, at: now), channels: notificationChannels)
            return try state.detail(first.id)
        }
    }

    public func nextToReturn(at now: Date) async throws(StoreError) -> CallbackDetail? {
        try state.withLock { state throws(StoreError) -> CallbackDetail? in
            let coming = state.visible(.staff).filter { $0.recordedStatus != .done && ($0.availableAt ?? .distantPast) > now }
            guard
                let first = coming.min(by: { a, b in
                    a.availableAt != b.availableAt ? (a.availableAt ?? now) < (b.availableAt ?? now) : ServingOrder.precedes(a, b)
                })
            else { return nil }
            return try state.detail(first.id, withHistory: false)
        }
    }

    public func queue(at now: Date, includeAll: Bool, limit: Int?, visibility: Visibility) async throws(StoreError) -> [CallbackDetail] {
        try state.withLock { state throws(StoreError) -> [CallbackDetail] in
            let servable = { (c: Callback) in c.recordedStatus != .done && (c.availableAt ?? .distantFuture) <= now }
            var callbacks = state.visible(visibility)
            if includeAll {
                // Servable in serving order, then claimed and waiting (soonest back first),
                // then done (most recently closed first).
                func group(_ c: Callback) -> Int { c.recordedStatus == .done ? 2 : servable(c) ? 0 : 1 }
                callbacks.sort { a, b in
                    if group(a) != group(b) { return group(a) < group(b) }
                    if group(a) == 1, a.availableAt != b.availableAt { return (a.availableAt ?? now) < (b.availableAt ?? now) }
                    if group(a) == 2, a.closedAt != b.closedAt { return (a.closedAt ?? now) > (b.closedAt ?? now) }
                    return ServingOrder.precedes(a, b)
                }
            } else {
                callbacks = callbacks.filter(servable).sorted(by: ServingOrder.precedes)
            }
            if let limit { callbacks = Array(callbacks.prefix(limit)) }
            return callbacks.map { CallbackDetail(callback: $0, messages: state.messages(of: $0.id), history: []) }
        }
    }

    public func detail(id: Int64, for person: Acting) async throws(StoreError) -> CallbackDetail {
        try state.withLock { state throws(StoreError) -> CallbackDetail in
            let detail = try state.detail(id)
            guard detail.callback.isVisible(to: person) else { throw StoreError(.noCallback(id)) }
            return detail
        }
    }

    public func change(callback id: Int64, _ decide: @escaping @Sendable (CallbackRecords) throws(StoreError) -> Transition)
        async throws(StoreError) -> Changed
    {
        try state.withLock { state throws(StoreError) -> Changed in
            let transition = try decide(try state.records(id))
            state.apply(transition, channels: notificationChannels)
            return Changed(detail: try state.detail(id), transition: transition)
        }
    }

    public func change(escalation id: Int64, _ decide: @escaping @Sendable (Escalation, CallbackRecords) throws(StoreError) -> Transition)
        async throws(StoreError) -> EscalationDetail
    {
        try state.withLock { state throws(StoreError) -> EscalationDetail in
            guard let escalation = state.escalations[id] else { throw StoreError(.noEscalation(id)) }
            state.apply(try decide(escalation, try state.records(escalation.callbackID)), channels: notificationChannels)
            return try state.escalationDetail(id)
        }
    }

    public func stats(at now: Date, startOfToday: Date, period: ClosedRange<Date>, visibility: Visibility) async throws(StoreError) -> QueueStats {
        state.withLock { state in
            var stats = QueueStats()
            for c in state.visible(visibility) {
                let done = c.recordedStatus == .done
                let available = c.availableAt ?? .distantFuture
                if !done && available <= now { stats.open += 1 }
                if c.recordedStatus == .claimed && available > now { stats.claimed += 1 }
                if c.recordedStatus == .waiting && available > now { stats.waiting += 1 }
                if done, let closed = c.closedAt, closed >= startOfToday { stats.doneToday += 1 }
                if !done && c.deadline < now {
                    stats.overdue += 1
                    stats.oldestOverdueDeadline = min(stats.oldestOverdueDeadline ?? c.deadline, c.deadline)
                }
                // Due in the period: its deadline fell in it, or it was done in it before its
                // deadline (a promise kept the moment it is done).
                let closedInPeriod = done && c.closedAt.map(period.contains) == true
                let kept = done && c.closedAt.map { $0 <= c.deadline } == true
                if period.contains(c.deadline) || (closedInPeriod && kept) { stats.dueInPeriod += 1 }
                if kept && (period.contains(c.deadline) || closedInPeriod) { stats.doneByDeadlineInPeriod += 1 }
            }
            return stats
        }
    }

    public func callbacks(matchingTranscript text: String) async throws(StoreError) -> Set<Int64> {
        let wanted = Set(Self.searchWords(text))
        guard !wanted.isEmpty else { return [] }
        return state.withLock { state in
            Set(
                state.messages.values.map(\.stored).filter { $0.callbackID != 0 && wanted.isSubset(of: Self.searchWords($0.transcript.text ?? "")) }
                    .map(\.callbackID))
        }
    }

    /// Words in the form search compares them: lower case, without the endings of plurals
    /// and tenses ("Refunds" and "refund" are one word), as SQLite's porter tokenizer and
    /// PostgreSQL's English text search do in their own ways. What people type is words,
    /// never query syntax.
    static func searchWords(_ text: String) -> Set<String> {
        Set(
            text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map { word in
                for ending in ["ing", "ed", "es", "s"] where word.hasSuffix(ending) && word.count > ending.count + 2 {
                    return String(word.dropLast(ending.count))
                }
                return String(word)
            })
    }

    public func voicemailAudio(id: Int64, for person: Acting) async throws(StoreError) -> StoredAudio {
        try state.withLock { state throws(StoreError) -> StoredAudio in
            guard let stored = state.messages[id]?.stored else { throw StoreError(.noMessage(id)) }
            let callback = state.callbacks[stored.callbackID]
            let blocked = state.isBlocked(stored.voicemail.caller.number) || state.isBlocked(callback?.caller.number)
            guard person.visibility.admits(ownerLine: callback?.ownerLine == true, callerBlocked: blocked) else {
                throw StoreError(.noMessage(id))
            }
            return StoredAudio(voicemailID: id, path: stored.audioPath, quarantinePath: stored.quarantinePath, format: stored.voicemail.audio?.format)
        }
    }

    public func sweepBreaches(at now: Date, _ decide: @escaping @Sendable (CallbackRecords) -> Transition?) async throws(StoreError) -> Int {
        try state.withLock { state throws(StoreError) -> Int in
            var changed = 0
            for id in state.callbacks.values.filter({ $0.recordedStatus != .done && !$0.breached && $0.servedBy <= now }).map(\.id).sorted() {
                guard let transition = decide(try state.records(id)) else { continue }
                state.apply(transition, channels: notificationChannels)
                changed += 1
            }
            return changed
        }
    }

    public func escalations(includeResolved: Bool) async throws(StoreError) -> [EscalationDetail] {
        try state.withLock { state throws(StoreError) -> [EscalationDetail] in
            let rank: [EscalationState: Int] = [.open: 0, .acknowledged: 1, .resolved: 2]
            return try state.escalations.values.filter { includeResolved || $0.state != .resolved }
                .sorted { a, b in
                    (rank[a.state] ?? 2, a.reason.rank, a.createdAt, a.id) < (rank[b.state] ?? 2, b.reason.rank, b.createdAt, b.id)
                }
                .map { escalation throws(StoreError) in try state.escalationDetail(escalation.id) }
        }
    }

    public func escalation(id: Int64) async throws(StoreError) -> EscalationDetail {
        try state.withLock { state throws(StoreError) in try state.escalationDetail(id) }
    }

    public func dueNotifications(at now: Date, limit: Int) async throws(StoreError) -> [(OwnerNotification, EscalationDetail)] {
        try state.withLock { state throws(StoreError) -> [(OwnerNotification, EscalationDetail)] in
            try state.notifications.values.filter { $0.deliveredAt == nil && $0.nextAttemptAt <= now }
                .sorted { ($0.nextAttemptAt, $0.id) < ($1.nextAttemptAt, $1.id) }.prefix(limit)
                .map { notification throws(StoreError) in (notification, try state.escalationDetail(notification.escalationID)) }
        }
    }

    public func markDelivered(notification id: Int64, at now: Date) async throws(StoreError) {
        state.withLock { state in
            state.notifications[id]?.deliveredAt = now
            state.notifications[id]?.attempts += 1
            state.notifications[id]?.lastError = nil
        }
    }

    public func markFailed(notification id: Int64, error: String, retryAt: Date) async throws(StoreError) {
        state.withLock { state in
            state.notifications[id]?.attempts += 1
            state.notifications[id]?.lastError = error
            state.notifications[id]?.nextAttemptAt = retryAt
        }
    }
}

// MARK: - Promises

extension MemoryStore {
    public func staffQueue() async throws(StoreError) -> [Callback] {
        state.withLock { state in state.visible(.staff).filter { $0.recordedStatus != .done } }
    }

    public func keepPromises(_ promises: [Int64: Date]) async throws(StoreError) -> Int {
        state.withLock { state in
            var written = 0
            for (id, promise) in promises where state.callbacks[id] != nil && state.callbacks[id]?.promisedBy == nil {
                state.callbacks[id]?.promisedBy = promise
                written += 1
            }
            return written
        }
    }

    public func handlingSamples(endedIn period: ClosedRange<Date>) async throws(StoreError) -> [HandlingSample] {
        state.withLock { state in
            // As the databases read it: each outcome, and the event that began it when
            // that was a claim.
            let beginnings: Set<CallbackEvent.Kind> = [.claimed, .done, .attempted, .released, .lapsed, .reopened, .assigned]
            var samples: [HandlingSample] = []
            for (id, events) in state.history {
                let urgent = state.callbacks[id]?.urgent ?? false
                var began: CallbackEvent?
                for event in events {
                    if event.kind == .done || event.kind == .attempted, period.contains(event.at), let began, began.kind == .claimed {
                        samples.append(
                            HandlingSample(
                                endedAt: event.at, seconds: event.at.timeIntervalSince(began.at), answered: event.kind == .done, urgent: urgent))
                    }
                    if beginnings.contains(event.kind) { began = event }
                }
            }
            return samples.sorted { $0.endedAt < $1.endedAt }
        }
    }
}
