import BusinessTime
import Domain
import Foundation
import SpokenAudio
internal import Yams

extension Configuration {
    /// Where the configuration comes from (docs/reference.md): `--config`, else
    /// `$CALLBACKS_CONFIG`, else `./callbacks.yaml`, else `/etc/afterhours/callbacks.yaml`,
    /// else the built-in defaults.
    public static func locate(explicit: String?, environment: [String: String]) -> String? {
        if let explicit { return explicit }
        if let fromEnvironment = environment["CALLBACKS_CONFIG"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return ["callbacks.yaml", "/etc/afterhours/callbacks.yaml"].first {
            FileManager.default.fileExists(atPath: $0)
        }
    }

    /// Loads and validates the configuration found as `locate` says.
    public static func load(explicit: String?, environment: [String: String]) throws(ConfigurationError) -> Configuration {
        guard let path = locate(explicit: explicit, environment: environment) else { return .builtIn() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, problem: "cannot be read (missing or not permitted)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, problem: "is not UTF-8 text")
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses YAML text. Relative paths in it are resolved against the file's folder, so a
    /// configuration means the same wherever the command is run from.
    public static func parse(yaml: String, file: String) throws(ConfigurationError) -> Configuration {
        let root: Node?
        do {
            // Every value is read as text and checked here, so the basic resolver (no
            // regular expressions to compile at start-up) is all that is needed.
            root = try Yams.compose(yaml: yaml, .basic)
        } catch {
            throw syntaxError(error, yaml: yaml, file: file)
        }
        var configuration = Configuration.builtIn()
        let location = URL(fileURLWithPath: file).standardizedFileURL
        configuration.file = location.path
        let base = location.deletingLastPathComponent()
        // Paths no key names are in the file's folder too: the same file means the same
        // database and spool whichever folder a command runs in.
        let inFolder = { (relative: String) in base.appendingPathComponent(relative).standardizedFileURL.path }
        configuration.spool.path = inFolder("var/spool")
        configuration.spool.archive = inFolder("var/archive")
        configuration.spool.quarantine = inFolder("var/quarantine")
        configuration.storage.database = inFolder("var/afterhours.sqlite")
        guard let root else { return configuration }
        let document = try Section(root, key: nil, file: file)
        try document.allowKeys(["business", "callbacks", "spool", "storage", "phone", "owner", "escalation", "greeting", "http", "transcription", "content", "staffing"])

        if let business = try document.section("business") { try readBusiness(business, into: &configuration, base: base, file: file) }
        if let callbacks = try document.section("callbacks") { try readCallbacks(callbacks, into: &configuration, base: base, file: file) }
        if let spool = try document.section("spool") { try readSpool(spool, into: &configuration, base: base, file: file) }
        if let storage = try document.section("storage") { try readStorage(storage, into: &configuration, base: base, file: file) }
        if let phone = try document.section("phone") { try readPhone(phone, into: &configuration, base: base, file: file) }
        if let owner = try document.section("owner") { try readOwner(owner, into: &configuration, base: base, file: file) }
        if let escalation = try document.section("escalation") { try readEscalation(escalation, into: &configuration, base: base, file: file) }
        if let http = try document.section("http") { try readHTTP(http, into: &configuration, base: base, file: file) }
        if let greeting = try document.section("greeting") { try readGreeting(greeting, into: &configuration, base: base, file: file) }
        if let transcription = try document.section("transcription") {
            configuration.transcription = try readTranscription(transcription, base: base)
        }
        if let content = try document.section("content") { try readContent(content, into: &configuration, base: base, file: file) }
        // After `business`, whose holidays close it.
        if let staffing = try document.section("staffing") { try readStaffing(staffing, into: &configuration) }
        return configuration
    }

    /// `business:`.
    private static func readBusiness(_ business: Section, into configuration: inout Configuration, base: URL, file: String)
        throws(ConfigurationError)
    {
        try business.allowKeys(["name", "timezone", "hours", "holidays"])
        configuration.business.name = try business.string("name") ?? configuration.business.name
        configuration.business.hours = try readHours(business, file: file)
    }

    /// `callbacks:`.
    private static func readCallbacks(_ callbacks: Section, into configuration: inout Configuration, base: URL, file: String)
        throws(ConfigurationError)
    {
        try callbacks.allowKeys(["respond_within", "urgent_within", "retry_after", "max_attempts", "claim_lease", "silent"])
        var policy = configuration.callbacks
        policy.respondWithin = try callbacks.duration("respond_within") ?? policy.respondWithin
        policy.urgentWithin = try callbacks.duration("urgent_within") ?? policy.urgentWithin
        policy.retryAfter =
            try callbacks.positiveDuration("retry_after", "a callback with no answer would be served again at once")
            ?? policy.retryAfter
        policy.claimLease =
            try callbacks.positiveDuration("claim_lease", "a claim would lapse as soon as it is made, and two people could call the same caller")
            ?? policy.claimLease
        policy.maxAttempts = try callbacks.positiveInt("max_attempts") ?? policy.maxAttempts
        if let silent = try callbacks.oneOf("silent", ["queue", "skip"]) { policy.queueSilent = silent == "queue" }
        configuration.callbacks = policy
    }

    /// This configuration with the `staffing:` section of another YAML file (`callbacks
    /// simulate --staffing FILE`), validated as in `callbacks.yaml`, over these business hours.
    public func withStaffing(fromFile path: String) throws(ConfigurationError) -> Configuration {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(file: path, problem: "cannot be read as UTF-8 text (missing or not permitted)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .basic)
        } catch {
            throw Self.syntaxError(error, yaml: text, file: path)
        }
        guard let root else { throw ConfigurationError(file: path, problem: "is empty; it needs a staffing: section") }
        let document = try Section(root, key: nil, file: path)
        try document.allowKeys(["staffing"])
        guard let section = try document.section("staffing") else {
            throw ConfigurationError(file: path, problem: "has no staffing: section")
        }
        var configuration = self
        configuration.staffing = StaffingSettings()
        try Self.readStaffing(section, into: &configuration)
        return configuration
    }

    /// `staffing:`: per weekday, intervals with how many take callbacks, and the prior
    /// handling time.
    private static func readStaffing(_ staffing: Section, into configuration: inout Configuration) throws(ConfigurationError) {
        try staffing.allowKeys(Set(Weekday.allCases.map(\.key) + ["handling"]))
        configuration.staffing.handling =
            try staffing.positiveDuration("handling", "every call would be taken to need no time, and every caller promised the deadline")
            ?? configuration.staffing.handling
        var weekly: [Weekday: [StaffedInterval]] = [:]
        var given = false
        for day in Weekday.allCases where staffing.mapping[day.key] != nil {
            weekly[day] = try staffing.staffedIntervals(day.key)
            given = true
        }
        guard given else { return }
        do {
            configuration.staffing.schedule = try Staffing(weekly: weekly, hours: configuration.business.hours)
        } catch {
            let key = error.key.hasPrefix("staffing.") ? String(error.key.dropFirst("staffing.".count)) : nil
            throw ConfigurationError(
                file: staffing.file, line: key.map { staffing.keyLine($0) } ?? staffing.line, key: key.map { staffing.childKey($0) } ?? staffing.key,
                problem: error.message)
        }
    }

    /// `spool:`.
    private static func readSpool(_ spool: Section, into configuration: inout Configuration, base: URL, file: String)
        throws(ConfigurationError)
    {
        try spool.allowKeys(["path", "layout", "keep_originals", "archive", "quarantine", "settle", "give_up_after", "audio_preference", "rescan", "queue_folders"])
        var settings = configuration.spool
        settings.path = try spool.path("path", base: base) ?? settings.path
        settings.archive = try spool.path("archive", base: base) ?? settings.archive
        settings.quarantine = try spool.path("quarantine", base: base) ?? settings.quarantine
        settings.keepOriginals = try spool.bool("keep_originals") ?? settings.keepOriginals
        settings.settle = try spool.duration("settle") ?? settings.settle
        settings.giveUpAfter = try spool.duration("give_up_after") ?? settings.giveUpAfter
        settings.rescan = try spool.positiveDuration("rescan", "the spool would be rescanned without a pause") ?? settings.rescan
        if let preference = try spool.strings("audio_preference") {
            guard !preference.isEmpty else { throw spool.error("audio_preference", "should list at least one extension") }
            settings.audioPreference = preference
        }
        if let folders = try spool.strings("queue_folders") {
            guard !folders.isEmpty else {
                throw spool.error("queue_folders", "should list at least one folder, such as [INBOX, Urgent]")
            }
            for (index, folder) in folders.enumerated() {
                guard !folder.isEmpty, !folder.contains("/"), folder != ".", folder != ".." else {
                    throw spool.error("queue_folders[\(index)]", "\"\(folder)\" is not a folder name such as INBOX, Urgent or Old")
                }
                if let first = folders[..<index].firstIndex(where: { $0.caseInsensitiveCompare(folder) == .orderedSame }) {
                    throw spool.error("queue_folders[\(index)]", "\(folder) is already listed as queue_folders[\(first)]; give each folder once")
                }
            }
            settings.queueFolders = folders
        }
        if let layout = try spool.oneOf("layout", SpoolSettings.Layout.allCases.map(\.rawValue)) {
            settings.layout = SpoolSettings.Layout(rawValue: layout) ?? .auto
        }
        configuration.spool = settings
    }

    /// `storage:`.
    private static func readStorage(_ storage: Section, into configuration: inout Configuration, base: URL, file: String)
        throws(ConfigurationError)
    {
        try storage.allowKeys(["database", "connect_timeout"])
        configuration.storage.connectTimeout =
            try storage.positiveDuration("connect_timeout", "a command would give up on PostgreSQL at once") ?? configuration.storage.connectTimeout
        // A PostgreSQL URL (DESIGN §9) is taken as written; anything else is a SQLite file.
        if let url = try storage.string("database"), url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") {
            configuration.storage.database = url
        } else {
            configuration.storage.database = try storage.path("database", base: base) ?? configuration.storage.database
        }
    }

    /// `phone:`.
    private static func readPhone(_ phone: Section, into configuration: inout Configuration, base: URL, file: String)
        throws(ConfigurationError)
    {
        try phone.allowKeys(["default_region"])
        if let region = try phone.string("default_region") {
            guard region.count == 2, region.allSatisfy(\.isLetter) else {
                throw phone.error("default_region", "\"\(region)\" is not a two-letter region code such as US or GB")
            }
            // An unknown region would silently read every national number as North American.
            guard PhoneNumber.knownRegions.contains(region.uppercased()) else {
                throw phone.error(
                    "default_region", "\"\(region)\" is not a region whose numbers Afterhours knows; known: \(PhoneNumber.knownRegions.joined(separator: ", "))")
            }
            configuration.phone.defaultRegion = region.uppercased()
        }
    }

    /// `owner:`.
    private static func readOwner(_ owner: Section, into configuration: inout Configuration, base: URL, file: String)
        throws(ConfigurationError)
    {
        try owner.allowKeys(["mailboxes", "notify", "people"])
        configuration.owner.mailboxes = try owner.strings("mailboxes") ?? []
        configuration.owner.people = (try owner.strings("people") ?? [])
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        configuration.owner.notify = try readChannels(owner)
    }

    /// `escalation:`.
    private static func readEscalation(_ escalation: Section, into configuration: inout Configuration, base: URL, file: String)
        throws(ConfigurationError)
    {
        try escalation.allowKeys(["repeat_calls", "repeat_window", "on_breach", "vip"])
        var rules = configuration.escalation
        rules.repeatCalls = try escalation.positiveInt("repeat_calls") ?? rules.repeatCalls
        rules.repeatWindow =
            try escalation.positiveDuration("repeat_window", "no two messages would ever count as repeat calls")
            ?? rules.repeatWindow
        rules.onBreach = try escalation.bool("on_breach") ?? rules.onBreach
        let region = configuration.phone.defaultRegion
        rules.vip = try (escalation.strings("vip") ?? []).enumerated().map { index, raw throws(ConfigurationError) in
            guard let number = PhoneNumber.normalise(raw, defaultRegion: region) else {
                throw escalation.error("vip[\(index)]", "\"\(raw)\" is not a phone number")
            }
            return number
        }
        configuration.escalation = rules
    }

    /// `http:`.
    private static func readHTTP(_ http: Section, into configuration: inout Configuration, base: URL, file: String)
        throws(ConfigurationError)
    {
        try http.allowKeys(["listen", "public_url", "tls", "idempotency_window"])
        configuration.http.idempotencyWindow =
            try http.positiveDuration("idempotency_window", "a retried push would be stored again")
            ?? configuration.http.idempotencyWindow
        if let listen = try http.string("listen") {
            guard let address = HTTPSettings.Listen(listen) else {
                if HTTPSettings.Listen.portOutOfRange(listen) {
                    throw http.error("listen", "\"\(listen)\": port out of range (1–65535; 0 picks any free port)")
                }
                throw http.error("listen", "\"\(listen)\" is not HOST:PORT, such as 127.0.0.1:8480 or [::]:8480")
            }
            configuration.http.listen = address
        }
        if let url = try http.string("public_url") {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw http.error("public_url", "\"\(url)\" is not an http:// or https:// address")
            }
            configuration.http.publicURL = url
        }
        if let tls = try http.section("tls") {
            try tls.allowKeys(["certificate", "key"])
            guard let certificate = try tls.path("certificate", base: base), let key = try tls.path("key", base: base) else {
                throw http.error("tls", "needs both certificate and key")
            }
            configuration.http.tls = .init(certificate: certificate, key: key)
        }
    }

    /// `greeting:`.
    private static func readGreeting(_ greeting: Section, into configuration: inout Configuration, base: URL, file: String)
        throws(ConfigurationError)
    {
        try greeting.allowKeys(["folder", "name", "formats", "voice", "speed"])
        var settings = configuration.greeting
        settings.folder = try greeting.path("folder", base: base)
        if let name = try greeting.string("name") {
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
                throw greeting.error("name", "\"\(name)\" should be a plain file name without extension")
            }
            settings.name = name
        }
        if let formats = try greeting.strings("formats") {
            for (index, format) in formats.enumerated() where PromptFormat(rawValue: format) == nil {
                throw greeting.error("formats[\(index)]", "\"\(format)\" should be wav or ulaw")
            }
            guard !formats.isEmpty else { throw greeting.error("formats", "should list wav, ulaw or both") }
            settings.formats = formats
        }
        if let voice = try greeting.string("voice") {
            if let installed = EspeakVoices.installed, !installed.contains(voice) {
                throw greeting.error(
                    "voice",
                    "\"\(voice)\" is not an espeak-ng voice; use the name of a file in \(installed.folder)/lang, such as en-us, en or de")
            }
            settings.voice = voice
        }
        if let speed = try greeting.positiveInt("speed") {
            guard (80...450).contains(speed) else { throw greeting.error("speed", "\(speed) should be 80 to 450 words per minute") }
            settings.speed = speed
        }
        configuration.greeting = settings
    }

