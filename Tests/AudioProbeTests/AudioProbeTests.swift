import AudioProbe
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
