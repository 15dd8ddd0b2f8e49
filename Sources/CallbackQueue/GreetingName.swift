import Foundation

/// The name staff greet a caller by when they call back ("Hi Jane", "Hi Dr. Patel"), or
/// nil to greet without one.
///
/// A Caller ID name is often not a person's name at all: carriers send placeholders
/// ("WIRELESS CALLER"), the place the number belongs to ("BROOKLYN    NY"), the number
/// itself, or a business; and they write personal names in capitals, surname first
/// ("SMITH JOHN"). A wrong name is worse than none, so every rule here errs towards nil.
public enum GreetingName {
    public static func from(_ name: String?) -> String? {
        guard let text = name?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }

        // A number, an extension or "*67" is not a name, and neither is anything with a
        // number in it: letters must be most of what is there.
        if text.contains(where: \.isNumber) { return nil }
        let letters = text.filter(\.isLetter).count
        if letters * 2 <= text.filter({ !$0.isWhitespace }).count { return nil }
        // Two people ("Bob & Jane", "Smith/Jones"), a business ("Smith & Sons") or junk.
        if text.contains(where: { "&/;+@#|".contains($0) }) { return nil }

        let words = text.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        if words.allSatisfy(placeholderWords.contains) { return nil }
        if words.contains(where: businessWords.contains) || words.first == "the" { return nil }
        // "Joe's Pizza": a first name is never possessive.
        if text.lowercased().split(whereSeparator: \.isWhitespace).contains(where: { $0.hasSuffix("'s") || $0.hasSuffix("’s") }) {
            return nil
        }
        // Capitals only (how carriers write CNAM, surname first) or lower case only: the
        // case gives no hint which word is the given name, so none is guessed.
        let hasUpper = text.contains(where: \.isUppercase)
        let hasLower = text.contains(where: \.isLowercase)
        if hasUpper != hasLower { return nil }

        var tokens = text.replacingOccurrences(of: ",", with: ", ").split(whereSeparator: \.isWhitespace).map(String.init)
            // A quoted or bracketed nickname ("Jane \"JJ\" O'Brien") is not the given name.
            .filter { !(isQuoted($0) || $0.hasPrefix("(") || $0.hasSuffix(")")) }
        // A place: a city followed by a US state or Canadian province code ("Brooklyn NY").
        if tokens.count >= 2, let last = tokens.last?.trimmingCharacters(in: .punctuationCharacters),
            regionCodes.contains(last)
        {
            return nil
        }
        tokens = naturalOrder(tokens)
        while let last = tokens.last, tokens.count > 1, suffixes.contains(bare(last)) { tokens.removeLast() }
        guard let first = tokens.first else { return nil }

        if titles.contains(bare(first)) {
            let rest = Array(tokens.dropFirst())
            guard let surname = surname(rest) else { return nil }
            return "\(first) \(surname)"
        }
        guard isNameWord(first) else { return nil }
        return first
    }

    /// "Smith, John" (surname, comma, given names) in the order it is said; a comma before
    /// suffixes only ("John Smith, Jr.") is dropped.
    static func naturalOrder(_ tokens: [String]) -> [String] {
        guard let comma = tokens.firstIndex(where: { $0.contains(",") }) else { return tokens }
        let before = tokens[...comma].map { $0.replacingOccurrences(of: ",", with: "") }.filter { !$0.isEmpty }
        let after = tokens[tokens.index(after: comma)...].map { $0.replacingOccurrences(of: ",", with: "") }.filter { !$0.isEmpty }
        if after.allSatisfy({ suffixes.contains(bare($0)) }) { return before + after }
        return after + before
    }

    /// The surname after a title: the last word, or everything from a particle on
    /// ("Van Dyke", "de la Cruz"). Initials are not said.
    static func surname(_ tokens: [String]) -> String? {
        let words = tokens.filter { $0.filter(\.isLetter).count > 1 }
        guard let last = words.last, isNameWord(last) else { return nil }
        let start = words.dropLast().firstIndex(where: { particles.contains($0.lowercased()) }) ?? words.count - 1
        let surname = words[start...]
        guard surname.allSatisfy({ isNameWord($0) || particles.contains($0.lowercased()) }) else { return nil }
        return surname.joined(separator: " ")
    }

    /// Two or more letters, with apostrophes or hyphens only between letters ("O'Brien",
    /// "Mary-Kate"); not an initial ("J."), not a word with other punctuation.
    static func isNameWord(_ word: String) -> Bool {
        let characters = Array(word)
        guard characters.filter(\.isLetter).count >= 2, let first = characters.first, let last = characters.last,
            first.isLetter, last.isLetter
        else { return false }
        return characters.allSatisfy { $0.isLetter || "'’-".contains($0) }
    }

    static func isQuoted(_ word: String) -> Bool {
        let quotes: Set<Character> = ["\"", "“", "”"]
        return word.count >= 2 && word.first.map(quotes.contains) == true && word.last.map(quotes.contains) == true
    }

    /// Lower case, without the full stops of abbreviations ("Dr." → "dr", "Ph.D." → "phd").
    static func bare(_ word: String) -> String {
        word.lowercased().filter { $0 != "." && $0 != "," }
    }

    /// Words carriers and phone systems put where a name should be. A name made only of
    /// these ("WIRELESS CALLER", "OUT OF AREA", "Cell Phone") is not a name.
    static let placeholderWords: Set<String> = Caller.withheldMarkers.union([
        "wireless", "caller", "cell", "cellular", "phone", "mobile", "telephone", "name", "number", "id",
        "out", "of", "area", "toll", "free", "tollfree", "pay", "payphone", "not", "no", "available", "blocked",
        "international", "intl", "unlisted", "nonpublished", "non", "published", "voip", "landline", "line",
        "info", "information",
    ])

    /// Words that make a Caller ID name a business or an institution.
    static let businessWords: Set<String> = [
        "llc", "inc", "incorporated", "co", "corp", "corporation", "company", "ltd", "limited", "llp", "lp", "pllc",
        "pc", "plc", "gmbh", "holdings", "group", "associates", "assoc", "enterprises", "industries", "services",
        "service", "svc", "svcs", "supply", "supplies", "solutions", "systems", "technologies", "partners", "sons",
        "bros", "hospital", "clinic", "school", "university", "college", "bank", "dept", "department", "office",
        "center", "centre", "pharmacy", "restaurant", "pizza", "hotel", "insurance", "realty", "motors", "auto",
        "dental", "medical", "county", "city", "government", "agency", "store", "shop", "market", "plumbing",
        "electric", "construction", "repair", "cleaners", "salon", "studio",
    ]

    /// Titles said with the surname ("Dr. Patel", "Mrs Jones").
    static let titles: Set<String> = [
        "dr", "doctor", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "rev", "reverend", "fr", "father",
        "pastor", "rabbi",
    ]

    /// What follows a name and is not said in a greeting. "MD" and "PA" are left out: as
    /// state codes they make the name a place instead.
    static let suffixes: Set<String> = ["jr", "sr", "ii", "iii", "iv", "phd", "dds", "dvm", "esq", "cpa", "rn"]

    /// Words that begin a surname ("Van Dyke", "de la Cruz").
    static let particles: Set<String> = [
        "van", "von", "de", "del", "della", "der", "den", "di", "da", "du", "dos", "das", "la", "le", "st", "st.",
        "ter", "ten", "bin", "ibn",
    ]

    /// US states, territories and Canadian provinces, as carriers append them to a place.
    static let regionCodes: Set<String> = [
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
        "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
        "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "VI", "GU",
        "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
    ]
}
