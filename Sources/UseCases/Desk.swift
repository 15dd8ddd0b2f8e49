import BusinessTime
import Domain
import Foundation

/// The rules the desk applies, from the configuration.
public struct DeskRules: Sendable {
    public var hours: BusinessHours
    public var policy: CallbackPolicy
    /// Escalate breached deadlines before every read (`escalation.on_breach`).
    public var escalateOnBreach: Bool
    /// True while nobody is named as the owner: then everyone may read the escalations.
    public var anyoneReadsEscalations: Bool
    /// ISO 3166 region for numbers written without a country code.
    public var defaultRegion: String

    public init(
        hours: BusinessHours, policy: CallbackPolicy, escalateOnBreach: Bool, anyoneReadsEscalations: Bool, defaultRegion: String
    ) {
        self.hours = hours
        self.policy = policy
        self.escalateOnBreach = escalateOnBreach
        self.anyoneReadsEscalations = anyoneReadsEscalations
        self.defaultRegion = defaultRegion
    }

    var timeZone: TimeZone { hours.timeZone }

    func startOfDay(_ instant: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.startOfDay(for: instant)
    }
}

/// The staff's jobs: take the next callback, read the queue, record outcomes. The command
/// line, the HTTP API and the pages all call these, on any store.
public struct CallbackDesk: Sendable {
    public let store: any CallbackRepository
    public let rules: DeskRules
    /// Where the at-risk marks of `list` and `show` come from; nil: none are read.
    public let forecast: PromiseDesk?

    public init(store: any CallbackRepository, rules: DeskRules, forecast: PromiseDesk? = nil) {
        self.store = store
        self.rules = rules
        self.forecast = forecast
    }

    /// Breached deadlines are escalated before every job, reading or changing, so every
    /// door sees a breach as soon as it happens, service or not.
    func sweep(at now: Date) async throws(StoreError) {
        if rules.escalateOnBreach { _ = try await store.sweepBreaches(at: now, timeZone: rules.timeZone) }
    }

    public enum Next: Sendable, Equatable {
        case claimed(CallbackDetail)
        /// Nothing to serve now; the callback that comes back first, if any.
        case nothingNow(comingBack: CallbackDetail?)
    }

    /// Claims the callback to make now for `person`, atomically.
    public func next(for person: Acting, at now: Date) async throws(StoreError) -> Next {
        try await sweep(at: now)
        if let claimed = try await store.claimNext(by: person.name, at: now, lease: rules.policy.claimLease) {
            return .claimed(claimed)
        }
        return .nothingNow(comingBack: try await store.nextToReturn(at: now))
    }

    /// Which part of the queue to list.
    public struct Query: Sendable, Equatable {
        public var all = false
        public var limit: Int?
        /// A caller's number, written any way.
        public var number: String?
        /// Part of a caller's name, any case.
        public var name: String?
        /// Only the callbacks the reader holds.
        public var mine = false
        public var doneToday = false
        /// Words in a message's transcript.
        public var text: String?
        /// Only the callbacks the forecast says will be reached after their promise.
        public var atRisk = false

        public init(
            all: Bool = false, limit: Int? = nil, number: String? = nil, name: String? = nil, mine: Bool = false, doneToday: Bool = false,
            text: String? = nil, atRisk: Bool = false
        ) {
            self.atRisk = atRisk
            self.all = all
            self.limit = limit
            self.number = number
            self.name = name
            self.mine = mine
            self.doneToday = doneToday
            self.text = text
        }

        public var isFiltered: Bool { number != nil || name != nil || mine || doneToday || text != nil || atRisk }
    }

