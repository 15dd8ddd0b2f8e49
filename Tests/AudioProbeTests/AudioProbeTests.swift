import AudioProbe
import CSndFile
import Foundation
import Testing

let audioFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../fixtures/audio").standardizedFileURL

func fixture(_ name: String) -> URL { audioFixtures.appendingPathComponent(name) }

/// A 16-bit PCM mono WAV written by hand, sample by sample.
func writeWAV(_ url: URL, sampleRate: Int = 8000, seconds: Double, sample: (Int) -> Int16) throws {
    let count = Int(Double(sampleRate) * seconds)
    var data = Data()
    func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
    data.append(contentsOf: Array("RIFF".utf8)); append(UInt32(36 + count * 2))
    data.append(contentsOf: Array("WAVEfmt ".utf8)); append(UInt32(16)); append(UInt16(1)); append(UInt16(1))
    append(UInt32(sampleRate)); append(UInt32(sampleRate * 2)); append(UInt16(2)); append(UInt16(16))
    data.append(contentsOf: Array("data".utf8)); append(UInt32(count * 2))
    data.reserveCapacity(44 + count * 2)
    for index in 0..<count { append(sample(index)) }
    try data.write(to: url)
}

@Suite("Audio probe (libsndfile)")
struct AudioProbeTests {
    let probe = AudioProbe()

    // Durations as `soxi -D` reports them for the files sox wrote; raw files have no
    // header for soxi to read, so they are held to the WAV they were made from (3.67175 s).
    // sox here cannot read Opus: opusenc wrote it, and `opusinfo` gives its length.
    @Test(
        "every format Asterisk and others write, with sox's duration",
        arguments: [
            ("speech.wav", "wav-pcm16", 3.67175),
            ("speech-wav49.WAV", "wav-gsm610", 3.68),
            ("speech-ulaw.wav", "wav-ulaw", 3.67175),
            ("speech-alaw.wav", "wav-alaw", 3.67175),
            ("speech.gsm", "gsm", 3.67175),
            ("speech.ulaw", "ulaw", 3.67175),
            ("speech.alaw", "alaw", 3.67175),
            ("speech.sln", "sln", 3.67175),
            ("speech.flac", "flac", 3.67175),
            ("speech.ogg", "ogg-vorbis", 3.67175),
            ("speech.opus", "ogg-opus", 3.671),
            ("speech.mp3", "mp3", 3.816),
        ])
    func formats(_ name: String, format: String, seconds: Double) throws {
        let info = try probe.probe(fixture(name))
        #expect(info.format == format)
        #expect(info.sampleRate == 8000)
        #expect(info.channels == 1)
        #expect(abs(info.durationSeconds - seconds) <= 0.05)
        #expect(!info.silent, "a spoken sentence is speech")
        #expect(info.speechSeconds > 2)
        #expect(info.peak > 0.5 && info.peak <= 1)
        #expect(info.rms > 0.05 && info.rms < info.peak)
    }

    @Test("hang-ups, tones, hiss and silence are silent", arguments: ["silence.wav", "hiss.wav", "busy.wav", "dialtone.wav"])
    func silent(_ name: String) throws {
        let info = try probe.probe(fixture(name))
        #expect(info.silent)
        #expect(info.speechSeconds < 0.3)
        #expect(abs(info.durationSeconds - 3) < 0.01)
    }

    @Test("a WAV still being written (zero sizes in its header) opens with 0 frames and no error")
    func unfinished() throws {
        let info = try probe.probe(fixture("unfinished.wav"))
        #expect(info.frames == 0)
        #expect(info.silent)
    }

    @Test("a truncated WAV yields the audio that is there")
    func truncated() throws {
        let info = try probe.probe(fixture("truncated.wav"))
        #expect(info.durationSeconds > 1.5 && info.durationSeconds < 2)
    }

