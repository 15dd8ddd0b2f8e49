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
    /// Frames the levels and speech were measured on: all of them, or a systematic sample
    /// of a long message (see `AudioProbe.Sampling`).
    public var analysedFrames: Int64
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
    /// How long messages are analysed; nil decodes every sample.
    public let sampling: Sampling?

    /// Analysing a systematic sample of a long message: `windowSeconds` of every
    /// `strideSeconds`, for messages longer than `minimumSeconds` whose length the header
    /// states exactly (WAV, FLAC and raw files: by seeking, or by block windows for GSM).
    /// Levels and speech come from the sample (speech scaled to the whole) when it holds
    /// at least `confirmSpeechSeconds` of speech; a message with less, or shorter than its
    /// header says, is decoded in full instead.
    public struct Sampling: Sendable, Equatable {
        public var windowSeconds: Int
        public var strideSeconds: Int
        public var minimumSeconds: Int
        /// Speech the sample must hold to stand for the whole message; with less, the
        /// message is decoded in full.
        public var confirmSpeechSeconds: Double

        public init(windowSeconds: Int = 1, strideSeconds: Int = 8, minimumSeconds: Int = 12, confirmSpeechSeconds: Double = 1) {
            self.windowSeconds = windowSeconds
            self.strideSeconds = max(strideSeconds, windowSeconds)
            self.minimumSeconds = minimumSeconds
            self.confirmSpeechSeconds = confirmSpeechSeconds
        }
    }

    public init(chunkFrames: Int = 4096, sampling: Sampling? = nil) {
        self.chunkFrames = max(chunkFrames, 256)
        self.sampling = sampling
    }

    /// Whether a sample can be taken by seeking: WAV, raw and FLAC headers state the
    /// length exactly (Ogg and MP3 only estimate it), and seeking must land where it says.
    /// libsndfile 1.2.0's GSM 6.10 seek computes the byte offset from samples per block
    /// instead of bytes per block, so GSM is sampled by `BlockWindows` instead.
    static func canSeek(_ format: Int32) -> Bool {
        let major = Int(format) & Int(SF_FORMAT_TYPEMASK)
        let subtype = Int(format) & Int(SF_FORMAT_SUBMASK)
        return [Int(SF_FORMAT_WAV), Int(SF_FORMAT_WAVEX), Int(SF_FORMAT_RAW), Int(SF_FORMAT_FLAC)].contains(major)
            && subtype != Int(SF_FORMAT_GSM610)
    }

    /// Headerless formats Asterisk writes, told apart only by extension (all 8 kHz mono
    /// unless named otherwise).
    public static func rawFormat(forExtension ext: String) -> (format: Int32, rate: Int32, name: String)? {
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
        var status = stat()
        let size = stat(path, &status) == 0 ? Int64(status.st_size) : nil
        if size == 0 {
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
        let rate = Int(info.samplerate)
        var reader = ChunkReader(file: file, channels: channels, chunkFrames: chunkFrames)
        var analysis = SpeechAnalysis(sampleRate: rate)
        var frames: Int64 = 0
        var sampledFrames: Int64 = 0
        if let plan = sampling, info.frames > Int64(rate) * Int64(plan.minimumSeconds),
            let sample = takeSample(file, info: info, path: path, size: size ?? 0, plan: plan)
        {
            // Only a sample with clear speech in it stands for the whole; anything less
            // (a long hang-up, hiss, a few words between the windows) is decoded in full,
            // so a message is never called silent because of where the windows fell.
            var decided = sample.analysis
            if decided.finish().speechSeconds >= plan.confirmSpeechSeconds {
                analysis = sample.analysis
                frames = info.frames
                sampledFrames = sample.frames
            }
        }
        if frames == 0 {
            frames = reader.read(upTo: .max, into: &analysis)
            sampledFrames = frames
        }
        if sf_error(file) != 0 {
            let reason = String(cString: sf_strerror(file))
            throw AudioProbeError(path: path, message: "could not be decoded after \(frames) frames (libsndfile: \(reason))")
        }
        var result = analysis.finish()
        if sampledFrames > 0, sampledFrames < frames {
            result.speechSeconds *= Double(frames) / Double(sampledFrames)
        }
        return AudioInfo(
            format: rawName ?? Self.formatName(info.format), sampleRate: rate, channels: channels, frames: frames,
            durationSeconds: Double(frames) / Double(rate), analysedFrames: sampledFrames, peak: result.peak, rms: result.rms,
            speechSeconds: result.speechSeconds, silent: result.speechSeconds < SpeechAnalysis.minimumSpeechSeconds)
    }

    /// A systematic sample of a long message, analysed: by seeking where libsndfile
    /// seeks exactly, by block windows for GSM 6.10. Nil when no exact sample can be
    /// taken (or the file is shorter than its header says); the handle is then back at
    /// the start, ready for a full decode.
    func takeSample(_ file: OpaquePointer, info: SF_INFO, path: String, size: Int64, plan: Sampling) -> (analysis: SpeechAnalysis, frames: Int64)? {
        let rate = Int64(info.samplerate)
        let channels = Int(info.channels)
        var analysis = SpeechAnalysis(sampleRate: Int(rate))
        if Self.canSeek(info.format) {
            var reader = ChunkReader(file: file, channels: channels, chunkFrames: chunkFrames)
            let window = rate * Int64(plan.windowSeconds)
            let stride = rate * Int64(plan.strideSeconds)
            var position: Int64 = 0
            var sampled: Int64 = 0
            while position < info.frames {
                let wanted = min(window, info.frames - position)
                guard sf_seek(file, sf_count_t(position), SEEK_SET) == position,
                    reader.read(upTo: wanted, into: &analysis) == wanted
                else {
                    // Shorter than its header says (truncated): measure it the long way.
                    _ = sf_seek(file, 0, SEEK_SET)
                    return nil
                }
                sampled += wanted
                position += stride
            }
            _ = sf_seek(file, 0, SEEK_SET)
            return (analysis, sampled)
        }
        guard Int(info.format) & Int(SF_FORMAT_SUBMASK) == Int(SF_FORMAT_GSM610), channels == 1, size > 0 else { return nil }
        let major = Int(info.format) & Int(SF_FORMAT_TYPEMASK)
        let layout: BlockWindows.Layout? =
            major == Int(SF_FORMAT_RAW) ? .rawGSM(fileSize: size)
            : major == Int(SF_FORMAT_WAV) ? .wav49(path: path, fileSize: size) : nil
        guard let layout, layout.blocks * layout.framesPerBlock >= info.frames - layout.framesPerBlock else { return nil }
        let windowBlocks = max(1, rate * Int64(plan.windowSeconds) / layout.framesPerBlock)
        let strideBlocks = max(windowBlocks, rate * Int64(plan.strideSeconds) / layout.framesPerBlock)
        guard let windows = BlockWindows(path: path, layout: layout, windowBlocks: windowBlocks, strideBlocks: strideBlocks)
        else { return nil }
        var sampleInfo = SF_INFO()
        if layout.header.isEmpty {
            sampleInfo.format = info.format
            sampleInfo.samplerate = info.samplerate
            sampleInfo.channels = info.channels
        }
        // libsndfile reads through `windows` until the handle is closed.
        return withExtendedLifetime(windows) { () -> (analysis: SpeechAnalysis, frames: Int64)? in
            guard let sample = windows.openSample(&sampleInfo) else { return nil }
            defer { sf_close(sample) }
            var reader = ChunkReader(file: sample, channels: channels, chunkFrames: chunkFrames)
            let read = reader.read(upTo: .max, into: &analysis)
            guard read == windows.sampledBlocks * layout.framesPerBlock, sf_error(sample) == 0 else { return nil }
            return (analysis, read)
        }
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

/// Reads frames in fixed-size chunks through one reused buffer, mixing channels to mono
/// for the analysis.
struct ChunkReader {
    let file: OpaquePointer
    let channels: Int
    let chunkFrames: Int
    private var buffer: [Float]

    init(file: OpaquePointer, channels: Int, chunkFrames: Int) {
        self.file = file
        self.channels = channels
        self.chunkFrames = chunkFrames
        buffer = [Float](repeating: 0, count: chunkFrames * channels)
    }

    /// Reads up to `limit` frames (to the end for `.max`); returns how many were read.
    mutating func read(upTo limit: Int64, into analysis: inout SpeechAnalysis) -> Int64 {
        var total: Int64 = 0
        let channels = channels
        while total < limit {
            let wanted = sf_count_t(min(Int64(chunkFrames), limit - total))
            let read = buffer.withUnsafeMutableBufferPointer { sf_readf_float(file, $0.baseAddress, wanted) }
            if read <= 0 { break }
            total += read
            buffer.withUnsafeBufferPointer { pointer in
                if channels == 1 {
                    for frame in 0..<Int(read) { analysis.add(pointer[frame]) }
                } else {
                    for frame in 0..<Int(read) {
                        var sum: Float = 0
                        for channel in 0..<channels { sum += pointer[frame * channels + channel] }
                        analysis.add(sum / Float(channels))
                    }
                }
            }
        }
        return total
    }
}