    /// `content:`.
    private static func readContent(_ content: Section, into configuration: inout Configuration, base: URL, file: String)
        throws(ConfigurationError)
    {
        try content.allowKeys(["urgent", "complaint"])
        var rules = configuration.content
        if let urgent = try content.strings("urgent") { rules.urgent = urgent }
        if let complaint = try content.strings("complaint") { rules.complaint = complaint }
        if let problem = rules.validationError() { throw content.error(nil, problem) }
        configuration.content = rules
    }

    private static func readTranscription(_ section: Section, base: URL) throws(ConfigurationError) -> Configuration.TranscriptionSettings {
        try section.allowKeys(["enabled", "model", "threads", "language", "python"])
        var settings = Configuration.TranscriptionSettings()
        if let enabled = try section.bool("enabled") { settings.enabled = enabled }
        if let model = try section.string("model"), !model.isEmpty {
            // A name the transcriber knows, or a model folder (relative to this file).
            settings.model = model.contains("/") ? (try section.path("model", base: base) ?? model) : model
        }
        if let threads = try section.positiveInt("threads") {
            guard threads <= 64 else { throw section.error("threads", "\(threads) is more threads than any machine here has; give 1 to 64") }
            settings.threads = threads
        }
        if let language = try section.string("language") {
            guard language.count == 2, language.allSatisfy({ $0.isASCII && $0.isLowercase }) else {
                throw section.error("language", "\"\(language)\" should be a two-letter language code such as en")
            }
            settings.language = language
        }
        if settings.model.hasSuffix(".en"), settings.language != "en" {
            throw section.error("language", "\(settings.model) understands English only; use language: en or another model")
        }
        if let python = try section.string("python"), !python.isEmpty {
            settings.python = python.contains("/") ? (try section.path("python", base: base) ?? python) : python
        }
        return settings
    }

