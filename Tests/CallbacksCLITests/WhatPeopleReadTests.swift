import Foundation
import GRDB
import Testing

/// Everything a person reads — every page, every text the command line prints, every
/// webhook and email — rendered in every state a callback and an escalation can be in, and
/// read the way a person would: no Swift `nil` or `Optional(`, no label with nothing after
/// it, no caller text that can steer a terminal or reorder a page.
@Suite("What people read", .serialized)
struct WhatPeopleReadTests {
    /// A right-to-left override and a terminal escape in a caller's name, as a sidecar may
    /// carry them.
    static let hostileName = "\u{202E}evil\u{202C} \u{1B}[2JName"

    /// What a reader must never meet, whatever the state.
    static func unreadable(_ text: String, html: Bool) -> [String] {
        var problems: [String] = []
        for bad in ["Optional(", "<null>", "\u{202E}", "\u{202C}", "\u{1B}"] where text.contains(bad) {
            problems.append("contains \(bad.debugDescription)")
        }
        if text.range(of: #"\bnil\b"#, options: .regularExpression) != nil { problems.append("contains the word nil") }
        let lines = text.components(separatedBy: "\n")
        for (index, line) in lines.enumerated() {
            // A label with nothing after it: "Resolution:", "mailbox ", "· " at the end.
            if !html, line.range(of: #":\s*$"#, options: .regularExpression) != nil {
                let next = index + 1 < lines.count ? lines[index + 1] : ""
                let indent = { (text: String) in text.prefix { $0 == " " }.count }
                if next.trimmingCharacters(in: .whitespaces).isEmpty || indent(next) <= indent(line) {
                    problems.append("a label with nothing after it: \(line.debugDescription)")
                }
            }
            if !html, line.range(of: #"\S\s+$"#, options: .regularExpression) != nil { problems.append("trailing space: \(line.debugDescription)") }
            for pattern in [#"·\s*($|</)"#, #"\(\s*\)"#, #"“\s*”"#, "\"\"", #"\b(by|of|on|mailbox|from)\s*(,|\.|$)"#, #"\b(by|of|on|mailbox|from) {2,}"#]
            where line.range(of: pattern, options: .regularExpression) != nil {
                problems.append("something missing (\(pattern)): \(line.debugDescription)")
            }
        }
        if html {
            for pattern in [
                #"<(li|p|strong|span|bdi|td|th|h1|h2|blockquote|a|section|footer)\b[^>]*>\s*</\1>"#, #"href="tel:""#, "=\"\"",
            ] {
                if let range = text.range(of: pattern, options: .regularExpression) {
                    problems.append("empty (\(pattern)): \(text[range].debugDescription)")
                }
            }
        }
        return problems
    }

    static func check(_ text: String, _ what: String, html: Bool = false) {
        #expect(!text.isEmpty, "\(what) is empty")
        let problems = unreadable(text, html: html)
        #expect(problems.isEmpty, "\(what): \(problems.joined(separator: "; "))\n\(text)")
    }

    @Test("the reader's checks catch what they are for")
    func checksCatch() {
        let bad: [(String, Bool)] = [
            ("Resolution nil", false), (#"error: Optional("x")"#, false), ("Resolved by olivia:", false), ("  mailbox   /archive/1.wav", false),
            ("Mon 10:00 · ", false), ("<p>Mon · </p>", true), (#"<p class="hint"></p>"#, true), (#"<a href="tel:">x</a>"#, true),
            (#"<tr class="">"#, true), ("Eve \u{202E}", false), ("\u{1B}[2J", false), ("not yet notified on x ()", false),
        ]
        for (text, html) in bad {
            #expect(!Self.unreadable(text, html: html).isEmpty, "\(text.debugDescription) passes the checks")
        }
        #expect(Self.unreadable("Jane O'Brien  (212) 555-0101\n1 message:\n  Mon 10:00  mailbox 1001", html: false).isEmpty)
    }

    /// Messages in every shape: a name, none, a placeholder, a number for a name, a
    /// business, a hostile name, no number, a number that is not one, unreadable audio, a
    /// sidecar without a mailbox, the owner's line from a VIP (two reasons); transcripts
    /// done, empty and failed; escalations open, acknowledged, resolved with a note and
    /// resolved by `done`; callbacks open, claimed, waiting and done.
    func installation(bin: URL) throws -> Harness {
        let pager = bin.appendingPathComponent("page-owner")
        try "#!/bin/sh\ncat > \"$(dirname \"$0\")/paged-$$.json\"\n".write(to: pager, atomically: true, encoding: .utf8)
        let sendmail = bin.appendingPathComponent("sendmail")
        try "#!/bin/sh\ncat > \"$(dirname \"$0\")/mail-$$.txt\"\n".write(to: sendmail, atomically: true, encoding: .utf8)
        for script in [pager, sendmail] { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path) }
        let harness = try Harness(config: Harness.acme + """

            owner:
              mailboxes: ["200"]
              notify:
                - command: \(pager.path)
                - email: owner@example.com
            escalation:
              vip: ["5551112222"]
            """)
        let t0 = 1_795_280_400
        let asterisk: [(box: String, callerid: String, audio: String?)] = [
            ("1001", #""Jane O'Brien" <2125550101>"#, "speech.wav"),
            ("1001", "<2125550102>", "speech.wav"),
            ("1001", #""No CID" <>"#, "speech.wav"),
            ("1001", #""Bob Smith" <2125550104>"#, nil),
            ("1001", #""Alarm Monitoring" <2125550106>"#, "speech.wav"),
            ("1001", #""2125550107" <2125550107>"#, "speech.wav"),
            ("1001", #""Front Gate" <1234>"#, "speech.wav"),
            ("200", #""Pat" <5551112222>"#, "speech.wav"),
        ]
        for (index, message) in asterisk.enumerated() {
            let slot = "default/\(message.box)/INBOX/msg\(String(format: "%04d", index))"
            if let audio = message.audio {
                try harness.put(slot + ".wav", copying: audio)
            } else {
                try harness.put(slot + ".wav", text: "RIFF....WAVEfmt not audio")
            }
            try harness.put(slot + ".txt", text: Harness.txt(callerid: message.callerid, origtime: t0 + index * 60))
        }
        try harness.put("hostile.wav", copying: "speech.wav")
        let name = Self.hostileName.unicodeScalars.map { $0.value < 0x80 && $0.value >= 0x20 ? String($0) : String(format: "\\u%04x", $0.value) }.joined()
        try harness.put("hostile.json", text: #"{"caller_number": "2125550105", "caller_name": "\#(name)", "received_at": "2026-11-22T21:15:00-05:00"}"#)
        return harness
    }

    /// A session cookie for `name`, from a one-time sign-in link: its GET, or (where the GET
    /// only shows a "Sign in" button) its POST.
    static func session(_ harness: Harness, _ name: String, base: String) async throws -> String {
        let link = await harness.run(["people", "link", name]).output.replacingOccurrences(of: "http://calls.example.com", with: base)
        let token = link.components(separatedBy: "token=").last ?? ""
        for arguments in [[link], ["-X", "POST", "--data-urlencode", "token=\(token)", link]] {
            if let cookie = try HTTPServer.curl(arguments).headers["set-cookie"]?.split(separator: ";").first.map(String.init),
                !cookie.hasSuffix("=")
            {
                return cookie
            }
        }
        throw CocoaError(.userCancelled)
    }

    /// The callback id of each caller, by number (or name when there is no number).
    func ids(_ harness: Harness) async throws -> [String: Int] {
        let list = await harness.run(["list", "--all", "--json", "--as", "olivia"])
        var ids: [String: Int] = [:]
        for entry in try #require(list.json as? [[String: Any]], "\(list.output)\(list.errors)") {
            let caller = entry["caller"] as? [String: Any] ?? [:]
            let key = caller["number"] as? String ?? caller["name"] as? String ?? "none"
            ids[key] = entry["id"] as? Int
        }
        return ids
    }

    @Test("every page, text, webhook and email, in every state: no nil, no Optional(, no empty label, no raw controls")
    func everyState() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ConcurrentNextTests.binary.path), "build the binary first (make test does)")
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-words-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        let harness = try installation(bin: bin)
        _ = try await harness.ingest()
        for (name, role) in [("alice", "staff"), ("bob", "staff"), ("olivia", "owner")] {
            let added = await harness.run(["people", "add", name, "--role", role])
            #expect(added.status == 0, "\(added.errors)")
        }
        let ids = try await ids(harness)
        let jane = try #require(ids["+12125550101"]), bob = try #require(ids["+12125550104"])
        let numberName = try #require(ids["+12125550107"]), business = try #require(ids["+12125550106"])
        let noName = try #require(ids["+12125550102"])

        // Transcripts in each state: words, no words heard, failed.
        let database = try DatabaseQueue(path: harness.root.appendingPathComponent("afterhours.sqlite").path)
        try await database.write { db in
            try db.execute(
                sql: "UPDATE voicemail SET transcript_status = 'done', transcript = ? WHERE callback_id = ?",
                arguments: ["Hi, it's Jane. \u{202E}dnuf er a tnaw I\u{202C} Call me back.", jane])
            try db.execute(sql: "UPDATE voicemail SET transcript_status = 'done', transcript = '' WHERE callback_id = ?", arguments: [business])
            try db.execute(
                sql: "UPDATE voicemail SET transcript_status = 'failed', transcript_error = 'the transcriber stopped' WHERE callback_id = ?",
                arguments: [noName])
        }
        // Escalations open (the owner's line from a VIP: two reasons), acknowledged,
        // resolved with a note, and resolved by `done` without one.
        for id in [jane, bob, numberName] {
            let escalated = await harness.run(["escalate", String(id), "--reason", "Wants a refund", "--as", "alice"])
            #expect(escalated.status == 0, "\(escalated.errors)")
        }
        let escalations = await harness.run(["escalations", "--json", "--as", "olivia"])
        var escalationOf: [Int: Int] = [:]
        for entry in try #require(escalations.json as? [[String: Any]]) {
            escalationOf[(entry["callback"] as? [String: Any])?["id"] as? Int ?? 0] = entry["id"] as? Int
        }
        #expect(await harness.run(["escalations", "ack", String(escalationOf[jane] ?? 0), "--as", "olivia"]).status == 0)
        #expect(await harness.run(["escalations", "resolve", String(escalationOf[bob] ?? 0), "--note", "Refunded", "--as", "olivia"]).status == 0)
        #expect(await harness.run(["done", String(numberName), "--as", "alice", "--force"]).status == 0)
        // Claimed, waiting (no answer, with a note), and one note on its own.
        for person in ["alice", "alice", "alice", "bob"] { _ = await harness.run(["next", "--as", person]) }
        let claimed = await harness.run(["list", "--mine", "--json", "--as", "bob"])
        if let first = (claimed.json as? [[String: Any]])?.first?["id"] as? Int {
            #expect(await harness.run(["no-answer", String(first), "--note", "Line busy", "--as", "bob"]).status == 0)
        }
        #expect(await harness.run(["note", String(business), "Asked for the manager", "--as", "alice"]).status == 0)

        // Text: every command a person reads, for staff and the owner, before anything is delivered.
        var texts: [(String, [String])] = [
            ("list", ["list", "--as", "alice"]), ("list --all", ["list", "--all", "--as", "olivia"]), ("stats", ["stats", "--as", "alice"]),
            ("escalations", ["escalations", "--as", "olivia"]), ("escalations --all", ["escalations", "--all", "--as", "olivia"]),
            ("next", ["next", "--as", "bob"]),
        ]
        for (_, id) in ids {
            texts.append(("show \(id)", ["show", String(id), "--as", "olivia"]))
            texts.append(("show \(id) as alice", ["show", String(id), "--as", "alice"]))
        }
        for (_, id) in escalationOf { texts.append(("escalations show \(id)", ["escalations", "show", String(id), "--as", "olivia"])) }
        var read = 0
        var refused: [String] = []
        for (what, arguments) in texts {
            let result = await harness.run(arguments)
            // Staff asking for the owner's line are told there is no such callback.
            guard result.status == 0 else {
                refused.append("\(what): \(result.errors)")
                continue
            }
            Self.check(result.output, "callbacks \(what)")
            read += 1
        }
        // Only staff asking for the owner's line are refused (one callback).
        #expect(read == texts.count - 1, "\(read) of \(texts.count) texts read; refused: \(refused)")

        // The pages, served with notifications delivered to a command and by email.
        let port = try freePort()
        let file = harness.root.appendingPathComponent("callbacks.yaml")
        let config = try String(contentsOf: file, encoding: .utf8)
        try (config + "\nhttp:\n  listen: 127.0.0.1:\(port)\n  public_url: http://calls.example.com\n").write(to: file, atomically: true, encoding: .utf8)
        let serve = try ServeProcess(
            harness, path: "\(bin.path):/usr/bin:/bin", environment: ["CALLBACKS_NOW": "2026-11-23T08:05:00-05:00", "CALLBACKS_CLOCK": "stopped"])
        defer { serve.stop() }
        let base = "http://127.0.0.1:\(port)"
        #expect(await waitUntil(seconds: 20) { (try? HTTPServer.curl(["-s", "-o", "/dev/null", base + "/healthz"]).status) == 200 })
        let alice = try await Self.session(harness, "alice", base: base), olivia = try await Self.session(harness, "olivia", base: base)
        var pages: [(String, String?)] = [
            ("/queue", alice), ("/queue/live", alice), ("/queue", olivia), ("/escalations", olivia), ("/escalations/999", olivia),
            ("/escalations/1", alice), ("/queue", nil), ("/login?token=nonsense", nil),
        ]
        for (_, id) in escalationOf { pages.append(("/escalations/\(id)", olivia)) }
        for (path, cookie) in pages {
            let answer = try HTTPServer.curl((cookie.map { ["-H", "Cookie: \($0)"] } ?? []) + [base + path])
            #expect((200..<500).contains(answer.status), "\(path): \(answer.status)")
            Self.check(answer.text, "page \(path)", html: true)
        }
        let queue = try HTTPServer.curl(["-H", "Cookie: \(alice)", base + "/queue"]).text
        let owner = try HTTPServer.curl(["-H", "Cookie: \(olivia)", base + "/escalations/\(escalationOf[bob] ?? 0)"]).text
        #expect(owner.contains("<bdi>Refunded</bdi>") && owner.contains("Resolved by olivia"), "\(owner)")
        let open = try HTTPServer.curl(["-H", "Cookie: \(olivia)", base + "/escalations/\(escalationOf[jane] ?? 0)"]).text
        #expect(!open.contains("Resolution"), "an escalation not resolved has no resolution: \(open)")
        #expect(open.contains(#"<bdi>Hi, it&#39;s Jane. \u{202E}dnuf er a tnaw I\u{202C} Call me back.</bdi>"#), "transcripts isolated and escaped: \(open)")
        _ = queue

        // Notifications: every raised reason and every resolution, by command and by email.
        #expect(await waitUntil(seconds: 20) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: bin.path)) ?? []
            return names.filter { $0.hasPrefix("paged-") }.count >= 6 && names.filter { $0.hasPrefix("mail-") }.count >= 6
        })
        for name in try FileManager.default.contentsOfDirectory(atPath: bin.path) where name.hasPrefix("paged-") || name.hasPrefix("mail-") {
            let content = try String(contentsOf: bin.appendingPathComponent(name), encoding: .utf8)
            if name.hasPrefix("paged-") {
                let json = try #require(try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any])
                Self.check(try #require(json["text"] as? String), "the webhook's text")
            } else {
                Self.check(content, "an email")
            }
        }
    }

    @Test("pages isolate caller text in <bdi> with controls shown as escapes; no tel: link without a number; placeholders are not names")
    func pagesNeutraliseCallerText() async throws {
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("afterhours-words-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        let harness = try installation(bin: bin)
        _ = try await harness.ingest()
        for (name, role) in [("alice", "staff"), ("olivia", "owner")] { _ = await harness.run(["people", "add", name, "--role", role]) }
        // Alice takes every callback she may: each is on her queue page with its number.
        for _ in 0..<10 { _ = await harness.run(["next", "--as", "alice"]) }
        let server = try await HTTPServer(harness)
        let cookie = try await Self.session(harness, "alice", base: server.base)
        let page = try HTTPServer.curl(["-H", "Cookie: \(cookie)", server.base + "/queue"]).text
        #expect(page.contains(#"<bdi>\u{202E}evil\u{202C} \x1B[2JName</bdi>"#), "the name isolated and its controls visible: \(page)")
        #expect(!page.contains("\u{202E}") && !page.contains("\u{1B}"))
        #expect(!page.contains(#"href="tel:""#), "no empty tel: link")
        #expect(page.contains("number withheld"), "a withheld number is said so")
        #expect(page.contains(#"1234 (not a number to dial)"#), "a number that cannot be dialled is shown as written, without a link")
        #expect(page.contains(#"<a href="tel:+12125550101" class="number">"#))
        #expect(!page.contains("No CID"), "a placeholder is not a name")
        #expect(!page.contains("Hi No") && !page.contains("Hi Alarm") && !page.contains("Hi Front"), "placeholders and businesses are not greeted")
        #expect(page.contains("Say: <bdi>Hi Jane, this is Alice"))
    }

    @Test("list shortens a name after escaping it, never inside an escape or a character")
    func listShortens() async throws {
        let harness = try Harness()
        let names = [
            String(repeating: "a", count: 28) + "\u{202E}" + String(repeating: "b", count: 10),
            String(repeating: "e\u{301}", count: 40),
            String(repeating: "👍🏽", count: 40),
        ]
        for (index, name) in names.enumerated() {
            try harness.put("long-\(index).wav", copying: "speech.wav")
            let json = try JSONSerialization.data(withJSONObject: [
                "caller_number": "212555020\(index)", "caller_name": name, "received_at": "2026-11-22T21:15:00-05:00",
            ])
            try harness.put("long-\(index).json", text: String(decoding: json, as: UTF8.self))
        }
        _ = try await harness.ingest()
        let list = await harness.run(["list"])
        let lines = list.output.components(separatedBy: "\n")
        let bidi = try #require(lines.first { $0.contains("aaaa") })
        #expect(bidi.contains(String(repeating: "a", count: 28) + "…"), "the escape left out whole, not cut: \(bidi)")
        #expect(!bidi.contains("\\u{20") || bidi.contains("\\u{202E}"), "\(bidi)")
        let accents = try #require(lines.first { $0.contains("e\u{301}") })
        #expect(accents.contains(String(repeating: "e\u{301}", count: 31) + "…"), "cut by character, accents kept: \(accents)")
        let json = await harness.run(["list", "--json"]).output
        let thumbs = try #require(lines.first { $0.contains("👍🏽") }, "\(json)")
        #expect(thumbs.contains(String(repeating: "👍🏽", count: 31) + "…"), "an emoji kept with its skin tone: \(thumbs)")
    }

    @Test("escalations says which reason each undelivered notification is for")
    func notificationLines() async throws {
        let harness = try Harness(config: Harness.acme + """

            owner:
              mailboxes: ["200"]
              notify:
                - command: /usr/local/bin/page-owner
            escalation:
              vip: ["5551112222"]
            """)
        try harness.put("default/200/INBOX/msg0000.wav", copying: "speech.wav")
        try harness.put("default/200/INBOX/msg0000.txt", text: Harness.txt(callerid: "\"Pat\" <5551112222>", origtime: 1_795_280_400))
        _ = try await harness.ingest()
        let owner = await harness.run(["escalations"])
        let lines = owner.output.components(separatedBy: "\n").filter { $0.contains("not yet notified") }
        #expect(lines.count == 2, "\(owner.output)")
        #expect(Set(lines).count == lines.count, "no two lines alike: \(lines)")
        #expect(lines.contains("  not yet notified of “A message on your private line” on command:/usr/local/bin/page-owner (0 attempts)"), "\(lines)")
        #expect(lines.contains("  not yet notified of “A VIP called” on command:/usr/local/bin/page-owner (0 attempts)"), "\(lines)")
    }
}