    @Test(
        "unreadable files are errors naming the file and the problem",
        arguments: [
            ("empty.wav", "empty.wav: is empty (0 bytes)"),
            ("garbage.wav", "garbage.wav: cannot be read as audio (libsndfile: Format not recognised.)"),
            ("does-not-exist.wav", "does-not-exist.wav: cannot be read as audio"),
        ])
    func unreadable(_ name: String, message: String) {
        #expect {
            try probe.probe(fixture(name))
        } throws: { error in
            (error as? AudioProbeError)?.description.hasPrefix(message) == true
        }
    }

    @Test("a ten-minute message is read in chunks, with speech and silence told apart")
    func longMessage() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("long-\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: url) }
        // Nine minutes of near silence, then a minute of a warbling, loudness-varying
        // signal (a crude voice: pitch and level move all the time).
        try writeWAV(url, seconds: 600) { index in
            guard index >= 8000 * 540 else { return Int16(index % 7 == 0 ? 3 : -3) }
            let t = Double(index) / 8000
            let pitch = 180 + 60 * sin(2 * .pi * 3 * t)
            let envelope = 0.5 + 0.5 * sin(2 * .pi * 2.3 * t)
            return Int16(9000 * envelope * sin(2 * .pi * pitch * t + 5 * sin(2 * .pi * 0.7 * t)))
        }
        let info = try AudioProbe(chunkFrames: 1024).probe(url)
        #expect(info.frames == 8000 * 600)
        #expect(info.durationSeconds == 600)
        #expect(!info.silent)
        #expect(info.speechSeconds > 20 && info.speechSeconds <= 61)
    }
}

@Suite("Audio probe: sampling long messages")
struct AudioProbeSamplingTests {
    /// Nine minutes of near silence, then a minute of a warbling, loudness-varying voice-like signal.
    func longMessage(_ url: URL) throws {
        try writeWAV(url, seconds: 600) { index in
            guard index >= 8000 * 540 else { return Int16(index % 7 == 0 ? 3 : -3) }
            let t = Double(index) / 8000
            let pitch = 180 + 60 * sin(2 * .pi * 3 * t)
            let envelope = 0.5 + 0.5 * sin(2 * .pi * 2.3 * t)
            return Int16(9000 * envelope * sin(2 * .pi * pitch * t + 5 * sin(2 * .pi * 0.7 * t)))
        }
    }

    @Test("a sampled probe agrees with a full decode on length, silence and (roughly) speech")
    func sampledAgreesWithFull() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sampled-\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: url) }
        try longMessage(url)
        let full = try AudioProbe().probe(url)
        let sampled = try AudioProbe(sampling: .init()).probe(url)
        #expect(sampled.frames == full.frames)
        #expect(sampled.durationSeconds == full.durationSeconds)
        #expect(sampled.silent == full.silent)
        #expect(abs(sampled.speechSeconds - full.speechSeconds) < 0.25 * full.speechSeconds + 2)
        #expect(sampled.peak <= full.peak)
    }

    @Test("a long file shorter than its header says is decoded in full, with its real length")
    func truncatedLongFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cut-\(UUID().uuidString).wav")
        defer { try? FileManager.default.removeItem(at: url) }
        try longMessage(url)
        let data = try Data(contentsOf: url)
        try data.prefix(44 + 8000 * 2 * 100).write(to: url)  // 100 s of a 600 s header
        let info = try AudioProbe(sampling: .init()).probe(url)
        #expect(info.frames == 8000 * 100)
        #expect(info.silent)
    }
}

/// Writes `seconds` of 8 kHz mono audio in `format` through libsndfile (the encoder under
/// test for GSM 6.10, raw and WAV49), one second at a time.
func writeEncoded(_ url: URL, format: Int32, seconds: Int, sample: (Double) -> Double) throws {
    var info = SF_INFO()
    info.samplerate = 8000
    info.channels = 1
    info.format = format
    guard let file = sf_open(url.path, Int32(SFM_WRITE), &info) else {
        throw AudioProbeError(path: url.path, message: String(cString: sf_strerror(nil)))
    }
    defer { sf_close(file) }
    var buffer = [Float](repeating: 0, count: 8000)
    for second in 0..<seconds {
        for index in 0..<8000 { buffer[index] = Float(sample(Double(second * 8000 + index) / 8000)) }
        _ = buffer.withUnsafeBufferPointer { sf_writef_float(file, $0.baseAddress, 8000) }
    }
}