    private static func readHours(_ business: Section, file: String) throws(ConfigurationError) -> BusinessHours {
        var timeZone = TimeZone.current
        if business.mapping["timezone"] != nil {
            // Present but empty would otherwise read as absent: the machine's zone, which is
            // right only by accident.
            guard let zoneName = try business.string("timezone"), !zoneName.isEmpty else {
                throw business.error(
                    "timezone", "is empty; write an IANA time zone such as America/New_York, or leave the key out for the machine's zone")
            }
            guard let zone = TimeZone(identifier: zoneName) else {
                throw business.error("timezone", "\"\(zoneName)\" is not an IANA time zone such as America/New_York")
            }
            timeZone = zone
        }
        var weekly: [Weekday: [OpeningInterval]] = [:]
        let hoursSection = try business.section("hours")
        if let hours = hoursSection {
            try hours.allowKeys(Set(Weekday.allCases.map(\.key)))
            for day in Weekday.allCases {
                weekly[day] = try hours.intervals(day.key)
            }
        } else {
            let nineToFive = try business.parse("hours", nil) { () throws(ScheduleError) in
                try OpeningInterval(parsing: "09:00-17:00")
            }
            for day in Weekday.allCases { weekly[day] = day.rawValue <= 5 ? [nineToFive] : [] }
        }
        var holidays: [LocalDate] = []
        var specialDays: [LocalDate: [OpeningInterval]] = [:]
        // Where each date is written, so a problem with it names its own entry.
        var entries: [LocalDate: HolidayEntry] = [:]
        for (index, node) in try business.sequence("holidays").enumerated() {
            let key = "holidays[\(index)]"
            let date: LocalDate
            var hoursLine: Int?
            var intervals: [OpeningInterval] = []
            if let text = node.scalar?.string {
                date = try business.parse(key, node) { () throws(ScheduleError) in try LocalDate(parsing: text) }
            } else if case .mapping = node {
                let entry = try Section(node, key: business.childKey(key), file: file)
                try entry.allowKeys(["date", "hours"])
                guard let dateText = try entry.string("date") else {
                    throw entry.error(nil, "needs a date (YYYY-MM-DD)")
                }
                date = try entry.parse("date", node) { () throws(ScheduleError) in try LocalDate(parsing: dateText) }
                intervals = try entry.intervals("hours")
                if !intervals.isEmpty { hoursLine = entry.keyLine("hours") }
            } else {
                throw business.error(key, "should be a date (YYYY-MM-DD) or {date, hours}")
            }
            // A second entry for a date, the same or not, would silently override the first.
            if let earlier = entries[date] {
                throw ConfigurationError(
                    file: file, line: node.mark?.line, key: business.childKey(key),
                    problem: "\(date) is already listed as \(earlier.key)\(earlier.line.map { " on line \($0)" } ?? ""); give each date once")
            }
            entries[date] = HolidayEntry(key: key, line: node.mark?.line, hoursLine: hoursLine)
            if intervals.isEmpty { holidays.append(date) } else { specialDays[date] = intervals }
        }
        do {
            return try BusinessHours(timeZone: timeZone, weekly: weekly, holidays: holidays, specialDays: specialDays)
        } catch {
            throw placed(error, business: business, hours: hoursSection, holidays: entries)
        }
    }

