import CSndFile
import FileErrors
import Foundation

/// A recording a PBX can play, written with libsndfile.
public enum PromptFormat: String, Sendable, CaseIterable {
    /// `.wav`: 8 kHz mono 16-bit PCM (Asterisk's `wav`).
    case wav
    /// `.ulaw`: raw 8 kHz µ-law (Asterisk's `ulaw`).
    case ulaw

    var fileExtension: String { rawValue }

    var sndfileFormat: Int32 {
        switch self {
        case .wav: Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_PCM_16)
        case .ulaw: Int32(SF_FORMAT_RAW) | Int32(SF_FORMAT_ULAW)
        }
    }
}

public enum PromptRecording {
    /// Writes 8 kHz mono `samples` to `url` atomically: into a hidden temporary file
    /// beside it, then renamed over it, so a PBX never plays a half-written file.
    public static func write(_ samples: [Float], format: PromptFormat, to url: URL) throws(SpeechError) {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try FileError.createFolder(folder.path)
        } catch {
            throw SpeechError(error.description)
        }
        var info = SF_INFO()
        info.samplerate = Int32(SpeechSynthesizer.sampleRate)
        info.channels = 1
        info.format = format.sndfileFormat
        guard let file = sf_open(temporary.path, Int32(SFM_WRITE), &info) else {
            throw SpeechError("cannot write \(temporary.path): \(String(cString: sf_strerror(nil)))")
        }
        let written = samples.withUnsafeBufferPointer { sf_writef_float(file, $0.baseAddress, sf_count_t($0.count)) }
        sf_close(file)
        guard written == samples.count else {
            try? FileManager.default.removeItem(at: temporary)
            throw SpeechError("could not write all of \(url.lastPathComponent) (\(written) of \(samples.count) samples)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw SpeechError("cannot put \(url.path) in place: \(reason)")
        }
    }
}