/// A crude voice: pitch and loudness move all the time, with short pauses between "words".
func voice(_ t: Double) -> Double {
    let pitch = 180 + 60 * sin(2 * .pi * 3 * t)
    let envelope = max(0, sin(2 * .pi * 0.8 * t)) * (0.6 + 0.4 * sin(2 * .pi * 2.3 * t))
    return 0.3 * envelope * sin(2 * .pi * pitch * t + 5 * sin(2 * .pi * 0.7 * t))
}

/// Faint line noise, deterministic.
func lineNoise(_ t: Double) -> Double {
    let n = Int(t * 8000)
    return Double((n &* 1_103_515_245 &+ 12345) >> 16 & 0xff) / 255 * 0.002 - 0.001
}

@Suite("Audio probe: sampling GSM 6.10 by block windows")
struct GSMSamplingTests {
    static let formats: [(String, Int32)] = [
        ("gsm", Int32(SF_FORMAT_RAW) | Int32(SF_FORMAT_GSM610)),
        ("WAV", Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_GSM610)),
    ]

    func temporary(_ ext: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("gsm-\(UUID().uuidString).\(ext)")
    }

    @Test("a long spoken GSM message is analysed on a sample and agrees with a full decode", arguments: [0, 1])
    func sampledAgreesWithFull(_ which: Int) throws {
        let (ext, format) = Self.formats[which]
        let url = temporary(ext)
        defer { try? FileManager.default.removeItem(at: url) }
        try writeEncoded(url, format: format, seconds: 90) { voice($0) + lineNoise($0) }
        let full = try AudioProbe().probe(url)
        let sampled = try AudioProbe(sampling: .init()).probe(url)
        #expect(full.analysedFrames == full.frames)
        #expect(sampled.analysedFrames > 0 && sampled.analysedFrames * 6 < sampled.frames, "only a sample was decoded")
        #expect(sampled.frames == full.frames)
        #expect(abs(sampled.durationSeconds - 90) < 0.05)
        #expect(sampled.format == full.format)
        #expect(!sampled.silent && !full.silent)
        #expect(abs(sampled.speechSeconds - full.speechSeconds) < 0.2 * full.speechSeconds)
        #expect(abs(sampled.rms - full.rms) < 0.2 * full.rms)
        #expect(sampled.peak <= full.peak + 0.01)
    }

    @Test("a few words between the windows make the whole message decoded, never called silent", arguments: [0, 1])
    func sparseSpeechIsDecodedInFull(_ which: Int) throws {
        let (ext, format) = Self.formats[which]
        let url = temporary(ext)
        defer { try? FileManager.default.removeItem(at: url) }
        // 60 s of a quiet line with 2 s of talk at 3–5 s, where no 1 s-in-8 s window looks.
        try writeEncoded(url, format: format, seconds: 60) { t in (t >= 3 && t < 5 ? voice(t - 2.6) : 0) + lineNoise(t) }
        let info = try AudioProbe(sampling: .init()).probe(url)
        #expect(info.analysedFrames == info.frames)
        #expect(!info.silent)
        #expect(info.speechSeconds > 0.5 && info.speechSeconds < 2.5)
    }

    @Test("a long hang-up (line noise only) is decoded in full and is silent", arguments: [0, 1])
    func longSilence(_ which: Int) throws {
        let (ext, format) = Self.formats[which]
        let url = temporary(ext)
        defer { try? FileManager.default.removeItem(at: url) }
        try writeEncoded(url, format: format, seconds: 40) { lineNoise($0) }
        let info = try AudioProbe(sampling: .init()).probe(url)
        #expect(info.analysedFrames == info.frames)
        #expect(info.silent)
    }

    @Test("a WAV49 file cut short of its data chunk is decoded in full with its real length")
    func truncatedWAV49() throws {
        let url = temporary("WAV")
        defer { try? FileManager.default.removeItem(at: url) }
        try writeEncoded(url, format: Self.formats[1].1, seconds: 60) { voice($0) }
        let data = try Data(contentsOf: url)
        try data.prefix(data.count / 2).write(to: url)
        let info = try AudioProbe(sampling: .init()).probe(url)
        #expect(info.analysedFrames == info.frames)
        #expect(info.durationSeconds > 25 && info.durationSeconds < 35)
        #expect(!info.silent)
    }
}
