import Foundation

/// Levels and seconds of speech in a stream of mono samples, in constant memory.
///
/// Energy-based voice activity detection over short frames: a frame is active when it
/// stands well above the line's noise floor (tracked online: it follows quiet frames
/// down at once and creeps up slowly) and above an absolute floor. Runs of active
/// frames count as speech unless they are steady tones: a busy or dial tone keeps its
/// loudness and zero-crossing rate almost constant, where speech moves both all the time.
struct SpeechAnalysis {
    /// Below this much speech a message is silent: a hang-up, a tone, hiss or nothing.
    static let minimumSpeechSeconds = 0.3
    /// Frames last 32 ms: long enough to average out the beat of two-frequency tones.
    static let frameSeconds = 0.032
    /// Active frames stand this far above the noise floor …
    static let aboveFloorDB: Float = 15
    /// … and above this absolute level (line hiss on a phone call sits well below it).
    static let absoluteFloorDB: Float = -45
    /// The noise floor rises this much per frame while the line is busy (≈1 dB/s).
    static let floorRiseDB: Float = 0.03
    /// Frames used to seed the noise floor before any frame is classified.
    static let seedFrames = 16
    /// Runs shorter than this are clicks; runs at least `toneMinimumFrames` long whose
    /// loudness and zero-crossing rate hardly vary are tones.
    static let minimumRunFrames = 3
    static let toneMinimumFrames = 8
    static let toneMaxLevelDeviationDB: Float = 2.5
    static let toneMaxCrossingDeviation: Float = 0.012

    let frameLength: Int
    private var frameSum: Float = 0
    private var frameCount = 0
    private var crossings = 0
    private var previous: Float = 0

    private var peak: Float = 0
    private var totalSquares: Double = 0
    private var totalSamples = 0

    private var floor: Float = 0
    private var seed: [(level: Float, crossingRate: Float)] = []
    private var seeded = false

    private var run = RunStatistics()
    private var speechFrames = 0

    init(sampleRate: Int) {
        frameLength = max(1, Int(Double(sampleRate) * Self.frameSeconds))
        seed.reserveCapacity(Self.seedFrames)
    }

    mutating func add(_ sample: Float) {
        let magnitude = abs(sample)
        if magnitude > peak { peak = magnitude }
        let square = sample * sample
        frameSum += square
        totalSquares += Double(square)
        totalSamples += 1
        if (sample >= 0) != (previous >= 0) { crossings += 1 }
        previous = sample
        frameCount += 1
        if frameCount == frameLength { closeFrame() }
    }

    private mutating func closeFrame() {
        let level = 10 * log10(frameSum / Float(frameCount) + 1e-12)
        let crossingRate = Float(crossings) / Float(frameCount)
        frameSum = 0
        frameCount = 0
        crossings = 0
        if !seeded {
            seed.append((level, crossingRate))
            if seed.count == Self.seedFrames { releaseSeed() }
            return
        }
        classify(level: level, crossingRate: crossingRate)
    }

    private mutating func releaseSeed() {
        seeded = true
        floor = seed.map(\.level).min() ?? Self.absoluteFloorDB
        for frame in seed { classify(level: frame.level, crossingRate: frame.crossingRate) }
        seed.removeAll()
    }

    private mutating func classify(level: Float, crossingRate: Float) {
        let active = level > max(floor + Self.aboveFloorDB, Self.absoluteFloorDB)
        if level < floor { floor = level } else { floor += Self.floorRiseDB }
        if active {
            run.add(level: level, crossingRate: crossingRate)
        } else {
            endRun()
        }
    }

    private mutating func endRun() {
        if run.count >= Self.minimumRunFrames && !run.isTone { speechFrames += run.count }
        run = RunStatistics()
    }

    /// Closes the stream and reports.
    mutating func finish() -> (peak: Double, rms: Double, speechSeconds: Double) {
        if frameCount > 0 { closeFrame() }
        if !seeded { releaseSeed() }
        endRun()
        let rms = totalSamples > 0 ? (totalSquares / Double(totalSamples)).squareRoot() : 0
        return (Double(min(peak, 1)), rms, Double(speechFrames) * Self.frameSeconds)
    }
}

/// Running mean and variance (Welford) of one run of active frames. The first and last
/// frames of a run straddle its edges (half tone, half silence), so only the frames
/// between them enter the statistics.
private struct RunStatistics {
    private(set) var count = 0
    private var held: (level: Float, crossingRate: Float)?
    private var interior = 0
    private var levelMean: Float = 0
    private var levelM2: Float = 0
    private var crossingMean: Float = 0
    private var crossingM2: Float = 0

    mutating func add(level: Float, crossingRate: Float) {
        count += 1
        if let previous = held, count > 2 { include(previous) }
        held = (level, crossingRate)
    }

    private mutating func include(_ frame: (level: Float, crossingRate: Float)) {
        interior += 1
        let n = Float(interior)
        let levelDelta = frame.level - levelMean
        levelMean += levelDelta / n
        levelM2 += levelDelta * (frame.level - levelMean)
        let crossingDelta = frame.crossingRate - crossingMean
        crossingMean += crossingDelta / n
        crossingM2 += crossingDelta * (frame.crossingRate - crossingMean)
    }

    /// Steady loudness and steady pitch for long enough: a tone, not a voice.
    var isTone: Bool {
        guard count >= SpeechAnalysis.toneMinimumFrames, interior > 0 else { return false }
        let levelDeviation = (levelM2 / Float(interior)).squareRoot()
        let crossingDeviation = (crossingM2 / Float(interior)).squareRoot()
        return levelDeviation < SpeechAnalysis.toneMaxLevelDeviationDB
            && crossingDeviation < SpeechAnalysis.toneMaxCrossingDeviation
    }
}
