import AudioProbe
import Foundation
import SpokenAudio
import Testing

@Suite("Speaking the greeting")
struct SpokenAudioTests {
    let text = "Thank you for calling Acme Plumbing. We're closed right now and open again at eight o'clock tomorrow morning."

    @Test("espeak-ng speech at 8 kHz, written as PCM WAV and raw µ-law, with a plausible length for the words")
    func wavAndUlaw() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spoken-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let samples = try SpeechSynthesizer(voice: "en-us", wordsPerMinute: 150).synthesize(text)
        let words = Double(text.split(separator: " ").count)
        let expected = words / 150 * 60  // seconds at 150 words a minute
        for format in PromptFormat.allCases {
            let url = folder.appendingPathComponent("greeting.\(format.rawValue)")
            try PromptRecording.write(samples, format: format, to: url)
            let info = try AudioProbe().probe(url)
            #expect(info.format == (format == .wav ? "wav-pcm16" : "ulaw"))
            #expect(info.sampleRate == 8000)
            #expect(info.channels == 1)
            #expect(info.durationSeconds > 0.6 * expected && info.durationSeconds < 1.8 * expected, "\(info.durationSeconds)s for \(words) words")
            #expect(!info.silent, "our own probe hears speech in it")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["greeting.ulaw", "greeting.wav"], "no temporary files left")
    }

    @Test("faster speech is shorter")
    func speed() throws {
        let slow = try SpeechSynthesizer(wordsPerMinute: 120).synthesize(text)
        let fast = try SpeechSynthesizer(wordsPerMinute: 220).synthesize(text)
        #expect(Double(fast.count) < 0.8 * Double(slow.count))
    }

    @Test("an unknown voice is a clear error")
    func unknownVoice() {
        #expect(throws: SpeechError.self) { try SpeechSynthesizer(voice: "klingon-xx").synthesize("hello") }
    }

    @Test("voices are file names, as the configuration checks them: not espeak-ng's display names")
    func voiceNames() throws {
        let installed = try #require(EspeakVoices.installed)
        #expect(installed.contains("en-us") && installed.contains("EN-US") && installed.contains("gmw/en-US"))
        #expect(installed.contains("en-us+f3"))
        #expect(!installed.contains("en-us+nosuchvariant"))
        // espeak-ng alone takes "Klingon", the display name of art/piqd.
        #expect(!installed.contains("klingon"))
        let refused = #expect(throws: SpeechError.self) { try SpeechSynthesizer(voice: "klingon").synthesize("hello") }
        #expect(refused?.message == "espeak-ng has no voice \"klingon\"")
        #expect(try !SpeechSynthesizer(voice: "de").synthesize("hallo").isEmpty)
    }
}
