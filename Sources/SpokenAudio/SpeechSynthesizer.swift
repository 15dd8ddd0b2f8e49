import CEspeakNG
import Foundation

/// Text to speech through espeak-ng's C library, as 16-bit samples at 8 kHz (what a PBX
/// plays). espeak-ng keeps global state, so every synthesis holds one process-wide lock.
public struct SpeechSynthesizer: Sendable {
    /// An espeak-ng voice file name: `en-us`, `en`, `de`, `fr`, … (see `EspeakVoices`).
    public var voice: String
    /// Words per minute (espeak-ng accepts 80–450).
    public var wordsPerMinute: Int

    public static let sampleRate = 8000

    public init(voice: String = "en-us", wordsPerMinute: Int = 150) {
        self.voice = voice
        self.wordsPerMinute = wordsPerMinute
    }

    private static let lock = NSLock()
    /// espeak-ng, loaded and initialised on first use; nil until then.
    nonisolated(unsafe) private static var engine: Espeak?

    /// Speaks `text`; the samples are 8 kHz mono, full scale ±1.
    public func synthesize(_ text: String) throws(SpeechError) -> [Float] {
        // The rule the configuration checks `greeting.voice` with, so the two never
        // disagree (espeak-ng alone would also take a display name such as "Klingon").
        if let installed = EspeakVoices.installed, !installed.contains(voice) {
            throw SpeechError("espeak-ng has no voice \"\(voice)\"")
        }
        Self.lock.lock()
        defer { Self.lock.unlock() }
        let engine: Espeak
        if let loaded = Self.engine {
            engine = loaded
        } else {
            engine = try Espeak.load()
            Self.engine = engine
        }
        guard engine.setVoiceByName(voice) == EE_OK else { throw SpeechError("espeak-ng has no voice \"\(voice)\"") }
        _ = engine.setParameter(espeakRATE, Int32(min(max(wordsPerMinute, 80), 450)), 0)
        let sink = SampleSink()
        let reference = Unmanaged.passRetained(sink)
        defer { reference.release() }
        let status = text.withCString { pointer in
            engine.synth(pointer, strlen(pointer) + 1, 0, POS_CHARACTER, 0, UInt32(espeakCHARS_UTF8), nil, reference.toOpaque())
        }
        guard status == EE_OK else { throw SpeechError("espeak-ng could not speak the text (error \(status.rawValue))") }
        _ = engine.synchronize()
        return Resampler.resample(sink.samples.map { Float($0) / 32_768 }, from: Int(engine.sampleRate), to: Self.sampleRate)
    }
}

/// The espeak-ng functions used, looked up in the shared library at run time.
private struct Espeak {
    typealias Callback = @convention(c) (UnsafeMutablePointer<Int16>?, Int32, UnsafeMutablePointer<espeak_EVENT>?) -> Int32

    let setVoiceByName: @convention(c) (UnsafePointer<CChar>?) -> espeak_ERROR
    let setParameter: @convention(c) (espeak_PARAMETER, Int32, Int32) -> espeak_ERROR
    let synth: @convention(c) (UnsafeRawPointer?, Int, UInt32, espeak_POSITION_TYPE, UInt32, UInt32, UnsafeMutablePointer<UInt32>?, UnsafeMutableRawPointer?) -> espeak_ERROR
    let synchronize: @convention(c) () -> espeak_ERROR
    /// espeak-ng's own output rate (22 050 Hz).
    let sampleRate: Int32

    static func load() throws(SpeechError) -> Espeak {
        guard let handle = dlopen("libespeak-ng.so.1", RTLD_NOW | RTLD_LOCAL) else {
            throw SpeechError("cannot load espeak-ng (install libespeak-ng1): \(String(cString: dlerror()))")
        }
        func symbol<T>(_ name: String, as type: T.Type) throws(SpeechError) -> T {
            guard let address = dlsym(handle, name) else { throw SpeechError("espeak-ng has no \(name)") }
            return unsafeBitCast(address, to: type)
        }
        typealias Initialize = @convention(c) (espeak_AUDIO_OUTPUT, Int32, UnsafePointer<CChar>?, Int32) -> Int32
        typealias SetCallback = @convention(c) (Callback?) -> Void
        let initialize = try symbol("espeak_Initialize", as: Initialize.self)
        let setCallback = try symbol("espeak_SetSynthCallback", as: SetCallback.self)
        let rate = initialize(AUDIO_OUTPUT_SYNCHRONOUS, 500, nil, Int32(espeakINITIALIZE_DONT_EXIT))
        guard rate > 0 else { throw SpeechError("espeak-ng could not start (is espeak-ng-data installed?)") }
        setCallback { samples, count, events in
            guard let samples, count > 0, let sink = events?.pointee.user_data else { return 0 }
            Unmanaged<SampleSink>.fromOpaque(sink).takeUnretainedValue().samples
                .append(contentsOf: UnsafeBufferPointer(start: samples, count: Int(count)))
            return 0
        }
        return Espeak(
            setVoiceByName: try symbol("espeak_SetVoiceByName", as: (@convention(c) (UnsafePointer<CChar>?) -> espeak_ERROR).self),
            setParameter: try symbol("espeak_SetParameter", as: (@convention(c) (espeak_PARAMETER, Int32, Int32) -> espeak_ERROR).self),
            synth: try symbol(
                "espeak_Synth",
                as: (@convention(c) (UnsafeRawPointer?, Int, UInt32, espeak_POSITION_TYPE, UInt32, UInt32, UnsafeMutablePointer<UInt32>?, UnsafeMutableRawPointer?) -> espeak_ERROR).self),
            synchronize: try symbol("espeak_Synchronize", as: (@convention(c) () -> espeak_ERROR).self),
            sampleRate: rate)
    }
}

/// Where the synthesis callback leaves samples.
private final class SampleSink: @unchecked Sendable {
    var samples: [Int16] = []
}

public struct SpeechError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Band-limited resampling: a windowed-sinc low-pass below the new Nyquist frequency,
/// then linear interpolation (plenty for telephone speech).
enum Resampler {
    static func resample(_ input: [Float], from source: Int, to target: Int) -> [Float] {
        guard source != target, !input.isEmpty else { return input }
        let cutoff = 0.45 * Double(min(source, target)) / Double(source)
        let taps = 63
        let middle = taps / 2
        let kernel: [Float] = (0..<taps).map { index in
            let n = Double(index - middle)
            let sinc = n == 0 ? 2 * cutoff : sin(2 * .pi * cutoff * n) / (.pi * n)
            let window = 0.54 - 0.46 * cos(2 * .pi * Double(index) / Double(taps - 1))
            return Float(sinc * window)
        }
        var filtered = [Float](repeating: 0, count: input.count)
        for index in input.indices {
            var sum: Float = 0
            for tap in 0..<taps {
                let source = index + tap - middle
                if source >= 0, source < input.count { sum += input[source] * kernel[tap] }
            }
            filtered[index] = sum
        }
        let step = Double(source) / Double(target)
        let count = Int(Double(input.count) / step)
        return (0..<count).map { index in
            let position = Double(index) * step
            let base = Int(position)
            let fraction = Float(position - Double(base))
            let next = min(base + 1, filtered.count - 1)
            return filtered[base] * (1 - fraction) + filtered[next] * fraction
        }
    }
}
