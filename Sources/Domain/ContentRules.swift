import Foundation

/// Phrases in a voicemail's machine transcript that make the message urgent, or that
/// escalate it to the owner as a complaint (`content:` in the configuration).
///
/// Transcripts come from a small speech model: case, punctuation and spelling of short
/// words vary from one message to the next, so phrases are compared word by word after
/// both sides are normalised the same way (see `TranscriptWords`). Words match whole: a
/// phrase matches "flood" but not "floods" unless "floods" is configured too, because
/// guessing at stems ("review" → "reviewed", "fire" → "fired") trades one false positive
/// for another.
public struct ContentRules: Sendable, Equatable {
    /// Phrases that make a message urgent.
    public var urgent: [String]
    /// Phrases that escalate a message to the owner with reason `complaint`.
    public var complaint: [String]

    public init(urgent: [String], complaint: [String]) {
        self.urgent = urgent
        self.complaint = complaint
    }

    /// What a small business usually means by an emergency or an unhappy caller. Variants
    /// are listed where callers really say them ("flooded", "leaking"), since words match whole.
    public static let defaults = ContentRules(
        urgent: [
            "flood", "flooded", "flooding", "leak", "leaks", "leaking", "burst", "fire", "smoke",
            "gas smell", "smell gas", "smell of gas", "no heat", "no heating", "heating stopped", "freezing",
            "no hot water", "sparking", "emergency", "urgent", "as soon as possible", "asap",
        ],
        complaint: [
            "refund", "money back", "upset", "unhappy", "disappointed", "cancel", "lawyer",
            "attorney", "review", "third time", "still waiting", "nobody called", "no one called",
            "never called back", "never called me back", "complain", "complaint", "complaining",
            "complained", "unacceptable", "not happy", "better business bureau",
        ])

    /// The first problem with the configured phrases, as a sentence naming the key, or nil.
    /// An empty phrase would otherwise match nothing silently; a phrase of punctuation only
    /// ("!!!") has no words to match either.
    public func validationError() -> String? {
        for kind in [ContentMatch.Kind.urgent, .complaint] {
            var seen: Set<[String]> = []
            for phrase in phrases(of: kind) {
                let key = "content.\(kind.rawValue)"
                if phrase.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return "\(key): an empty phrase" }
                let words = TranscriptWords(phrase).texts
                if words.isEmpty { return "\(key): '\(phrase)' has no words to match" }
                if !seen.insert(words).inserted { return "\(key): '\(phrase)' is listed twice" }
            }
        }
        return nil
    }

    /// Every configured phrase found in the transcript: urgent ones first, then complaints,
    /// each kind in the order the caller said them. A phrase is reported once, at its first
    /// occurrence that is not negated ("it's not an emergency").
    public func matches(in transcript: String) -> [ContentMatch] {
        let words = TranscriptWords(transcript)
        return [ContentMatch.Kind.urgent, .complaint].flatMap { kind in
            matches(of: kind, in: words)
        }
    }

    func phrases(of kind: ContentMatch.Kind) -> [String] {
        switch kind {
        case .urgent: urgent
        case .complaint: complaint
        }
    }

    private func matches(of kind: ContentMatch.Kind, in words: TranscriptWords) -> [ContentMatch] {
        var seen: Set<[String]> = []
        var found: [(start: Int, match: ContentMatch)] = []
        for phrase in phrases(of: kind) {
            let wanted = TranscriptWords(phrase).texts
            // Invalid (empty) phrases are the loader's to report; here they match nothing.
            guard !wanted.isEmpty, seen.insert(wanted).inserted else { continue }
            guard let start = words.firstUnnegated(wanted) else { continue }
            let excerpt = words.excerpt(from: start, through: start + wanted.count - 1)
            found.append((start, ContentMatch(kind: kind, phrase: phrase, excerpt: excerpt)))
        }
        // Stable: two phrases starting at one word keep their configured order.
        return found.enumerated()
            .sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }
            .map(\.element.match)
    }
}

