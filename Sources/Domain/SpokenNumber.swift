import Foundation

/// The callback number a caller read out in their message ("call me back on my cell,
/// six four six, five five five, oh one nine eight"), found in the machine transcript.
///
/// The transcript writes numbers every way at once: digits ("646-555-0198"), words ("six
/// four six"), both ("6 4 6, 5 5 5"), "oh" for zero, "double five", "eight hundred".
/// The finder reads runs of digits and number words joined by the punctuation people
/// and the model put between groups, and keeps a run only if the whole of it is a valid
/// number for the region. A wrong number is worse than none, so it answers nil rather
/// than guess: when no run is valid, and when two different valid numbers were said.
public enum SpokenNumber {
    /// The one phone number read out in the transcript that is valid for `region` (ISO
    /// 3166 code such as `US` or `GB`), or nil: none, more than one different valid number
    /// (ambiguous — never guess), or only invalid ones. The same number said twice counts once.
    public static func find(in transcript: String, region: String) -> PhoneNumber? {
        let lexemes = Lexeme.read(transcript)
        var found: Set<PhoneNumber> = []
        for reading in [OhReading.touchingDigits, .betweenPauses] {
            for run in DigitRun.all(in: lexemes, reading: reading) where !run.isObviouslyNotAPhone(in: lexemes) {
                found.formUnion(run.numbers(region: region))
            }
        }
        return found.count == 1 ? found.first : nil
    }
}

/// A piece of transcript: a digit string as written, a lower-cased word, or one mark.
struct Lexeme: Equatable {
    enum Kind: Equatable { case digits, word, mark }
    var kind: Kind
    var text: String
    /// Whitespace stands between it and the lexeme before.
    var spaced: Bool

    static func read(_ transcript: String) -> [Lexeme] {
        var lexemes: [Lexeme] = []
        var spaced = false
        for character in transcript {
            if character.isWhitespace {
                spaced = true
                continue
            }
            let kind: Kind = character.isASCIIDigit ? .digits : (character.isLetter ? .word : .mark)
            // An apostrophe inside a word ("o'clock") belongs to it; elsewhere it is a mark.
            if kind == .mark, "'’".contains(character), !spaced, lexemes.last?.kind == .word { continue }
            if kind != .mark, !spaced, let last = lexemes.last, last.kind == kind {
                lexemes[lexemes.count - 1].text.append(contentsOf: character.lowercased())
            } else {
                lexemes.append(Lexeme(kind: kind, text: character.lowercased(), spaced: spaced))
            }
            spaced = false
        }
        return lexemes
    }

    var isDigits: Bool { kind == .digits }
    func isWord(_ words: Set<String>) -> Bool { kind == .word && words.contains(text) }
    func isMark(_ marks: String) -> Bool { kind == .mark && marks.contains(text) }
}

/// When "oh" set apart by pauses is a zero. "five five five, oh, one nine eight" is a
/// number; "…0198. Oh, one more thing" is not. The finder reads the transcript both ways
/// and lets validity decide: only a reading that makes a valid number counts, and two
/// readings making different valid numbers are ambiguous like any two numbers.
enum OhReading {
    /// Zero only when touching a digit: "two oh", "oh two".
    case touchingDigits
    /// Also zero between digits across separators: "five, oh, one".
    case betweenPauses
}

/// Number words as a speech model writes them.
enum NumberWords {
    static let units = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
        "eight": 8, "nine": 9,
    ]
    static let teens = [
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    ]
    static let tens = [
        "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90,
    ]
    /// Zero as a letter: only between or before digits, since "oh" is also just "oh".
    static let letterZero: Set<String> = ["oh", "o"]
    static let repeats = ["double": 2, "triple": 3]
    static var all: Set<String> {
        Set(units.keys).union(teens.keys).union(tens.keys).union(letterZero).union(repeats.keys)
    }
}

