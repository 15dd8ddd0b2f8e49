import Foundation

/// One call that has ended: from the claim that started it to its outcome.
public struct HandlingSample: Sendable, Equatable {
    public var endedAt: Date
    public var seconds: Double
    /// False when nobody answered (the attempt still took staff time).
    public var answered: Bool
    /// A call to an urgent callback (one that went ahead of the rest).
    public var urgent: Bool

    public init(endedAt: Date, seconds: Double, answered: Bool, urgent: Bool = false) {
        self.endedAt = endedAt
        self.seconds = seconds
        self.answered = answered
        self.urgent = urgent
    }
}

/// How long a call takes and how often nobody answers, learned from calls that have
/// ended (docs/promises.md). Until `minimumSamples` have, the configured prior.
public struct HandlingModel: Sendable, Equatable {
    /// Mean staff-seconds of one attempt.
    public var meanSeconds: Double
    /// Their standard deviation.
    public var deviationSeconds: Double
    /// How often an attempt finds nobody.
    public var noAnswerRate: Double
    /// How many ended calls it was learned from; zero for the prior.
    public var samples: Int
    /// Staff-seconds urgent calls have taken per second of the clock: the room kept for
    /// urgent callers still to come, who will go ahead of everyone else. Zero for the prior.
    public var urgentLoadRate: Double = 0

    public var learned: Bool { samples > 0 }

    /// Enough ended calls to trust what they say over the prior.
    public static let minimumSamples = 20
    /// A sample this old counts half as much as one from today.
    public static let halfLife: TimeInterval = 14 * 86_400
    /// What the prior assumes of the spread: a standard deviation half the mean.
    public static let priorVariation = 0.5
    /// Samples older than this are not read at all.
    public static let window: TimeInterval = 12 * 7 * 86_400

    public init(meanSeconds: Double, deviationSeconds: Double, noAnswerRate: Double, samples: Int) {
        self.meanSeconds = meanSeconds
        self.deviationSeconds = deviationSeconds
        self.noAnswerRate = noAnswerRate
        self.samples = samples
    }

    /// The configured prior (`staffing.handling`), nobody-answers never assumed.
    public static func prior(seconds: Int) -> HandlingModel {
        let mean = Double(max(seconds, 1))
        return HandlingModel(meanSeconds: mean, deviationSeconds: mean * priorVariation, noAnswerRate: 0, samples: 0)
    }

    /// Learned from the calls that ended by `now` (a call still running is not known
    /// yet), recent weeks weighing more; the prior until there are `minimumSamples`.
    public static func learn(from samples: [HandlingSample], at now: Date, prior: Int) -> HandlingModel {
        let ended = samples.filter { $0.endedAt <= now && now.timeIntervalSince($0.endedAt) <= window && $0.seconds >= 0 }
        guard ended.count >= minimumSamples else { return .prior(seconds: prior) }
        var weight = 0.0
        var sum = 0.0
        var unanswered = 0.0
        for sample in ended {
            let w = pow(0.5, now.timeIntervalSince(sample.endedAt) / halfLife)
            weight += w
            sum += w * sample.seconds
            if !sample.answered { unanswered += w }
        }
        let mean = sum / weight
        let variance = ended.reduce(0.0) { total, sample in
            let w = pow(0.5, now.timeIntervalSince(sample.endedAt) / halfLife)
            return total + w * (sample.seconds - mean) * (sample.seconds - mean)
        } / weight
        var model = HandlingModel(
            meanSeconds: max(mean, 1), deviationSeconds: variance.squareRoot(), noAnswerRate: min(unanswered / weight, 0.95),
            samples: ended.count)
        // Over the time the samples span (urgent callers arrive day and night alike).
        if let first = ended.map(\.endedAt).min(), now.timeIntervalSince(first) > 0 {
            let urgentSeconds = ended.filter(\.urgent).reduce(0.0) { $0 + $1.seconds }
            model.urgentLoadRate = urgentSeconds / now.timeIntervalSince(first)
        }
        return model
    }

    /// The staff time a callback still needs, mean and variance, with `attemptsLeft`
    /// tries before it is given up: each try that finds nobody is one more.
    public func load(attemptsLeft: Int) -> (mean: Double, variance: Double) {
        let tries = max(attemptsLeft, 1)
        var expected = 0.0
        var chance = 1.0
        for _ in 0..<tries {
            expected += chance
            chance *= noAnswerRate
        }
        let mean = meanSeconds * expected
        // Each try's own spread, plus the spread of how many tries it takes.
        let variance = expected * deviationSeconds * deviationSeconds + meanSeconds * meanSeconds * noAnswerRate * expected
        return (mean, variance)
    }
}