/// One configured phrase found in a transcript.
public struct ContentMatch: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case urgent, complaint
    }

    public var kind: Kind
    /// The phrase as configured.
    public var phrase: String
    /// The caller's words around it: the clause that holds the phrase (the sentence, when
    /// the clause is only a word or two), as transcribed, at most `maxExcerpt` characters
    /// with "…" where it was cut.
    public var excerpt: String

    public init(kind: Kind, phrase: String, excerpt: String) {
        self.kind = kind
        self.phrase = phrase
        self.excerpt = excerpt
    }

    /// For logs and the owner's escalation note: `complaint: 'I want a refund'`.
    public var description: String { "\(kind.rawValue): '\(excerpt)'" }

    public static let maxExcerpt = 80
}

/// A transcript as the words rules compare, each with where it stands in the text.
///
/// A word is a run of letters and digits, lower-cased and without accents; an apostrophe
/// inside a word is dropped ("don't" → "dont", so "dont" and "don't" match each other), and
/// anything else separates words, which is how a phrase matches across whatever
/// punctuation the model put between its words ("as soon as, possible", "third-time").
/// Letters spelt out with dots ("A.S.A.P.") are read as one word.
struct TranscriptWords {
    struct Word {
        var text: String
        var range: Range<String.Index>
        /// A comma, colon, dash or sentence end stands between this word and the one before.
        var clauseBreakBefore: Bool
        /// A full stop, question or exclamation mark, or a new line stands before it.
        var sentenceBreakBefore: Bool
    }

    let source: String
    private(set) var words: [Word] = []

    var texts: [String] { words.map(\.text) }

    init(_ source: String) {
        self.source = source
        var index = source.startIndex
        var gapStart = index
        while index < source.endIndex {
            guard Self.isWordCharacter(source[index]) else {
                index = source.index(after: index)
                continue
            }
            let (text, end) = Self.word(in: source, from: index)
            append(text: text, range: index..<end, gap: source[gapStart..<index])
            index = end
            gapStart = end
        }
    }