/// Digits read out together, in the groups they were said or written in.
struct DigitRun {
    /// Each said or written piece: "646", "6", "42" (from "forty two"), "55" (from "double five").
    var groups: [String]
    /// Said with a leading plus ("+44", "plus four four").
    var international: Bool
    /// Lexemes `range` of the transcript, plus sign included.
    var range: Range<Int>

    var digits: String { groups.joined() }

    /// Marks and words allowed between groups of one number: "646-555-0198",
    /// "(646) 555.0198", "6 4 6, 5 5 5", "6-4-6. 5-5-5.", "five five and five".
    static let separatorMarks = "-–,./()"
    static let separatorWords: Set<String> = ["and"]

    /// Every run in the transcript, in order.
    static func all(in lexemes: [Lexeme], reading: OhReading) -> [DigitRun] {
        var runs: [DigitRun] = []
        var index = 0
        while index < lexemes.count {
            if let run = DigitRun(lexemes, from: index, reading: reading) {
                runs.append(run)
                index = run.range.upperBound
            } else {
                index += 1
            }
        }
        return runs
    }

    /// The run starting at `start`, if a number starts there.
    init?(_ lexemes: [Lexeme], from start: Int, reading: OhReading) {
        var index = start
        international = false
        if lexemes[index].isMark("+") || lexemes[index].isWord(["plus"]) {
            guard index + 1 < lexemes.count, Self.group(lexemes, at: index + 1, inRun: false, reading: reading) != nil else { return nil }
            international = true
            index += 1
        }
        guard let (first, firstEnd) = Self.group(lexemes, at: index, inRun: false, reading: reading) else { return nil }
        groups = [first]
        var end = firstEnd
        // After each group: any separators, then another group, or the run is over.
        while true {
            if end < lexemes.count, lexemes[end].isWord(["hundred"]),
                let (hundreds, hundredsEnd) = Self.hundreds(after: groups, lexemes, at: end)
            {
                groups[groups.count - 1] = hundreds
                end = hundredsEnd
                continue
            }
            var next = end
            while next < lexemes.count, Self.isSeparator(lexemes[next]) { next += 1 }
            guard next < lexemes.count, let (group, groupEnd) = Self.group(lexemes, at: next, inRun: true, reading: reading) else { break }
            groups.append(group)
            end = groupEnd
        }
        range = start..<end
    }

    static func isSeparator(_ lexeme: Lexeme) -> Bool {
        lexeme.isMark(separatorMarks) || lexeme.isWord(separatorWords)
    }

    /// One group at `index` and where it ends: digits as written, or number words. An hour
    /// ("5 o'clock", "six pm") is no group, so "212-555-0123, 5 o'clock is best" ends the
    /// number before the 5 instead of spoiling it.
    static func group(_ lexemes: [Lexeme], at index: Int, inRun: Bool, reading: OhReading) -> (String, Int)? {
        guard let (digits, end) = numeral(lexemes, at: index, inRun: inRun, reading: reading),
            !isHour(lexemes, at: end)
        else { return nil }
        return (digits, end)
    }

    /// Words that make the number before them an hour.
    static let hourWords: Set<String> = ["am", "pm", "oclock"]

    /// "am", "pm" or "o'clock" at `index`, also spelt "a.m." or "p.m.".
    private static func isHour(_ lexemes: [Lexeme], at index: Int) -> Bool {
        guard index < lexemes.count else { return false }
        if lexemes[index].isWord(hourWords) { return true }
        return lexemes[index].isWord(["a", "p"]) && index + 2 < lexemes.count && lexemes[index + 1].isMark(".")
            && lexemes[index + 2].isWord(["m"])
    }

