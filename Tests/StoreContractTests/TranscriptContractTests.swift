import Domain
import Foundation
import Testing
import UseCases

/// The transcription stage and the block list, the same from every store.
@Suite("Store contract: transcripts, what their words decide, the block list")
struct TranscriptContractTests {
    func transcripts(_ store: any Store) -> TranscriptDesk {
        TranscriptDesk(store: store, content: .defaults, defaultRegion: "US")
    }

    @Test("a stored message waits for its words; a silent or unreadable one has nothing to hear, with the reason", arguments: StoreKind.allCases)
    func workState(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let spoken = try store.store(message("spoken", number: "+12125550101"), due: t0.addingTimeInterval(3600))
        var silent = message("silent", number: "+12125550102")
        silent.audio?.silent = true
        try store.store(silent, due: t0.addingTimeInterval(3600))
        var broken = message("broken", number: "+12125550103")
        broken.audio = nil
        broken.audioError = "the file ends in the middle of its header"
        try store.store(broken, due: t0.addingTimeInterval(3600))

        #expect(try await store.transcriptBacklog() == TranscriptBacklog(pending: 1, done: 0, failed: 0, skipped: 2))
        let queue = try await store.queue(at: t0, includeAll: true, limit: nil, visibility: .staff)
        let reasons = queue.flatMap(\.messages).compactMap(\.transcript.error).sorted()
        #expect(reasons == ["the audio could not be read: the file ends in the middle of its header", "the message is silent"])
        let job = try #require(try await transcripts(store).next(at: t0))
        #expect(job.callbackID == spoken && job.audioPath.hasPrefix("/archive/") && !job.needsNumber)
        // Leased: nobody else gets it until the lease runs out.
        #expect(try await transcripts(store).next(at: t0.addingTimeInterval(10)) == nil)
        #expect(try await transcripts(store).next(at: t0.addingTimeInterval(301))?.voicemailID == job.voicemailID)
    }

    @Test("a transcript the transcriber cut short at a repetition loop is stored marked; heard again whole, the mark goes", arguments: StoreKind.allCases)
    func cutShort(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let id = try store.store(message("looped", number: "+12125550101"), due: t0.addingTimeInterval(3600))
        let desk = transcripts(store)
        let job = try #require(try await desk.next(at: t0))
        let findings = try await desk.record(job, text: "Please call the monitoring center at 8-0-0-0-5-5-0-1-4-2", cutShort: true, at: t0)
        #expect(findings.cutShort)
        var stored = try #require(try await store.detail(id: id, for: owner).messages.first)
        #expect(stored.transcript.cutShort && stored.transcript.text == "Please call the monitoring center at 8-0-0-0-5-5-0-1-4-2")

        #expect(try await store.requestTranscripts(voicemail: job.voicemailID) == 1)
        let again = try #require(try await desk.next(at: t0.addingTimeInterval(10)))
        try await desk.record(again, text: "Please call the monitoring center at 800 555 0142 to confirm.", at: t0.addingTimeInterval(10))
        stored = try #require(try await store.detail(id: id, for: owner).messages.first)
        #expect(!stored.transcript.cutShort && stored.transcript.text?.hasSuffix("to confirm.") == true)
    }

    @Test("a low-confidence transcript is stored with its scores and gives no spoken number; a confident one does", arguments: StoreKind.allCases)
    func lowConfidence(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let unsure = try store.store(message("unsure", number: nil), due: t0.addingTimeInterval(3600))
        let sure = try store.store(message("sure", number: nil, at: 60), due: t0.addingTimeInterval(3000))
        let desk = transcripts(store)
        let words = "Hi, please call me back at 646 555 0198."
        for _ in 0..<2 {
            let job = try #require(try await desk.next(at: t0))
            #expect(job.needsNumber)
            let scores = job.callbackID == unsure
                ? TranscriptConfidence(avgLogprob: -1.42, noSpeechProb: 0.1) : TranscriptConfidence(avgLogprob: -0.31, noSpeechProb: 0.02)
            try await desk.record(job, text: words, confidence: scores, at: t0)
        }
        let low = try #require(try await store.detail(id: unsure, for: owner).messages.first)
        #expect(low.transcript.lowConfidence && low.transcript.confidence?.avgLogprob == -1.42)
        #expect(low.transcript.spokenNumber == nil && low.transcript.text == words)
        #expect(try await store.detail(id: unsure, for: owner).callback.caller.number == nil)
        let high = try #require(try await store.detail(id: sure, for: owner).messages.first)
        #expect(!high.transcript.lowConfidence && high.transcript.spokenNumber?.e164 == "+16465550198")
        #expect(TranscriptConfidence(avgLogprob: -0.2, noSpeechProb: 0.7).isLow)
    }