    private static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber }
    private static let apostrophes: Set<Character> = ["'", "’", "‘", "`"]
    private static let sentenceEnds: Set<Character> = [".", "!", "?", "…", "\n", "\r\n"]
    private static let clauseEnds: Set<Character> = [",", ";", ":", "—", "–", "(", ")", "\""]

    /// The word starting at `start`, and where it ends.
    private static func word(in source: String, from start: String.Index) -> (String, String.Index) {
        var text = ""
        var index = start
        while index < source.endIndex {
            let c = source[index]
            if isWordCharacter(c) {
                text.append(c)
            } else if apostrophes.contains(c), !text.isEmpty,
                let next = source.index(index, offsetBy: 1, limitedBy: source.endIndex), next < source.endIndex,
                isWordCharacter(source[next])
            {
                // Inside a word: "don't", "o’clock".
            } else {
                break
            }
            index = source.index(after: index)
        }
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        return (folded, index)
    }

    private mutating func append(text: String, range: Range<String.Index>, gap: Substring) {
        // "A.S.A.P.": single letters joined by single dots are one spelt-out word.
        if gap == ".", text.count == 1, text.first?.isLetter == true, let last = words.last,
            last.text.allSatisfy(\.isLetter), Self.isSpeltOut(last, in: source)
        {
            words[words.count - 1].text += text
            words[words.count - 1].range = last.range.lowerBound..<range.upperBound
            return
        }
        let sentence = gap.contains(where: Self.sentenceEnds.contains)
        let clause = sentence || gap.contains(where: Self.clauseEnds.contains)
        words.append(Word(text: text, range: range, clauseBreakBefore: clause, sentenceBreakBefore: sentence))
    }

    /// A word made only of dotted single letters so far: "A" or "A.S".
    private static func isSpeltOut(_ word: Word, in source: String) -> Bool {
        let letters = source[word.range].split(separator: ".")
        return letters.allSatisfy { $0.count == 1 }
    }

    // MARK: Matching

    /// Where `phrase` first occurs, not negated, as the index of its first word.
    func firstUnnegated(_ phrase: [String]) -> Int? {
        guard phrase.count <= words.count else { return nil }
        for start in 0...(words.count - phrase.count) where matches(phrase, at: start) {
            if !isNegated(at: start) { return start }
        }
        return nil
    }

    private func matches(_ phrase: [String], at start: Int) -> Bool {
        phrase.indices.allSatisfy { words[start + $0].text == phrase[$0] }
    }

    /// Words that deny what follows them in the same clause.
    static let negators: Set<String> = [
        "no", "not", "never", "nothing", "isnt", "wasnt", "arent", "aint", "dont", "doesnt", "nor",
    ]
    /// Words that may stand between a negator and the phrase it denies: "not really urgent",
    /// "isn't an emergency", "no sign of any smoke" is not covered (two content words).
    static let fillers: Set<String> = [
        "a", "an", "any", "the", "that", "too", "so", "very", "really", "super", "exactly", "actually",
        "real", "such",
    ]

    /// Negation, handled cheaply because it is common in exactly these messages ("it's not
    /// urgent", "no emergency, just…", "there's no leak anymore"): a phrase is denied when a
    /// negator stands before it in the same clause with at most two fillers between.
    /// "still no refund" is a complaint all the same, so "still" before the negator undoes it.
    /// Anything subtler ("I don't think it's a leak") is left matching: a needless urgent
    /// flag costs a quicker callback, a missed one costs a flooded kitchen.
    func isNegated(at start: Int) -> Bool {
        var index = start - 1
        var fillersSeen = 0
        while index >= 0, !words[index + 1].clauseBreakBefore {
            let text = words[index].text
            if Self.negators.contains(text) {
                let stillBefore = index > 0 && !words[index].clauseBreakBefore && words[index - 1].text == "still"
                return !stillBefore
            }
            guard Self.fillers.contains(text), fillersSeen < 2 else { return false }
            fillersSeen += 1
            index -= 1
        }
        return false
    }

    // MARK: Excerpts

    /// The clause holding words `first...last`, or the sentence when the clause has fewer
    /// than four words ("Refund." on its own says little), cut to `ContentMatch.maxExcerpt`.
    func excerpt(from first: Int, through last: Int) -> String {
        var span = extent(from: first, through: last, breakBefore: \.clauseBreakBefore)
        if span.count < 4 { span = extent(from: first, through: last, breakBefore: \.sentenceBreakBefore) }
        return fitted(span, keeping: first...last)
    }

    private func extent(from first: Int, through last: Int, breakBefore: KeyPath<Word, Bool>) -> ClosedRange<Int> {
        var start = first
        while start > 0, !words[start][keyPath: breakBefore] { start -= 1 }
        var end = last
        while end + 1 < words.count, !words[end + 1][keyPath: breakBefore] { end += 1 }
        return start...end
    }

    /// The text of `span`, widened from the match one word at a time on either side while
    /// it fits, with "…" on each side that was cut.
    private func fitted(_ span: ClosedRange<Int>, keeping match: ClosedRange<Int>) -> String {
        let limit = ContentMatch.maxExcerpt
        if let whole = text(span), whole.count <= limit { return whole }
        var window = match
        var grew = true
        while grew {
            // One word on the left, then one on the right, so the phrase stays in the middle.
            let left = widened(window, by: (-1, 0), within: span, limit: limit)
            let both = widened(left, by: (0, 1), within: span, limit: limit)
            grew = both != window
            window = both
        }
        let result = decorated(window, in: span)
        // A configured phrase longer than the limit on its own.
        return result.count <= limit ? result : String(result.prefix(limit - 1)) + "…"
    }

    private func widened(
        _ window: ClosedRange<Int>, by step: (Int, Int), within span: ClosedRange<Int>, limit: Int
    ) -> ClosedRange<Int> {
        let lower = window.lowerBound + step.0
        let upper = window.upperBound + step.1
        guard span.contains(lower), span.contains(upper) else { return window }
        return decorated(lower...upper, in: span).count <= limit ? lower...upper : window
    }

    private func decorated(_ window: ClosedRange<Int>, in span: ClosedRange<Int>) -> String {
        let body = text(window) ?? ""
        let before = window.lowerBound > span.lowerBound ? "…" : ""
        let after = window.upperBound < span.upperBound ? "…" : ""
        return before + body + after
    }

    /// The transcript from the first word's start to the last word's end, on one line.
    private func text(_ span: ClosedRange<Int>) -> String? {
        guard span.lowerBound >= 0, span.upperBound < words.count else { return nil }
        let raw = source[words[span.lowerBound].range.lowerBound..<words[span.upperBound].range.upperBound]
        return raw.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
