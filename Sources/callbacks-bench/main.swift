import AudioProbe
import BusinessTime
import CSndFile
import Domain
import Foundation
import Ingest
import Logging
import Runtime
import Settings
import SQLiteStore
import UseCases

typealias DeskBenchStore = SQLiteStore

// `make bench`: the figures in docs/benchmarks.md. Release build only; each section
// prints what it measured and on how much.

let clock = ContinuousClock()
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-bench-\(getpid())")
try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: scratch) }

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

/// Peak resident memory of this process so far, in MiB (VmHWM).
func peakMemoryMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return kilobytes / 1024
}

var generator = SystemRandomNumberGenerator()
let only = CommandLine.arguments.dropFirst().first

// MARK: - Deadlines

if only == nil || only == "deadlines" {
    let newYork = TimeZone(identifier: "America/New_York") ?? .current
    let interval = [try OpeningInterval(parsing: "08:00-12:00"), try OpeningInterval(parsing: "13:00-17:00")]
    let weekly: [Weekday: [OpeningInterval]] = [.monday: interval, .tuesday: interval, .wednesday: interval, .thursday: interval, .friday: interval]
    // 50 holidays over 2026–2028, two a month.
    let holidays = try (0..<50).map { index in
        try LocalDate(year: 2026 + index / 24, month: 1 + (index % 24) / 2, day: 3 + (index % 2) * 12)
    }
    let hours = try BusinessHours(timeZone: newYork, weekly: weekly, holidays: holidays)
    let start = 1_767_225_600.0  // 2026-01-01
    let count = 1_000_000
    let starts = (0..<count).map { _ in Date(timeIntervalSince1970: start + Double.random(in: 0..<(365 * 86_400), using: &generator)) }
    let durations = (0..<count).map { _ in Int.random(in: 0...(40 * 3600), using: &generator) }
    var checksum = 0.0
    let elapsed = clock.measure {
        for index in 0..<count {
            checksum += hours.deadline(from: starts[index], within: durations[index]).timeIntervalSince1970
        }
    }
    print(String(format: "deadlines: %.0f per second on one core (1,000,000 random instants in 2026, durations 0–40h = up to a business week, 50 holidays) [checksum %.0f]", Double(count) / seconds(elapsed), checksum.truncatingRemainder(dividingBy: 1000)))
    for hoursOfWork in [1, 40, 1000] {
        let runs = 200_000
        let elapsed = clock.measure {
            for index in 0..<runs {
                checksum += hours.deadline(from: starts[index], within: hoursOfWork * 3600).timeIntervalSince1970
            }
        }
        print(String(format: "deadlines: %5dh duration: %.0f ns each", hoursOfWork, seconds(elapsed) / Double(runs) * 1e9))
    }
}

// MARK: - Promises (Promises.swift)

if only == nil || only == "promises" { try promiseBenchmark() }

// MARK: - Ingest

/// Writes `seconds` of a warbling tone as 8 kHz mono audio in `format` with libsndfile.
func writeAudio(_ url: URL, format: Int32, seconds: Int, seed: Int) {
    var info = SF_INFO()
    info.samplerate = 8000
    info.channels = 1
    info.format = format
    guard let file = sf_open(url.path, Int32(SFM_WRITE), &info) else { return }
    defer { sf_close(file) }
    var buffer = [Float](repeating: 0, count: 8000)
    for second in 0..<seconds {
        for index in 0..<8000 {
            let t = Double(second * 8000 + index) / 8000
            buffer[index] = Float(0.3 * sin(2 * .pi * (200 + Double(seed % 50)) * t) * (0.5 + 0.5 * sin(2 * .pi * 3 * t)))
        }
        _ = buffer.withUnsafeBufferPointer { sf_writef_float(file, $0.baseAddress, 8000) }
    }
}

/// Empties the page cache so the next reads come from the disk; false when this process
/// may not (not root, or a container).
func dropPageCache() -> Bool {
    sync()
    guard let handle = FileHandle(forWritingAtPath: "/proc/sys/vm/drop_caches") else { return false }
    defer { try? handle.close() }
    return (try? handle.write(contentsOf: Data("3\n".utf8))) != nil
}

