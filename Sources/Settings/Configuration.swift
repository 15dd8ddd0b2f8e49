import BusinessTime
import Domain
import Foundation
import Spool
import SpokenAudio

/// Everything `callbacks.yaml` says, validated, with the built-in defaults filled in.
public struct Configuration: Sendable {
    /// The file it was read from; nil for the built-in defaults.
    public var file: String?
    public var business: Business
    public var callbacks: CallbackPolicy
    public var spool: SpoolSettings
    public var storage: Storage
    public var phone: Phone
    public var owner: Owner
    public var escalation: Escalation
    public var greeting: GreetingSettings
    public var http = HTTPSettings()
    public var transcription = TranscriptionSettings()
    /// Phrases whose appearance in a message's transcript makes it urgent or a complaint.
    public var content = ContentRules.defaults
    /// Who takes callbacks when, and how long a call is taken to last until enough have
    /// ended to learn it (DESIGN §10).
    public var staffing = StaffingSettings()

    public struct StaffingSettings: Sendable {
        /// From `staffing.mon` … `sun`, over the business's holidays; nil: one person
        /// whenever the business is open.
        public var schedule: Staffing?
        /// `staffing.handling`: the prior, in seconds (6 minutes unless set).
        public var handling = 360

        public init(schedule: Staffing? = nil, handling: Int = 360) {
            self.schedule = schedule
            self.handling = handling
        }
    }

    /// Who takes callbacks: `staffing`, or one person during business hours.
    public var staffingSchedule: Staffing { staffing.schedule ?? Staffing(onePersonDuring: business.hours) }

    /// Machine transcripts of messages, made on this machine (docs/transcription.md).
    public struct TranscriptionSettings: Sendable, Equatable {
        /// Whether `serve` runs the transcriber (when it is installed).
        public var enabled = true
        /// `tiny.en` (shipped with the transcriber), or the folder of a CTranslate2 Whisper model.
        public var model = "tiny.en"
        /// CPU threads the transcriber may use, for one message at a time.
        public var threads = 1
        public var language = "en"
        /// The Python that has the transcriber (`afterhours_transcriber`) installed.
        public var python = "python3"
    }

    /// `http:` — where `serve` answers the API and the pages.
    public struct HTTPSettings: Sendable, Equatable {
        /// Absent: no HTTP.
        public var listen: Listen?
        /// The base of links in sign-in links and notifications; nil: no links.
        public var publicURL: String?
        public var tls: TLS?
        /// Seconds a push's `Idempotency-Key` and its answer are kept, then purged (7 days).
        public var idempotencyWindow = 168 * 3600

        public init() {}

        public struct Listen: Sendable, Equatable, CustomStringConvertible {
            public var host: String
            public var port: Int

            /// `127.0.0.1:8480`, `[::]:8480`, `localhost:0` (any free port); nil when the text
            /// is not HOST:PORT or the port is outside 0–65535 (`portInRange` tells which).
            public init?(_ text: String) {
                guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port)
                else { return nil }
                var host = String(text[..<colon])
                if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
                guard !host.isEmpty else { return nil }
                self.host = host
                self.port = port
            }

            public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

