import Foundation

/// The name staff greet a caller by when they call back ("Hi Jane", "Hi Dr. Patel"), or
/// nil to greet without one.
///
/// A Caller ID name is often not a person's name at all: carriers send placeholders
/// ("WIRELESS CALLER"), the place the number belongs to ("BROOKLYN    NY"), the number
/// itself, or a business; and they write personal names in capitals, surname first
/// ("SMITH JOHN"). A wrong name is worse than none, so every rule here errs towards nil.
///
/// Every rule about what a Caller ID name is (a placeholder, a business, a place, a
/// person) lives in this file, so the greeting, the stored name and every page agree.
public enum GreetingName {
    public static func from(_ name: String?) -> String? {
        guard let text = name?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        if CallerIDName.isPlaceholder(text) { return nil }

        // A number, an extension or "*67" is not a name, and neither is anything with a
        // number in it: letters must be most of what is there.
        if text.contains(where: \.isNumber) { return nil }
        let letters = text.filter(\.isLetter).count
        if letters * 2 <= text.filter({ !$0.isWhitespace }).count { return nil }
        // Two people ("Bob & Jane", "Smith/Jones"), a business ("Smith & Sons") or junk.
        if text.contains(where: { "&/;+@#|".contains($0) }) { return nil }

        let words = text.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        // A business, an institution or a place in it ("Alarm Monitoring", "Front Gate").
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

    /// Words that make a Caller ID name a business, an institution, a household or a place
    /// in a building rather than a person: a name with one of them is never greeted
    /// ("Alarm Monitoring", "Front Gate", "Verizon Wireless", "Smith Residence"). Words
    /// that are also common given names or surnames ("Bill", "Church", "Gates", "West",
    /// "Law") are left out: they would cost real people their greeting.
    static let businessWords: Set<String> = [
        // Legal forms and the words of company names.
        "llc", "inc", "incorporated", "co", "corp", "corporation", "company", "ltd", "limited", "llp", "lp", "pllc",
        "pc", "plc", "gmbh", "holdings", "group", "associates", "assoc", "enterprises", "industries", "services",
        "service", "svc", "svcs", "supply", "supplies", "solutions", "systems", "technologies", "tech", "partners",
        "sons", "bros", "international", "global", "national", "federal", "united", "america", "american", "usa",
        "agency", "association", "assn", "foundation", "institute", "society", "club", "union", "council", "committee",
        "management", "mgmt", "consulting", "staffing", "marketing", "media", "logistics", "express",
        // Trades and shops.
        "store", "shop", "market", "plumbing", "electric", "electrical", "construction", "repair", "repairs", "cleaners",
        "cleaning", "salon", "studio", "pizza", "restaurant", "cafe", "coffee", "bakery", "deli", "grill", "diner", "pub",
        "catering", "foods", "grocery", "liquor", "florist", "boutique", "spa", "fitness", "gym", "hotel",
        "motel", "inn", "resort", "travel", "insurance", "realty", "realtors", "properties", "property", "rentals",
        "rental", "motors", "auto", "automotive", "towing", "taxi", "courier", "delivery", "freight", "shipping",
        "transport", "transit", "roofing", "heating", "cooling", "hvac", "landscaping", "locksmith", "movers", "moving",
        "storage", "pest", "printing", "pharmacy", "bank", "credit", "loans", "mortgage", "financial", "finance",
        "investments", "accounting", "tax", "legal", "attorneys", "lawyers",
        // Carriers and utilities.
        "wireless", "telecom", "communications", "networks", "cable", "internet", "utilities", "utility", "energy",
        "gas", "water",
        // Care and institutions.
        "hospital", "clinic", "medical", "dental", "health", "healthcare", "physicians", "pediatrics", "therapy",
        "optical", "surgery", "imaging", "radiology", "rehab", "nursing", "hospice", "veterinary", "vet", "animal",
        "daycare", "school", "academy", "university", "college", "library", "museum", "ministries",
        "county", "city", "town", "township", "municipal", "district", "government", "dept", "department", "division",
        "police", "sheriff", "fire", "ems", "ambulance", "rescue", "emergency", "dispatch", "airport", "station",
        // Alarms, answering services, and places in a building that have a phone of their own.
        "alarm", "alarms", "monitoring", "security", "answering", "hotline", "helpdesk", "support", "sales", "billing",
        "accounts", "payroll", "admissions", "office", "center", "centre", "reception", "lobby", "front", "desk",
        "gate", "door", "doorbell", "intercom", "entrance", "entry", "callbox", "elevator", "lift", "parking", "garage",
        "warehouse", "factory", "kitchen", "lab", "labs", "laboratory", "room", "conference", "suite", "unit",
        "floor", "tower", "building", "apartments", "apts", "condos", "residence", "residences", "household", "home",
        "family", "fax", "modem", "pager",
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

/// Whether a Caller ID name is a name at all: phone systems put placeholders where a name
/// should be ("No CID", "WIRELESS CALLER", "<unknown>", "Out of area"), or the number
/// again. A placeholder is never kept, shown or greeted as the caller's name.
public enum CallerIDName {
    /// The name to keep for a caller: `name` trimmed, or nil when it is a placeholder or
    /// the caller's number itself (`numbers`: the number as the phone system wrote it, and
    /// normalised).
    public static func kept(_ name: String?, numbers: [String?] = []) -> String? {
        guard let text = name?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty, !isPlaceholder(text),
            !isNumber(text, of: numbers.compactMap { $0 })
        else { return nil }
        return text
    }

    /// Only placeholder words ("No CID", "CID unavailable", "Unknown Caller", "OUT OF
    /// AREA"), a single letter (carriers' `O` for out of area, `P` for private), or only
    /// punctuation ("--", "*", "?").
    public static func isPlaceholder(_ name: String) -> Bool {
        let text = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.allSatisfy({ $0.isPunctuation || $0.isWhitespace || $0.isMathSymbol }) { return true }
        let letters = text.filter(\.isLetter)
        if letters.isEmpty { return false }
        if letters.count == 1, !text.contains(where: \.isNumber) { return true }
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)
        return words.allSatisfy(placeholderWords.contains)
    }

    /// A name that is only a phone number ("2125550199", "+1 212-555-0199") and the same
    /// number as the caller's.
    static func isNumber(_ name: String, of numbers: [String]) -> Bool {
        guard name.allSatisfy({ $0.isNumber || "+-.() /".contains($0) }) else { return false }
        let digits = name.filter(\.isASCIIDigit)
        guard !digits.isEmpty else { return false }
        // With or without the country code: "2125550199" is "+12125550199".
        return numbers.map { $0.filter(\.isASCIIDigit) }.contains { number in
            number == digits || (min(number.count, digits.count) >= 7 && (number.hasSuffix(digits) || digits.hasSuffix(number)))
        }
    }

    /// Words carriers and phone systems put where a name should be. A name made only of
    /// these ("WIRELESS CALLER", "OUT OF AREA", "Cell Phone") is not a name.
    static let placeholderWords: Set<String> = Caller.withheldMarkers.union([
        "wireless", "caller", "cell", "cellular", "phone", "mobile", "telephone", "name", "number", "id",
        "out", "of", "area", "toll", "free", "tollfree", "pay", "payphone", "not", "no", "available", "blocked",
        "international", "intl", "unlisted", "nonpublished", "non", "published", "voip", "landline", "line",
        "info", "information", "cid", "clid", "cnam", "none", "null", "nil", "unk", "na", "n", "a", "callers",
        "incoming", "call", "outside", "external",
    ])
}
