import Domain
import Testing

@Suite("Content rules")
struct ContentRulesTests {
    let rules = ContentRules.defaults

    func phrases(_ transcript: String, rules: ContentRules = .defaults) -> [String] {
        rules.matches(in: transcript).map(\.phrase)
    }

    @Test("an emergency is urgent, with the caller's words")
    func urgent() {
        let found = rules.matches(
            in: "Hi, this is Maria on Elm Street. The basement is flooding, water everywhere, please call back ASAP.")
        #expect(found.map(\.kind) == [.urgent, .urgent])
        #expect(found.map(\.phrase) == ["flooding", "asap"])
        #expect(found.first?.excerpt == "The basement is flooding")
        #expect(found.last?.excerpt == "please call back ASAP")
    }

    @Test("a complaint, described for the owner")
    func complaint() {
        let found = rules.matches(in: "Yeah hi it's Tom again. This is the third time I've called. I want a refund, honestly.")
        #expect(found.map(\.phrase) == ["third time", "refund"])
        #expect(found.map(\.kind) == [.complaint, .complaint])
        #expect(found.last?.description == "complaint: 'I want a refund'")
        #expect(found.first?.description == "complaint: 'This is the third time I've called'")
    }

    @Test("urgent matches come before complaints, whatever was said first")
    func urgentFirst() {
        let found = rules.matches(in: "I'm really unhappy with the repair. And now there's a gas smell in the kitchen.")
        #expect(found.map(\.kind) == [.urgent, .complaint])
        #expect(found.map(\.phrase) == ["gas smell", "unhappy"])
    }

    @Test("each phrase is reported once, at its first mention")
    func once() {
        let found = rules.matches(in: "There's a leak. The leak is getting worse, a big leak, under the sink.")
        #expect(found.map(\.phrase) == ["leak"])
        #expect(found.first?.excerpt == "There's a leak")
    }

    @Test(
        "whole words only: no match inside a longer word or on an unlisted form",
        arguments: [
            "The kids caught a firefly by the fireplace.",
            "I reviewed the quote and it looks fine.",
            "The smoker grill arrived, thanks.",
            "We were upsetting the neighbours with the noise, sorry!",
        ])
    func wholeWords(_ transcript: String) {
        #expect(phrases(transcript) == [])
    }

    @Test("case, punctuation and spacing do not matter, even inside a phrase")
    func looseTranscripts() {
        #expect(phrases("PLEASE CALL ME AS SOON AS, POSSIBLE!!") == ["as soon as possible"])
        #expect(phrases("this is the third-time i've called") == ["third time"])
        #expect(phrases("i  need\nsomeone\tA.S.A.P.") == ["asap"])
        #expect(phrases("I'll be calling the Better Business Bureau.") == ["better business bureau"])
    }

    @Test(
        "negated mentions do not fire",
        arguments: [
            "Hi, it's not urgent, no rush at all.",
            "Just so you know there's no leak anymore, the plumber fixed it.",
            "It isn't really an emergency, call whenever.",
            "No refund needed, just wanted to say thanks.",
            "Nothing urgent, call me tomorrow.",
            "I don't smell gas anymore.",
        ])
    func negated(_ transcript: String) {
        #expect(phrases(transcript) == [])
    }

    @Test("a negation covers its own clause only, and not what came after 'still'")
    func negationLimits() {
        #expect(phrases("It's not an emergency, but there's smoke in the hallway.") == ["smoke"])
        #expect(phrases("No, fire! Please come now.") == ["fire"])
        #expect(phrases("It's been two weeks and still no refund.") == ["refund"])
        // "no heat" is a phrase of its own, "no" included.
        #expect(phrases("We have no heat and the kids are cold.") == ["no heat"])
        // A verb between a negation and the phrase: still a complaint.
        #expect(phrases("I didn't get my money back.") == ["money back"])
    }

    @Test("configured phrases are user text, normalised like the transcript")
    func userPhrases() {
        let custom = ContentRules(urgent: ["  Burst Pipe! "], complaint: ["won't pay"])
        let found = custom.matches(in: "There's a burst-pipe in the attic and honestly I wont pay for another visit")
        #expect(found.map(\.phrase) == ["  Burst Pipe! ", "won't pay"])
        #expect(found.map(\.kind) == [.urgent, .complaint])
        #expect(custom.matches(in: "The pipe burst") == [])
    }

    @Test("a clause of a word or two is shown with its sentence")
    func shortClause() {
        let found = rules.matches(in: "I called on Monday. Honestly, refund. That's all.")
        #expect(found.first?.excerpt == "Honestly, refund")
    }

    @Test("a long excerpt is cut around the phrase, with an ellipsis where it was cut")
    func longExcerpt() {
        let transcript =
            "so I was going to tell you that the guy who came out last week said everything was fine and then the pipe under the sink started leaking all over the floor again last night when we got home from dinner"
        let excerpt = rules.matches(in: transcript).first?.excerpt ?? ""
        #expect(excerpt.count <= ContentMatch.maxExcerpt)
        #expect(excerpt.count > 60)
        #expect(excerpt.hasPrefix("…"))
        #expect(excerpt.hasSuffix("…"))
        #expect(excerpt.contains("started leaking all over"))
    }

    @Test("nothing in an ordinary message")
    func ordinary() {
        #expect(phrases("Hi, this is Sam, calling about the quote for the bathroom, call me back when you can, thanks.") == [])
        #expect(phrases("") == [])
    }

    @Test("the defaults are valid")
    func defaultsValid() {
        #expect(ContentRules.defaults.validationError() == nil)
    }

    @Test("empty, wordless and repeated phrases are configuration errors")
    func validation() {
        #expect(ContentRules(urgent: ["leak"], complaint: ["refund", " "]).validationError() == "content.complaint: an empty phrase")
        #expect(ContentRules(urgent: [""], complaint: []).validationError() == "content.urgent: an empty phrase")
        #expect(ContentRules(urgent: ["!!!"], complaint: []).validationError() == "content.urgent: '!!!' has no words to match")
        #expect(ContentRules(urgent: ["Leak", "leak."], complaint: []).validationError() == "content.urgent: 'leak.' is listed twice")
        // An empty phrase never matches everything.
        #expect(ContentRules(urgent: [""], complaint: []).matches(in: "anything at all") == [])
    }
}