    private static func numeral(_ lexemes: [Lexeme], at index: Int, inRun: Bool, reading: OhReading) -> (String, Int)? {
        let lexeme = lexemes[index]
        if lexeme.isDigits { return isClock(lexemes, at: index) ? nil : (lexeme.text, index + 1) }
        guard lexeme.kind == .word else { return nil }
        let word = lexeme.text
        if let unit = NumberWords.units[word] { return (String(unit), index + 1) }
        if let teen = NumberWords.teens[word] { return (String(teen), index + 1) }
        if let tens = NumberWords.tens[word] { return Self.tens(tens, lexemes, at: index) }
        if NumberWords.letterZero.contains(word), isZero(lexemes, at: index, inRun: inRun, reading: reading) { return ("0", index + 1) }
        if let times = NumberWords.repeats[word], index + 1 < lexemes.count,
            let digit = singleDigit(lexemes[index + 1])
        {
            return (String(repeating: digit, count: times), index + 2)
        }
        return nil
    }

    /// Digits either side of a colon that touches them ("5:30", "10:15am") are a time,
    /// and never part of a run: "at 5:30, 646-555-0198" must not read as 30646…
    private static func isClock(_ lexemes: [Lexeme], at index: Int) -> Bool {
        /// Digits, a colon and digits from `first`, each touching the one before.
        func clock(from first: Int) -> Bool {
            guard first >= 0, first + 2 < lexemes.count else { return false }
            return lexemes[first].isDigits && lexemes[first + 1].isMark(":") && lexemes[first + 2].isDigits
                && !lexemes[first + 1].spaced && !lexemes[first + 2].spaced
        }
        return clock(from: index) || clock(from: index - 2)
    }

    /// "forty two" and "forty-two" are 42; "forty" alone is 40.
    private static func tens(_ value: Int, _ lexemes: [Lexeme], at index: Int) -> (String, Int) {
        var next = index + 1
        if next < lexemes.count, lexemes[next].isMark("-"), !lexemes[next].spaced { next += 1 }
        if next < lexemes.count, lexemes[next].kind == .word, let unit = NumberWords.units[lexemes[next].text], unit > 0 {
            return (String(value + unit), next + 1)
        }
        return (String(value), index + 1)
    }

    /// "oh" is zero when it is read among digits: right after one with only a space
    /// between ("two oh"), or right before one ("oh two oh…", "oh-one"); reading
    /// `betweenPauses`, also with separators both sides ("five, oh, one"). "…0198. Oh,
    /// and thanks" and "Oh, hi" stay words either way.
    private static func isZero(_ lexemes: [Lexeme], at index: Int, inRun: Bool, reading: OhReading) -> Bool {
        if inRun, index > 0, isNumeral(lexemes[index - 1]) { return true }
        var next = index + 1
        if next < lexemes.count, lexemes[next].isMark("-") { next += 1 }
        if next < lexemes.count, isNumeral(lexemes[next]) { return true }
        guard inRun, reading == .betweenPauses else { return false }
        // A run only reaches this "oh" across separators after a digit; what follows decides.
        next = index + 1
        while next < lexemes.count, isSeparator(lexemes[next]) { next += 1 }
        return next < lexemes.count && isNumeral(lexemes[next])
    }

    private static func isNumeral(_ lexeme: Lexeme) -> Bool {
        lexeme.isDigits || lexeme.isWord(NumberWords.all)
    }

    /// The digit after "double" or "triple": "five", "oh", "5".
    private static func singleDigit(_ lexeme: Lexeme) -> String? {
        if lexeme.isDigits, lexeme.text.count == 1 { return lexeme.text }
        guard lexeme.kind == .word else { return nil }
        if NumberWords.letterZero.contains(lexeme.text) { return "0" }
        return NumberWords.units[lexeme.text].map(String.init)
    }

    /// "eight hundred" is 800 and "nineteen hundred" 1900, the way toll-free prefixes and
    /// area codes are said; "two hundred twelve" is 212. A unit after "hundred" is the next
    /// digit, not a sum ("eight hundred five five five…" is 800 555…). Only a group of
    /// one word's worth (1–19) can take "hundred".
    private static func hundreds(after groups: [String], _ lexemes: [Lexeme], at index: Int) -> (String, Int)? {
        guard let last = groups.last, let value = Int(last), (1...19).contains(value), last.first != "0" else { return nil }
        var next = index + 1
        while next < lexemes.count, lexemes[next].isWord(separatorWords) { next += 1 }
        if next < lexemes.count, lexemes[next].kind == .word {
            if let teen = NumberWords.teens[lexemes[next].text] { return (String(value * 100 + teen), next + 1) }
            if let tens = NumberWords.tens[lexemes[next].text] {
                let (sum, end) = Self.tens(tens, lexemes, at: next)
                return (String(value) + sum, end)
            }
        }
        return (String(value * 100), index + 1)
    }
}