    /// The queue in serving order (with `all`, then claimed and waiting, then done).
    public func list(_ query: Query, for reader: Acting, at now: Date) async throws(StoreError) -> [CallbackDetail] {
        if let limit = query.limit, limit < 1 {
            throw StoreError("a limit of \(limit) would show nothing: give 1 or more", code: .invalid)
        }
        var wanted: PhoneNumber?
        if let number = query.number {
            guard let parsed = PhoneNumber.normalise(number, defaultRegion: rules.defaultRegion) else {
                throw StoreError("\(number) is not a phone number", code: .invalid)
            }
            wanted = parsed
        }
        try await sweep(at: now)
        let filtered = query.isFiltered
        var details = try await store.queue(
            at: now, includeAll: query.all || filtered, limit: filtered ? nil : query.limit, visibility: reader.visibility)
        if let wanted { details = details.filter { $0.callback.caller.number == wanted } }
        if let name = query.name {
            details = details.filter { $0.callback.caller.name?.localizedCaseInsensitiveContains(name) == true }
        }
        if let text = query.text {
            guard text.contains(where: { $0.isLetter || $0.isNumber }) else {
                throw StoreError("give words to look for in the messages: \"\(text)\" has none", code: .invalid)
            }
            let matching = try await store.callbacks(matchingTranscript: text)
            details = details.filter { matching.contains($0.callback.id) }
        }
        if query.mine {
            details = details.filter { $0.callback.status(at: now) == .claimed && $0.callback.claimedBy == reader.name }
        }
        if query.doneToday {
            let today = rules.startOfDay(now)
            details = details.filter { $0.callback.recordedStatus == .done && ($0.callback.closedAt ?? .distantPast) >= today }
        }
        if let forecast { details = try await forecast.marked(details, at: now) }
        if query.atRisk { details = details.filter { $0.atRisk != nil } }
        if filtered, let limit = query.limit { details = Array(details.prefix(limit)) }
        return details
    }

    /// One callback with its history; the owner's line does not exist for staff.
    public func show(_ id: Int64, for reader: Acting, at now: Date) async throws(StoreError) -> CallbackDetail {
        try await sweep(at: now)
        let detail = try await store.detail(id: id, for: reader)
        return try await forecast?.marked([detail], at: now).first ?? detail
    }

    public struct Done: Sendable, Equatable {
        public var detail: CallbackDetail
        /// The escalation closing the callback resolved, if it had one open.
        public var resolvedEscalation: Int64?
    }

    /// The caller was reached: the callback closes, and an open escalation on it resolves.
    public func done(_ id: Int64, by person: Acting, note: String?, force: Bool, at now: Date) async throws(StoreError) -> Done {
        try await sweep(at: now)
        let changed = try await store.change(callback: id) { records throws(StoreError) in
            try Decide.done(records, by: person, note: note, force: force, at: now)
        }
        return Done(detail: changed.detail, resolvedEscalation: changed.transition.resolvedEscalation)
    }

    public struct NoAnswer: Sendable, Equatable {
        public var detail: CallbackDetail
        /// When it comes back: `retry_after` of business time from now.
        public var retryAt: Date
        /// This attempt was the last one allowed: the owner has it now.
        public var escalatedNow: Bool
    }

    /// A call that did not reach the caller: it waits `retry_after` of business time, and
    /// escalates after `max_attempts`.
    public func noAnswer(_ id: Int64, by person: Acting, note: String?, force: Bool, at now: Date) async throws(StoreError) -> NoAnswer {
        try await sweep(at: now)
        let retryAt = rules.hours.deadline(from: now, within: rules.policy.retryAfter)
        let maxAttempts = rules.policy.maxAttempts
        let detail = try await store.change(callback: id) { records throws(StoreError) in
            try Decide.noAnswer(records, by: person, note: note, force: force, retryAt: retryAt, maxAttempts: maxAttempts, at: now)
        }.detail
        let escalatedNow = detail.callback.escalated && detail.callback.attempts >= rules.policy.maxAttempts
        return NoAnswer(detail: detail, retryAt: retryAt, escalatedNow: escalatedNow)
    }

    public func release(_ id: Int64, by person: Acting, force: Bool, at now: Date) async throws(StoreError) -> CallbackDetail {
        try await sweep(at: now)
        return try await store.change(callback: id) { records throws(StoreError) in
            try Decide.release(records, by: person, force: force, at: now)
        }.detail
    }

    public func escalate(_ id: Int64, by person: Acting, reason: String, force: Bool, at now: Date) async throws(StoreError) -> CallbackDetail {
        try await sweep(at: now)
        return try await store.change(callback: id) { records throws(StoreError) in
            try Decide.escalate(records, by: person, reason: reason, force: force, at: now)
        }.detail
    }

