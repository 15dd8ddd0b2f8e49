import CSndFile
import Foundation

/// What libsndfile read from one audio file.
public struct AudioInfo: Sendable, Equatable, Codable {
    /// Short, stable name: `wav-pcm16`, `wav-gsm610`, `wav-ulaw`, `gsm`, `ulaw`, `sln`,
    /// `flac`, `ogg-vorbis`, `ogg-opus`, `mp3`, …
    public var format: String
    public var sampleRate: Int
    public var channels: Int
    /// Frames actually decoded (a GSM-WAV header rounds up to whole 320-sample blocks).
    public var frames: Int64
    public var durationSeconds: Double
    /// Linear levels, 0…1 of full scale.
    public var peak: Double
    public var rms: Double
    public var speechSeconds: Double
    /// Essentially no speech: a hang-up, a busy or dial tone, line hiss, silence, 0 frames.
    public var silent: Bool
}

/// Audio that could not be read, naming the file and what is wrong.
public struct AudioProbeError: Error, CustomStringConvertible, Sendable, Equatable {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(URL(fileURLWithPath: path).lastPathComponent): \(message)" }
}

/// Reads audio through libsndfile, streaming in fixed-size chunks so memory does not
/// grow with the length of the message.
public struct AudioProbe: Sendable {
    public let chunkFrames: Int

    public init(chunkFrames: Int = 4096) {
        self.chunkFrames = max(chunkFrames, 256)
    }

    /// Headerless formats Asterisk writes, told apart only by extension (all 8 kHz mono
    /// unless named otherwise).
    static func rawFormat(forExtension ext: String) -> (format: Int32, rate: Int32, name: String)? {
        let raw = Int32(SF_FORMAT_RAW)
        switch ext.lowercased() {
        case "gsm": return (raw | Int32(SF_FORMAT_GSM610), 8000, "gsm")
        case "ulaw", "ul", "mu", "ulw", "pcm": return (raw | Int32(SF_FORMAT_ULAW), 8000, "ulaw")
        case "alaw", "al": return (raw | Int32(SF_FORMAT_ALAW), 8000, "alaw")
        case "sln", "slin", "raw": return (raw | Int32(SF_FORMAT_PCM_16) | Int32(SF_ENDIAN_LITTLE), 8000, "sln")
        case "sln16": return (raw | Int32(SF_FORMAT_PCM_16) | Int32(SF_ENDIAN_LITTLE), 16000, "sln16")
        default: return nil
        }
    }

    public func probe(_ url: URL) throws(AudioProbeError) -> AudioInfo {
        let path = url.path
        var info = SF_INFO()
        var rawName: String?
        if let raw = Self.rawFormat(forExtension: url.pathExtension) {
            info.format = raw.format
            info.samplerate = raw.rate
            info.channels = 1
            rawName = raw.name
        }
        // Say plainly what an empty file is (libsndfile would call it unrecognised, or
        // "read" a raw one as zero frames).
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size == 0 {
            throw AudioProbeError(path: path, message: "is empty (0 bytes)")
        }
        guard let file = sf_open(path, Int32(SFM_READ), &info) else {
            let reason = String(cString: sf_strerror(nil))
            throw AudioProbeError(path: path, message: "cannot be read as audio (libsndfile: \(reason))")
        }
        defer { sf_close(file) }
        guard info.channels > 0, info.samplerate > 0, info.channels <= 64, info.samplerate <= 768_000 else {
            throw AudioProbeError(
                path: path, message: "has an impossible header (\(info.channels) channels at \(info.samplerate) Hz)")
        }

        let channels = Int(info.channels)
        var analysis = SpeechAnalysis(sampleRate: Int(info.samplerate))
        var buffer = [Float](repeating: 0, count: chunkFrames * channels)
        var frames: Int64 = 0
        while true {
            let read = buffer.withUnsafeMutableBufferPointer { pointer in
                sf_readf_float(file, pointer.baseAddress, sf_count_t(chunkFrames))
            }
            if read <= 0 { break }
            frames += read
            buffer.withUnsafeBufferPointer { pointer in
                for frame in 0..<Int(read) {
                    var sum: Float = 0
                    for channel in 0..<channels { sum += pointer[frame * channels + channel] }
                    analysis.add(sum / Float(channels))
                }
            }
        }
        if sf_error(file) != 0 {
            let reason = String(cString: sf_strerror(file))
            throw AudioProbeError(path: path, message: "could not be decoded after \(frames) frames (libsndfile: \(reason))")
        }
        let result = analysis.finish()
        let rate = Int(info.samplerate)
        return AudioInfo(
            format: rawName ?? Self.formatName(info.format), sampleRate: rate, channels: channels, frames: frames,
            durationSeconds: Double(frames) / Double(rate), peak: result.peak, rms: result.rms,
            speechSeconds: result.speechSeconds, silent: result.speechSeconds < SpeechAnalysis.minimumSpeechSeconds)
    }

    static func formatName(_ format: Int32) -> String {
        let major = Int(format) & Int(SF_FORMAT_TYPEMASK)
        let subtype = Int(format) & Int(SF_FORMAT_SUBMASK)
        let encodings: [Int: String] = [
            Int(SF_FORMAT_PCM_S8): "pcm8", Int(SF_FORMAT_PCM_U8): "pcm8", Int(SF_FORMAT_PCM_16): "pcm16",
            Int(SF_FORMAT_PCM_24): "pcm24", Int(SF_FORMAT_PCM_32): "pcm32", Int(SF_FORMAT_FLOAT): "float",
            Int(SF_FORMAT_DOUBLE): "double", Int(SF_FORMAT_ULAW): "ulaw", Int(SF_FORMAT_ALAW): "alaw",
            Int(SF_FORMAT_GSM610): "gsm610", Int(SF_FORMAT_IMA_ADPCM): "ima-adpcm", Int(SF_FORMAT_MS_ADPCM): "ms-adpcm",
            Int(SF_FORMAT_G721_32): "g721", Int(SF_FORMAT_VORBIS): "vorbis", Int(SF_FORMAT_OPUS): "opus",
        ]
        let encoding = encodings[subtype] ?? String(format: "0x%04x", subtype)
        switch major {
        case Int(SF_FORMAT_WAV), Int(SF_FORMAT_WAVEX), Int(SF_FORMAT_RF64): return "wav-" + encoding
        case Int(SF_FORMAT_FLAC): return "flac"
        case Int(SF_FORMAT_OGG): return "ogg-" + encoding
        case Int(SF_FORMAT_MPEG): return "mp3"
        case Int(SF_FORMAT_AIFF): return "aiff-" + encoding
        case Int(SF_FORMAT_AU): return "au-" + encoding
        default: return String(format: "0x%06x-", major) + encoding
        }
    }
}
