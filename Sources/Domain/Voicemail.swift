import Foundation

/// One recorded message, as found in the spool, before it is stored.
public struct Voicemail: Sendable, Equatable {
    /// Stable identity across renumbering, rewrites and re-runs (see `VoicemailIdentity`).
    public var identity: String
    /// When the caller left it (Asterisk `origtime`).
    public var receivedAt: Date
    /// The mailbox (extension) it was left on, and the voicemail context it lives in.
    public var mailbox: String
    public var context: String
    /// The PBX folder it was found in (`INBOX`, `Urgent`, `Old`, …).
    public var folder: String
    /// Flagged urgent by the caller or found in the `Urgent` folder.
    public var urgent: Bool
    public var caller: Caller
    /// The PBX's own message id (Asterisk `msg_id`), if it wrote one.
    public var pbxMessageID: String?
    /// What libsndfile read from the audio; nil when it could not be read (see `audioError`).
    public var audio: AudioSummary?
    /// Why the audio could not be read, in one sentence.
    public var audioError: String?

    public init(
        identity: String, receivedAt: Date, mailbox: String, context: String, folder: String,
        urgent: Bool, caller: Caller, pbxMessageID: String?, audio: AudioSummary?,
        audioError: String?
    ) {
        self.identity = identity
        self.receivedAt = receivedAt
        self.mailbox = mailbox
        self.context = context
        self.folder = folder
        self.urgent = urgent
        self.caller = caller
        self.pbxMessageID = pbxMessageID
        self.audio = audio
        self.audioError = audioError
    }
}

/// The facts about a message's audio the queue cares about.
public struct AudioSummary: Sendable, Equatable, Codable {
    public var format: String
    public var sampleRate: Int
    public var channels: Int
    public var frames: Int64
    public var durationSeconds: Double
    public var peak: Double
    public var rms: Double
    public var speechSeconds: Double
    public var silent: Bool

    public init(
        format: String, sampleRate: Int, channels: Int, frames: Int64, durationSeconds: Double,
        peak: Double, rms: Double, speechSeconds: Double, silent: Bool
    ) {
        self.format = format
        self.sampleRate = sampleRate
        self.channels = channels
        self.frames = frames
        self.durationSeconds = durationSeconds
        self.peak = peak
        self.rms = rms
        self.speechSeconds = speechSeconds
        self.silent = silent
    }
}

/// A message as stored: the voicemail plus where its audio now lives.
public struct StoredVoicemail: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var callbackID: Int64
    public var voicemail: Voicemail
    /// The audio's path in the archive, or nil if it was quarantined.
    public var audioPath: String?
    /// The folder its files were put aside in when its audio could not be read.
    public var quarantinePath: String?
    /// Its machine transcript and where that work stands.
    public var transcript: MessageTranscript
    /// Stored from a blocked number: kept from staff, the owner's to see.
    public var blocked: Bool

    public init(
        id: Int64, callbackID: Int64, voicemail: Voicemail, audioPath: String?, quarantinePath: String? = nil,
        transcript: MessageTranscript = .pending, blocked: Bool = false
    ) {
        self.id = id
        self.callbackID = callbackID
        self.voicemail = voicemail
        self.audioPath = audioPath
        self.quarantinePath = quarantinePath
        self.transcript = transcript
        self.blocked = blocked
    }
}