    public func note(_ id: Int64, by person: Acting, text: String, at now: Date) async throws(StoreError) -> CallbackDetail {
        try await sweep(at: now)
        return try await store.change(callback: id) { records throws(StoreError) in
            try Decide.note(records, by: person, text: text, at: now)
        }.detail
    }

    public func reopen(_ id: Int64, by person: Acting, note: String?, at now: Date) async throws(StoreError) -> CallbackDetail {
        try await sweep(at: now)
        return try await store.change(callback: id) { records throws(StoreError) in
            try Decide.reopen(records, by: person, note: note, at: now)
        }.detail
    }

    public func assign(_ id: Int64, to colleague: String, by person: Acting, force: Bool, at now: Date) async throws(StoreError) -> CallbackDetail {
        try await sweep(at: now)
        let lease = rules.policy.claimLease
        return try await store.change(callback: id) { records throws(StoreError) in
            try Decide.assign(records, to: colleague, by: person, force: force, lease: lease, at: now)
        }.detail
    }

    /// Where one message's audio is, for playing it; the owner's line does not exist for staff.
    public func audio(_ voicemailID: Int64, for person: Acting) async throws(StoreError) -> StoredAudio {
        let stored = try await store.voicemailAudio(id: voicemailID, for: person)
        guard stored.path != nil || stored.quarantinePath != nil else {
            throw StoreError("message #\(voicemailID) has no audio kept", code: .notFound)
        }
        return stored
    }

    public struct Stats: Sendable, Equatable {
        public var counts: QueueStats
        public var days: Int
        /// Share of the callbacks due in the period that were done by their deadline; nil
        /// when none were due.
        public var keptShare: Double? {
            counts.dueInPeriod == 0 ? nil : Double(counts.doneByDeadlineInPeriod) / Double(counts.dueInPeriod)
        }
    }

    /// Queue health now, and promises kept over the last `days` days, over what `reader` sees.
    public func stats(days: Int, for reader: Acting, at now: Date) async throws(StoreError) -> Stats {
        guard (1...3660).contains(days) else {
            throw StoreError("a period of \(days) days is not a period: give 1 to 3660 days", code: .invalid)
        }
        try await sweep(at: now)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = rules.timeZone
        let from = calendar.date(byAdding: .day, value: -days, to: now) ?? now
        let counts = try await store.stats(at: now, startOfToday: rules.startOfDay(now), period: from...now, visibility: reader.visibility)
        return Stats(counts: counts, days: days)
    }
}

/// The owner's jobs: read, acknowledge and resolve escalations.
public struct OwnerDesk: Sendable {
    public let desk: CallbackDesk

    public init(desk: CallbackDesk) { self.desk = desk }

    var store: any CallbackRepository { desk.store }

    /// Escalations are the owner's: anyone else is refused (until nobody is named owner).
    func requireOwner(_ person: Acting) throws(StoreError) {
        guard person.isOwner || desk.rules.anyoneReadsEscalations else {
            throw StoreError("escalations are the owner's: \(person.name.isEmpty ? "you are" : "\(person.name) is") not the owner", code: .forbidden)
        }
    }

    public func escalations(includeResolved: Bool, for person: Acting, at now: Date) async throws(StoreError) -> [EscalationDetail] {
        try requireOwner(person)
        try await desk.sweep(at: now)
        return try await store.escalations(includeResolved: includeResolved)
    }

    public func escalation(_ id: Int64, for person: Acting, at now: Date) async throws(StoreError) -> EscalationDetail {
        try requireOwner(person)
        try await desk.sweep(at: now)
        return try await store.escalation(id: id)
    }

    public func acknowledge(_ id: Int64, by person: Acting, at now: Date) async throws(StoreError) -> EscalationDetail {
        try requireOwner(person)
        try await desk.sweep(at: now)
        return try await store.change(escalation: id) { escalation, records throws(StoreError) in
            try Decide.acknowledge(escalation, on: records, by: person.name, at: now)
        }
    }

    public func resolve(_ id: Int64, by person: Acting, note: String, at now: Date) async throws(StoreError) -> EscalationDetail {
        try requireOwner(person)
        try await desk.sweep(at: now)
        return try await store.change(escalation: id) { escalation, records throws(StoreError) in
            try Decide.resolve(escalation, on: records, by: person.name, note: note, at: now)
        }
    }
}