/// Reads every file under `folder` in 64 KiB chunks: the floor for any ingest.
func readEveryByte(under folder: URL) -> Duration {
    clock.measure {
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        while let path = enumerator?.nextObject() as? String {
            if let handle = FileHandle(forReadingAtPath: folder.appendingPathComponent(path).path) {
                while let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty {}
                try? handle.close()
            }
        }
    }
}

/// The mix a busy Asterisk spool holds: PCM WAV, WAV49 and raw GSM.
let mixedFormats: [(String, Int32)] = [
    ("wav", Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_PCM_16)),
    ("WAV", Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_GSM610)),
    ("gsm", Int32(SF_FORMAT_RAW) | Int32(SF_FORMAT_GSM610)),
]
/// 16-bit PCM only: 480 KB a message, where the cost per byte shows.
let pcmFormats: [(String, Int32)] = [("wav", Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_PCM_16))]

func ingestBenchmark(messages: Int, formats: [(String, Int32)] = mixedFormats) throws {
    let label = formats.map(\.0).joined(separator: "/")
    let root = scratch.appendingPathComponent("ingest-\(label)-\(messages)")
    // Three 30 s templates, copied: generation is not what is measured.
    var templates: [String: URL] = [:]
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    for (ext, format) in formats {
        let url = root.appendingPathComponent("template.\(ext)")
        writeAudio(url, format: format, seconds: 30, seed: 7)
        templates[ext] = url
    }
    /// An Asterisk spool of `messages` messages in 50 mailboxes; returns its size in bytes.
    func makeSpool(_ spool: URL) throws -> Int {
        var bytes = 0
        for index in 0..<messages {
            let folder = spool.appendingPathComponent("default/\(1000 + index % 50)/INBOX")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let slot = String(format: "msg%04d", index / 50)
            let (ext, _) = formats[index % formats.count]
            guard let template = templates[ext] else { continue }
            let audio = folder.appendingPathComponent("\(slot).\(ext)")
            try FileManager.default.copyItem(at: template, to: audio)
            // Make each message's audio unique, as real ones are.
            let handle = try FileHandle(forWritingTo: audio)
            try handle.seekToEnd()
            if ext != "gsm" { try handle.seek(toOffset: 100) }
            try handle.write(contentsOf: withUnsafeBytes(of: UInt32(index)) { Data($0) })
            try handle.close()
            bytes += (try FileManager.default.attributesOfItem(atPath: audio.path)[.size] as? Int) ?? 0
            let origtime = 1_795_000_000 + index * 60
            try """
                [message]
                origmailbox=\(1000 + index % 50)
                callerid="Caller \(index)" <+1555\(String(format: "%07d", index))>
                origtime=\(origtime)
                msg_id=\(origtime)-\(String(format: "%08x", index))
                flag=\(index % 10 == 0 ? "Urgent" : "")
                duration=30
                """.write(to: folder.appendingPathComponent("\(slot).txt"), atomically: false, encoding: .utf8)
        }
        return bytes
    }
    /// One `Ingester.runOnce` over `spool` into a fresh database and archive under `under`.
    func ingest(_ spool: URL, under: URL) throws -> (ingested: Int, elapsed: Duration) {
        var configuration = Configuration.builtIn(timeZone: TimeZone(identifier: "America/New_York") ?? .current)
        configuration.spool.path = spool.path
        configuration.spool.archive = under.appendingPathComponent("archive").path
        configuration.spool.quarantine = under.appendingPathComponent("quarantine").path
        configuration.storage.database = under.appendingPathComponent("afterhours.sqlite").path
        configuration.spool.settle = 0  // the files were written a moment ago, and are complete
        let store = try SQLiteStore(path: configuration.storage.database)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let ingester = Ingester(configuration: configuration, store: store, logger: logger)
        var summary: IngestSummary?
        let elapsed = clock.measure { summary = ingester.runOnce(at: Date(), actor: "bench") }
        return (summary?.ingested ?? 0, elapsed)
    }

    // Warm: the PBX wrote the files a moment ago, so they are in the page cache, as are
    // the bytes read for the ratio.
    let warm = root.appendingPathComponent("warm")
    let bytes = try makeSpool(warm.appendingPathComponent("spool"))
    _ = readEveryByte(under: warm.appendingPathComponent("spool"))
    let readWarm = readEveryByte(under: warm.appendingPathComponent("spool"))
    let (ingested, elapsed) = try ingest(warm.appendingPathComponent("spool"), under: warm)
    print(String(format: "ingest: %d messages (30 s, 8 kHz; \(label), %.0f MB) in %.2f s: %.0f messages per second; reading the same bytes from the page cache took %.3f s (ingest is %.1f× that); peak memory %.0f MiB",
        ingested, Double(bytes) / 1e6, seconds(elapsed), Double(ingested) / seconds(elapsed), seconds(readWarm), seconds(elapsed) / seconds(readWarm), peakMemoryMiB()))
    try? FileManager.default.removeItem(at: warm)

    // Cold: a backlog after a restart, read from the disk (only where the page cache can
    // be dropped, and not for the large memory run).
    if messages <= 5000 {
        let cold = root.appendingPathComponent("cold")
        _ = try makeSpool(cold.appendingPathComponent("spool"))
        if dropPageCache() {
            let readCold = readEveryByte(under: cold.appendingPathComponent("spool"))
            _ = dropPageCache()
            let (ingested, elapsed) = try ingest(cold.appendingPathComponent("spool"), under: cold)
            print(String(format: "ingest from disk (page cache dropped): %.0f messages per second; reading the same bytes from disk took %.2f s (ingest is %.1f× that)",
                Double(ingested) / seconds(elapsed), seconds(readCold), seconds(elapsed) / seconds(readCold)))
        } else {
            print("ingest from disk: skipped (cannot drop the page cache here; needs root)")
        }
    }
    try? FileManager.default.removeItem(at: root)
}