    /// An entry of `business.holidays`: its key, its line, and the line of its `hours`.
    private struct HolidayEntry {
        let key: String
        let line: Int?
        let hoursLine: Int?
    }

    /// A schedule error at the line of what it is about: the day's key, the holiday's entry.
    private static func placed(
        _ error: ScheduleError, business: Section, hours: Section?, holidays: [LocalDate: HolidayEntry]
    ) -> ConfigurationError {
        var key = error.key
        var line = business.keyLine(key)
        if let date = error.date, let entry = holidays[date] {
            (key, line) = entry.hoursLine.map { (entry.key + ".hours", $0) } ?? (entry.key, entry.line)
        } else if key.hasPrefix("hours."), let hours {
            line = hours.keyLine(String(key.dropFirst("hours.".count)))
        }
        return ConfigurationError(file: business.file, line: line, key: business.childKey(key), problem: error.message)
    }

    /// One line for a YAML syntax error: Yams' own description is a multi-line dump.
    static func syntaxError(_ error: any Error, yaml: String, file: String) -> ConfigurationError {
        guard let error = error as? YamlError else {
            return ConfigurationError(file: file, problem: "is not valid YAML: \(error)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let within = context.map { $0.mark.line == mark.line ? " \($0.text)" : " \($0.text) (from line \($0.mark.line))" } ?? ""
            return ConfigurationError(file: file, line: mark.line, problem: "is not valid YAML: \(problem)\(within)")
        case .reader(let problem, let offset, _, _):
            let line = offset.map { yaml.prefix($0).reduce(1) { $1 == "\n" ? $0 + 1 : $0 } }
            return ConfigurationError(file: file, line: line, problem: "is not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let name = duplicates.first ?? "?"
            let first = context.mark.line
            let again = repeatedKeyLine(name, after: first, column: context.mark.column, in: yaml)
            return ConfigurationError(
                file: file, line: again ?? first, problem: "the key \"\(name)\" is given twice (also on line \(first))")
        default:
            return ConfigurationError(file: file, problem: "is not valid YAML: \(error)")
        }
    }

    /// Yams marks only the first of two equal keys; the second is the one to point at. It is
    /// the next line holding `name:` at the same column before the mapping ends (nil for a
    /// flow mapping on one line, where the first line is the answer).
    private static func repeatedKeyLine(_ name: String, after line: Int, column: Int, in yaml: String) -> Int? {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line < lines.count else { return nil }
        for index in line..<lines.count {
            let text = lines[index]
            let indent = text.prefix { $0 == " " }.count
            let rest = text.dropFirst(indent)
            if rest.isEmpty || rest.hasPrefix("#") { continue }
            if indent + 1 < column { return nil }
            guard indent + 1 == column else { continue }
            for spelling in [name, "\"\(name)\"", "'\(name)'"] where rest.hasPrefix(spelling) {
                if rest.dropFirst(spelling.count).drop(while: { $0 == " " }).hasPrefix(":") { return index + 1 }
            }
        }
        return nil
    }

    private static func readChannels(_ owner: Section) throws(ConfigurationError) -> [NotificationChannel] {
        var channels: [NotificationChannel] = []
        for (index, node) in try owner.sequence("notify").enumerated() {
            let key = "notify[\(index)]"
            guard case .mapping(let mapping) = node, mapping.count == 1, let entry = mapping.first,
                let kind = entry.key.scalar?.string, let value = entry.value.scalar?.string, !value.isEmpty
            else {
                throw owner.error(key, "should be one of `webhook: URL`, `command: PATH` or `email: ADDRESS`")
            }
            switch kind {
            case "webhook":
                guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? "") else {
                    throw owner.error(key, "\"\(value)\" is not an http(s) URL")
                }
                channels.append(.webhook(url))
            case "command":
                guard value.hasPrefix("/") else {
                    throw owner.error(key, "\"\(value)\" should be an absolute path to a program (it is run without a shell)")
                }
                channels.append(.command(value))
            case "email":
                guard value.contains("@"), !value.contains(where: { $0.isWhitespace || $0 == "," }) else {
                    throw owner.error(key, "\"\(value)\" is not one email address")
                }
                channels.append(.email(value))
            default:
                throw owner.error(key, "unknown channel \"\(kind)\"; use webhook, command or email")
            }
        }
        return channels
    }
}