extension DigitRun {
    /// Words after a run that make it money, a time or a quantity, not a phone number.
    static let followingNotPhone: Set<String> = [
        "dollars", "dollar", "bucks", "cents", "pounds", "quid", "euros", "grand", "thousand", "million",
        "percent", "minutes", "hours", "days", "years",
    ]
    /// Words shortly after a run that make it a street address ("123 Main Street").
    static let streetWords: Set<String> = [
        "street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "highway", "hwy", "parkway",
    ]
    /// Words shortly before a run that make it some other number ("my account number is…").
    static let precedingNotPhone: Set<String> = [
        "account", "order", "invoice", "reference", "confirmation", "policy", "ticket", "claim",
        "serial", "tracking", "member", "card", "routing", "zip", "postcode", "pin",
    ]

    /// Money ("$500", "five hundred dollars"), quantities ("ten minutes"), addresses and
    /// labelled account numbers, whatever their length.
    func isObviouslyNotAPhone(in lexemes: [Lexeme]) -> Bool {
        let before = lexemes[..<range.lowerBound]
        let after = lexemes[range.upperBound...]
        if let mark = before.last, mark.isMark("$£€#") { return true }
        if let next = after.first, next.isMark("%") || next.isWord(Self.followingNotPhone) { return true }
        let wordsAfter = after.prefix(while: { $0.kind == .word }).prefix(3)
        if wordsAfter.contains(where: { $0.isWord(Self.streetWords) }) { return true }
        let wordsBefore = before.suffix(3)
        return wordsBefore.contains(where: { $0.isWord(Self.precedingNotPhone) })
    }

    /// The valid numbers this run reads as: itself when the whole run is one, or else the
    /// numbers it splits into at group boundaries when every piece is one ("646-555-0198,
    /// 646-555-0198" said twice without a word between). A run that is neither is not a
    /// phone number at all; it is never searched for a valid number inside it.
    func numbers(region: String) -> Set<PhoneNumber> {
        if let whole = PhoneNumber.spoken(digits: digits, international: international, region: region) {
            return [whole]
        }
        return piecesOfEveryPartition(region: region)
    }

    /// The numbers in any split of the groups into consecutive valid numbers. Several
    /// splits giving different numbers all count, so the finder sees the ambiguity.
    private func piecesOfEveryPartition(region: String) -> Set<PhoneNumber> {
        let count = groups.count
        // valid[i][j]: groups i..<j read as a number (only the first piece keeps the plus).
        var valid: [Int: [Int: PhoneNumber]] = [:]
        for i in 0..<count {
            var digits = ""
            for j in (i + 1)...count {
                digits += groups[j - 1]
                if digits.count > 15 { break }
                if let number = PhoneNumber.spoken(digits: digits, international: international && i == 0, region: region) {
                    valid[i, default: [:]][j] = number
                }
            }
        }
        // reachable from the start, and able to reach the end, through valid pieces.
        var fromStart = Set([0])
        for i in 0..<count where fromStart.contains(i) { fromStart.formUnion(valid[i, default: [:]].keys) }
        var toEnd = Set([count])
        for i in (0..<count).reversed() where valid[i, default: [:]].keys.contains(where: toEnd.contains) { toEnd.insert(i) }
        guard fromStart.contains(count) else { return [] }
        var numbers: Set<PhoneNumber> = []
        for (i, ends) in valid where fromStart.contains(i) {
            for (j, number) in ends where toEnd.contains(j) { numbers.insert(number) }
        }
        return numbers
    }
}