if only == nil || only == "probe" {
    let root = scratch.appendingPathComponent("probe")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    let formats: [(String, Int32)] = [
        ("wav", Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_PCM_16)),
        ("WAV", Int32(SF_FORMAT_WAV) | Int32(SF_FORMAT_GSM610)),
        ("gsm", Int32(SF_FORMAT_RAW) | Int32(SF_FORMAT_GSM610)),
    ]
    for (ext, format) in formats {
        let url = root.appendingPathComponent("message.\(ext)")
        writeAudio(url, format: format, seconds: 30, seed: 3)
        for (label, probe) in [("every sample", AudioProbe()), ("sampled", AudioProbe(sampling: .init()))] {
            let runs = 100
            let elapsed = clock.measure {
                for _ in 0..<runs { _ = try? probe.probe(url) }
            }
            print(String(format: "probe: 30 s %@, %@: %.2f ms each", ext, label, seconds(elapsed) / Double(runs) * 1000))
        }
    }
}

if only == nil || only == "ingest" {
    // `callbacks-bench ingest 20000` for the memory comparison in docs/benchmarks.md.
    let count = CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) } ?? 1000
    try ingestBenchmark(messages: count)
}

if only == nil || only == "ingest-pcm" {
    try ingestBenchmark(messages: 1000, formats: pcmFormats)
}

// MARK: - `callbacks next` and `list` as whole processes