    @Test("a complaint heard with low confidence still escalates, and says how it was heard", arguments: StoreKind.allCases)
    func lowConfidenceComplaint(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let angry = try store.store(message("angry", number: "+12125550102"), due: t0.addingTimeInterval(3000))
        let desk = transcripts(store)
        let job = try #require(try await desk.next(at: t0))
        try await desk.record(
            job, text: "I want a refund for the boiler service.", confidence: TranscriptConfidence(avgLogprob: -1.42, noSpeechProb: 0.1), at: t0)
        let complaint = try #require(try await store.escalations(includeResolved: false).first)
        #expect(complaint.callback.callback.id == angry && complaint.escalation.reason == .complaint)
        #expect(complaint.escalation.reasons.first?.detail?.hasSuffix("(heard with low confidence)") == true)
        #expect(complaint.callback.history.contains { event in
            (event.note?.contains("transcribed: complaint: '") ?? false) && (event.note?.hasSuffix("(heard with low confidence)") ?? false)
        })
    }

    @Test("words of an emergency make the callback urgent; a complaint escalates to the owner with the caller's words", arguments: StoreKind.allCases)
    func contentRules(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make(channels: ["webhook:http://127.0.0.1:9/owner"])
        defer { dispose() }
        let leak = try store.store(message("leak", number: "+12125550101"), due: t0.addingTimeInterval(3600))
        let angry = try store.store(message("angry", number: "+12125550102", at: 60), due: t0.addingTimeInterval(3000))
        let desk = transcripts(store)
        for _ in 0..<2 {
            let job = try #require(try await desk.next(at: t0))
            let words = job.callbackID == leak
                ? "Hi, this is Jane. The pipe under my sink burst and water is leaking everywhere, please call me."
                : "This is the third time I've called. I want a refund for the boiler service."
            try await desk.record(job, text: words, at: t0)
        }
        let leaking = try await store.detail(id: leak, for: owner)
        #expect(leaking.callback.urgent && !leaking.callback.escalated)
        #expect(leaking.messages[0].transcript.text?.contains("burst") == true)
        #expect(leaking.messages[0].transcript.rules.first?.hasPrefix("urgent: ") == true)

        let escalations = try await store.escalations(includeResolved: false)
        #expect(escalations.count == 1)
        let complaint = try #require(escalations.first)
        #expect(complaint.callback.callback.id == angry && complaint.escalation.reason == .complaint)
        let detail = try #require(complaint.escalation.reasons.first?.detail)
        #expect(detail.contains("refund") || detail.contains("third time"))
        #expect(complaint.notifications.map(\.subject) == [.raised(.complaint)])
        // The history says what the words did.
        #expect(complaint.callback.history.contains { $0.note?.contains("transcribed: complaint: '") == true })
        #expect(try await store.transcriptBacklog().done == 2)
    }

    @Test("a number read out by a caller without caller ID becomes the callback's number; an invalid one never does", arguments: StoreKind.allCases)
    func spokenNumber(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let anonymous = try store.store(message("anon", number: nil, name: "Front Gate"), due: t0.addingTimeInterval(3600))
        let wrong = try store.store(message("wrong", number: nil, at: 60), due: t0.addingTimeInterval(3600))
        let known = try store.store(message("known", number: "+12125550199", at: 120), due: t0.addingTimeInterval(3600))
        let desk = transcripts(store)
        var said: [Int64: String] = [
            anonymous: "Hi, it's Sam at the front gate, call me back at six four six, five five five, zero one nine eight. Thanks.",
            // 146 is no area code: a wrong number is worse than none.
            wrong: "Call me on one four six five five five zero one nine eight.",
            known: "My other number is 646 555 0142.",
        ]
        while let job = try await desk.next(at: t0) {
            #expect(job.needsNumber == (job.callbackID != known))
            try await desk.record(job, text: said.removeValue(forKey: try #require(job.callbackID)) ?? "", at: t0)
        }
        #expect(said.isEmpty)
        let taken = try await store.detail(id: anonymous, for: alice)
        #expect(taken.callback.caller.number?.e164 == "+16465550198")
        #expect(taken.numberSource == .spoken && taken.messages[0].numberSource == .spoken)
        #expect(taken.history.contains { $0.note?.contains("taken from message") == true })
        #expect(try await store.detail(id: wrong, for: alice).callback.caller.number == nil)
        let kept = try await store.detail(id: known, for: alice)
        #expect(kept.callback.caller.number?.e164 == "+12125550199" && kept.numberSource == .callerID)
    }

    @Test("a failed try goes back to waiting; after the last try it is failed with the reason; asking again brings it back", arguments: StoreKind.allCases)
    func failures(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let id = try store.store(message("m", number: "+12125550101"), due: t0.addingTimeInterval(3600))
        let desk = TranscriptDesk(store: store, content: .defaults, defaultRegion: "US", maxAttempts: 2)
        let first = try #require(try await desk.next(at: t0))
        try await desk.failed(first, error: "the transcriber stopped while hearing it", at: t0)
        let second = try #require(try await desk.next(at: t0))
        #expect(second.voicemailID == first.voicemailID && second.attempts == 1)
        try await desk.failed(second, error: "the transcriber stopped while hearing it", at: t0)
        #expect(try await desk.next(at: t0) == nil)
        let message = try #require(try await store.detail(id: id, for: alice).messages.first)
        #expect(message.transcript.status == .failed)
        #expect(message.transcript.error == "the transcriber stopped while hearing it (gave up after 2 tries)")
        #expect(try await store.requestTranscripts(voicemail: message.id) == 1)
        #expect(try await desk.next(at: t0)?.attempts == 0)
    }

    @Test("search finds callbacks by the words of their messages, in any form, and reads what people type as words", arguments: StoreKind.allCases)
    func search(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let refund = try store.store(message("r", number: "+12125550101"), due: t0.addingTimeInterval(3600))
        let boiler = try store.store(message("b", number: "+12125550102", at: 60), due: t0.addingTimeInterval(3600))
        let desk = transcripts(store)
        while let job = try await desk.next(at: t0) {
            let text = job.callbackID == refund ? "I would like refunds for both visits." : "The boiler makes a noise, call me."
            try await desk.record(job, text: text, at: t0)
        }
        #expect(try await store.callbacks(matchingTranscript: "refund") == [refund])
        #expect(try await store.callbacks(matchingTranscript: "Boiler noise") == [boiler])
        #expect(try await store.callbacks(matchingTranscript: "boiler refund").isEmpty)
        // FTS syntax in what people type is just text.
        #expect(try await store.callbacks(matchingTranscript: "\"boiler\" OR -refund* NEAR(").isEmpty)
        let listed = try await StoreContractTests_desk(store).list(CallbackDesk.Query(text: "REFUNDS"), for: alice, at: t0)
        #expect(listed.map(\.callback.id) == [refund])
    }

    @Test("a blocked number's messages are stored and counted, never queued for staff; the owner sees them; unblocked, it queues again", arguments: StoreKind.allCases)
    func blockList(kind: StoreKind) async throws {
        let (store, dispose) = try await kind.make()
        defer { dispose() }
        let rules = try StoreContractTests_desk(store).rules
        let list = BlockList(store: store, rules: rules)
        await #expect(throws: StoreError.self) { try await list.block("212 555 0166", reason: "threats", by: alice, at: t0) }
        let number = try await list.block("212 555 0166", reason: "threats to staff", by: owner, at: t0).entry.number
        #expect(number.e164 == "+12125550166")
        let outcomes = try store.record(
            [Recording(voicemail: message("x", number: "+12125550166"), deadline: t0.addingTimeInterval(3600), queue: true, audioPath: { "/archive/\($0).wav" })],
            at: t0, actor: "ingest", rules: EscalationRules())
        guard case .success(.stored(_, nil, false)) = outcomes.first else { Issue.record("queued: \(outcomes)"); return }
        #expect(try await store.queue(at: t0, includeAll: true, limit: nil, visibility: .staff).isEmpty)
        let blocked = try await list.blocked(for: owner)
        #expect(blocked.count == 1 && blocked[0].reason == "threats to staff" && blocked[0].heldMessages.count == 1)
        #expect(blocked[0].heldMessages[0].blocked)
        #expect(try await list.unblock("+1 212 555 0166", by: owner) == number)
        await #expect(throws: StoreError.self) { try await list.unblock("+1 212 555 0166", by: owner) }
        try store.store(message("y", number: "+12125550166", at: 60), due: t0.addingTimeInterval(3600))
        #expect(try await store.queue(at: t0, includeAll: false, limit: nil, visibility: .staff).count == 1)
    }
}

/// The contract suite's desk, under a name the tests' local `desk` values do not hide.
func StoreContractTests_desk(_ store: any Store) throws -> CallbackDesk { try desk(store) }