            /// HOST:PORT with a port number outside 0–65535 (`127.0.0.1:99999`).
            public static func portOutOfRange(_ text: String) -> Bool {
                guard let colon = text.lastIndex(of: ":"), colon != text.startIndex else { return false }
                let digits = text[text.index(after: colon)...]
                return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber) && Int(digits).map { $0 > 65535 } ?? true
            }
        }

        public struct TLS: Sendable, Equatable {
            public var certificate: String
            public var key: String
        }
    }

    public struct Business: Sendable {
        public var name: String
        public var hours: BusinessHours
    }

    public struct SpoolSettings: Sendable, Equatable {
        public enum Layout: String, Sendable, CaseIterable { case auto, asterisk, sidecar }
        public var path: String
        public var layout: Layout
        /// Copy files into the archive instead of moving them out of the spool.
        public var keepOriginals: Bool
        public var archive: String
        public var quarantine: String
        /// Files must have been unchanged this long (seconds) before they are read: the
        /// PBX may still be writing or copying them.
        public var settle: Int = 2
        /// An unfinished recording (0 frames, header sizes not yet set) or a `.txt` with no
        /// audio is waited for this long (seconds), then ingested with its error.
        public var giveUpAfter: Int = 600
        /// Audio extensions in order of preference for probing.
        public var audioPreference: [String] = AsteriskSpool.defaultAudioPreference
        /// How often `serve` rescans the whole spool even without file events (seconds).
        public var rescan: Int = 30
        /// The Asterisk folders whose messages are queued; the others' are stored only.
        public var queueFolders: [String] = IntakeRules.defaultQueueFolders
    }

    public struct Storage: Sendable, Equatable {
        public var database: String
        /// How long a command waits for the first connection to PostgreSQL (seconds).
        public var connectTimeout: Int = 5

        /// `database` as it may be shown: a PostgreSQL URL's password as `***`.
        public var shownDatabase: String { DatabaseURL.redacted(database) }
    }

    public struct Phone: Sendable, Equatable {
        /// ISO 3166 region for numbers written without a country code.
        public var defaultRegion: String
    }

    public struct Owner: Sendable, Equatable {
        /// Who has the owner role on the command line (`--as` or the login name): they see
        /// and act on callbacks from the owner's line; to everyone else those do not exist.
        public var people: [String] = []
        /// Mailboxes that are the owner's private line.
        public var mailboxes: [String]
        public var notify: [NotificationChannel]
    }

    public enum NotificationChannel: Sendable, Equatable {
        case webhook(URL)
        case command(String)
        case email(String)
    }

    /// The spoken greeting `serve` keeps up to date for the PBX to play.
    public struct GreetingSettings: Sendable, Equatable {
        /// Where to keep it (e.g. Asterisk's sounds folder); nil: the service keeps none.
        public var folder: String?
        /// File name without extension: `afterhours-greeting` → `afterhours-greeting.wav`.
        public var name: String = "afterhours-greeting"
        /// Which recordings to keep: `wav` (PCM) and/or `ulaw`.
        public var formats: [String] = PromptFormat.allCases.map(\.rawValue)
        /// An espeak-ng voice name.
        public var voice: String = "en-us"
        /// Words per minute.
        public var speed: Int = 150
    }

    public struct Escalation: Sendable, Equatable {
        public var repeatCalls: Int
        /// Wall-clock seconds in which `repeatCalls` messages escalate.
        public var repeatWindow: Int
        public var onBreach: Bool
        public var vip: [PhoneNumber]
    }

    /// Where the paths go when no key names them and there is no configuration file at
    /// all: absolute, so the defaults never depend on the folder a command runs in.
    public static let defaultSpool = "/var/spool/asterisk/voicemail"
    public static let defaultStateFolder = "/var/lib/afterhours"

    /// The built-in defaults with no file (docs/configuration.md): spool
    /// `/var/spool/asterisk/voicemail`, database, archive and quarantine under
    /// `/var/lib/afterhours`, Mon–Fri 09:00–17:00 in the machine's time zone, respond within
    /// 2 business hours. A file's own defaults are in its folder (`parse`).
    public static func builtIn(timeZone: TimeZone = .current) -> Configuration {
        Configuration(
            file: nil,
            business: Business(name: "our office", hours: .standard(timeZone: timeZone)),
            callbacks: CallbackPolicy(),
            spool: SpoolSettings(
                path: defaultSpool, layout: .auto, keepOriginals: false, archive: defaultStateFolder + "/archive",
                quarantine: defaultStateFolder + "/quarantine"),
            storage: Storage(database: defaultStateFolder + "/afterhours.sqlite"),
            phone: Phone(defaultRegion: "US"),
            owner: Owner(mailboxes: [], notify: []),
            escalation: Escalation(repeatCalls: 3, repeatWindow: 86_400, onBreach: true, vip: []),
            greeting: GreetingSettings())
    }
}

/// A configuration that cannot be used: the file, the key and what is wrong.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let line: Int?
    public let key: String?
    public let problem: String

    public init(file: String, line: Int? = nil, key: String? = nil, problem: String) {
        self.file = file
        self.line = line
        self.key = key
        self.problem = problem
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return key.map { "\(place): \($0): \(problem)" } ?? "\(place): \(problem)"
    }
}

extension Configuration {
    /// The owner's line, VIPs, repeat callers and breaches, as the store applies them.
    public var escalationRules: EscalationRules {
        EscalationRules(
            ownerMailboxes: Set(owner.mailboxes), vip: Set(escalation.vip), repeatCalls: escalation.repeatCalls,
            repeatWindow: escalation.repeatWindow, onBreach: escalation.onBreach)
    }

    /// Which messages are queued: `spool.queue_folders` and `callbacks.silent`.
    public var intakeRules: IntakeRules {
        IntakeRules(queueFolders: spool.queueFolders, queueSilent: callbacks.queueSilent)
    }

    /// Every configured notification channel as the outbox names it.
    public var notificationChannels: [String] { owner.notify.map(\.identifier) }
}

extension Configuration.NotificationChannel {
    /// `webhook:URL`, `command:PATH` or `email:ADDRESS`.
    public var identifier: String {
        switch self {
        case .webhook(let url): "webhook:\(url.absoluteString)"
        case .command(let path): "command:\(path)"
        case .email(let address): "email:\(address)"
        }
    }

    public init?(identifier: String) {
        guard let colon = identifier.firstIndex(of: ":") else { return nil }
        let value = String(identifier[identifier.index(after: colon)...])
        switch identifier[..<colon] {
        case "webhook": guard let url = URL(string: value) else { return nil }; self = .webhook(url)
        case "command": self = .command(value)
        case "email": self = .email(value)
        default: return nil
        }
    }
}