/// Runs the binary to completion with posix_spawn and waitpid, returning milliseconds.
/// (Foundation's `Process.waitUntilExit` polls, which would add tens of milliseconds.)
func runBinary(_ binary: URL, _ arguments: [String], environment: [String: String]) throws -> Double {
    let argv = ([binary.path] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    var pid: pid_t = 0
    let start = clock.now
    guard posix_spawn(&pid, binary.path, &actions, nil, argv, envp) == 0 else {
        throw BenchError(message: "cannot start \(binary.path)")
    }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return seconds(clock.now - start) * 1000
}

struct BenchError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

if only == nil || only == "next" {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("callbacks")
    let root = scratch.appendingPathComponent("queue")
    let database = root.appendingPathComponent("afterhours.sqlite")
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    try "storage:\n  database: afterhours.sqlite\nbusiness:\n  timezone: America/New_York\n"
        .write(to: root.appendingPathComponent("callbacks.yaml"), atomically: true, encoding: .utf8)
    let store = try SQLiteStore(path: database.path)
    let now = Date(timeIntervalSince1970: 1_795_500_000)
    let count = 100_000
    let seeding = clock.measure {
        for index in 0..<count {
            let voicemail = Voicemail(
                identity: "bench/\(index)", receivedAt: now.addingTimeInterval(-Double(index)), mailbox: "1001",
                context: "default", folder: "INBOX", urgent: index % 97 == 0,
                caller: Caller(name: "Caller \(index)", number: PhoneNumber(e164: "+1555\(String(format: "%07d", index))"), rawNumber: nil),
                pbxMessageID: nil, audio: nil, audioError: nil)
            _ = try? store.record(
                voicemail, deadline: now.addingTimeInterval(Double(index % 5000) * 60), queue: true, at: now,
                actor: "bench", audioPath: { _ in nil })
        }
    }
    let environment = [
        "CALLBACKS_CONFIG": root.appendingPathComponent("callbacks.yaml").path,
        "CALLBACKS_NOW": ISO8601.format(now.addingTimeInterval(60), in: TimeZone(identifier: "UTC") ?? .current),
        "PATH": "/usr/bin:/bin",
    ]
    var nextTimes: [Double] = []
    for run in 0..<60 {
        nextTimes.append(try runBinary(binary, ["next", "--as", "staff\(run)", "--json"], environment: environment))
    }
    var listTimes: [Double] = []
    for _ in 0..<30 {
        listTimes.append(try runBinary(binary, ["list", "--limit", "50", "--json"], environment: environment))
    }
    var versionTimes: [Double] = []
    for _ in 0..<30 {
        versionTimes.append(try runBinary(binary, ["--help"], environment: environment))
    }
    print(String(format: "queue: %d open callbacks seeded in %.1f s; `callbacks next` whole process: median %.1f ms (60 runs); `callbacks list --limit 50`: median %.1f ms (30 runs); process start (--help): median %.1f ms",
        count, seconds(seeding), median(nextTimes), median(listTimes), median(versionTimes)))

    // The same `next` while the transcriber works through real messages on both cores
    // (`callbacks transcribe`, threads: 2): transcription must not starve the desk.
    if let python = ProcessInfo.processInfo.environment["AFTERHOURS_BENCH_PYTHON"] {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../fixtures/transcripts").standardizedFileURL
        let audio = try FileManager.default.contentsOfDirectory(atPath: fixtures.path).filter { $0.hasSuffix(".WAV") }.sorted()
        for (index, name) in audio.enumerated() {
            let voicemail = Voicemail(
                identity: "bench/spoken/\(index)", receivedAt: now, mailbox: "1001", context: "default", folder: "INBOX",
                urgent: false, caller: Caller(name: nil, number: PhoneNumber(e164: "+1646555\(String(format: "%04d", index))"), rawNumber: nil),
                pbxMessageID: nil,
                audio: AudioSummary(
                    format: "wav-gsm610", sampleRate: 8000, channels: 1, frames: 80_000, durationSeconds: 10, peak: 0.5, rms: 0.1,
                    speechSeconds: 10, silent: false),
                audioError: nil)
            _ = try? store.record(
                voicemail, deadline: now.addingTimeInterval(86_400), queue: true, at: now, actor: "bench",
                audioPath: { _ in fixtures.appendingPathComponent(name).path })
        }
        try "storage:\n  database: afterhours.sqlite\nbusiness:\n  timezone: America/New_York\ntranscription:\n  python: \(python)\n  threads: 2\n"
            .write(to: root.appendingPathComponent("callbacks.yaml"), atomically: true, encoding: .utf8)
        let words: [String] = [binary.path, "transcribe"]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        var transcriber: pid_t = 0
        guard posix_spawn(&transcriber, binary.path, nil, nil, argv, envp) == 0 else { throw BenchError(message: "cannot start transcribe") }
        argv.forEach { free($0) }
        envp.forEach { free($0) }
        // Past the model's loading, into the messages.
        Thread.sleep(forTimeInterval: 3)
        var busyTimes: [Double] = []
        var status: Int32 = 0
        for run in 0..<60 where waitpid(transcriber, &status, WNOHANG) == 0 {
            busyTimes.append(try runBinary(binary, ["next", "--as", "busy\(run)", "--json"], environment: environment))
        }
        let transcribing = clock.measure { waitpid(transcriber, &status, 0) }
        print(String(format: "`callbacks next` while `callbacks transcribe` (threads: 2) hears %d messages: median %.1f ms, worst %.1f ms (%d runs; the transcriber went on %.1f s more)",
            audio.count, median(busyTimes), busyTimes.max() ?? 0, busyTimes.count, seconds(transcribing)))
    }
}

// MARK: - The desk in process: claims and outcomes through the use cases

if only == nil || only == "desk" {
    let folder = scratch.appendingPathComponent("desk")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let store = try DeskBenchStore(path: folder.appendingPathComponent("afterhours.sqlite").path)
    let now = Date(timeIntervalSince1970: 1_795_500_000)
    let count = 20_000
    var recordings: [Recording] = []
    for index in 0..<count {
        let number = PhoneNumber(e164: "+1555" + String(format: "%07d", index))
        let caller = Caller(name: "Caller \(index)", number: number, rawNumber: nil)
        let received = now.addingTimeInterval(-Double(index))
        let voicemail = Voicemail(
            identity: "desk/\(index)", receivedAt: received, mailbox: "1001", context: "default", folder: "INBOX", urgent: index % 97 == 0,
            caller: caller, pbxMessageID: nil, audio: nil, audioError: nil)
        let deadline = now.addingTimeInterval(Double(index % 5000) * 60)
        recordings.append(Recording(voicemail: voicemail, deadline: deadline, queue: true, audioPath: { _ in nil }))
    }
    for start in stride(from: 0, to: count, by: 1000) {
        _ = try store.record(Array(recordings[start..<min(count, start + 1000)]), at: now, actor: "bench", rules: EscalationRules())
    }
    let open = [try OpeningInterval(parsing: "08:00-17:00")]
    let hours = try BusinessHours(
        timeZone: TimeZone(identifier: "America/New_York") ?? .current,
        weekly: [.monday: open, .tuesday: open, .wednesday: open, .thursday: open, .friday: open], holidays: [])
    let desk = CallbackDesk(
        store: store,
        rules: DeskRules(hours: hours, policy: CallbackPolicy(), escalateOnBreach: false, anyoneReadsEscalations: true, defaultRegion: "US"))
    let staff = Acting("bench")
    let claims = 2_000
    let (claiming, closing, closed) = try runBlocking { () async throws -> (Duration, Duration, Int) in
        var claimed: [Int64] = []
        let claiming = try await clock.measureAsync {
            for _ in 0..<claims {
                if case .claimed(let detail) = try await desk.next(for: staff, at: now) { claimed.append(detail.callback.id) }
            }
        }
        let ids = claimed
        let closing = try await clock.measureAsync {
            for id in ids { _ = try await desk.done(id, by: staff, note: "reached", force: false, at: now) }
        }
        return (claiming, closing, ids.count)
    }
    print(String(format: "desk in process (SQLite, %d open callbacks): next %.0f claims per second; done %.0f per second (%d each)",
        count, Double(claims) / seconds(claiming), Double(closed) / seconds(closing), claims))
}

extension ContinuousClock {
    func measureAsync(_ work: () async throws -> Void) async rethrows -> Duration {
        let start = now
        try await work()
        return now - start
    }
}

/// Runs async work to its end from the benchmark's synchronous top level.
final class ResultBox<T>: @unchecked Sendable { var result: Result<T, any Error>? }

func runBlocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    guard let result = box.result else { throw BenchError(message: "the work ended without a result") }
    return try result.get()
}
