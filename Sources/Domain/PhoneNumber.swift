import Foundation

/// A telephone number in E.164 form (`+15551234567`).
public struct PhoneNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    /// `+` followed by 8 to 15 digits.
    public let e164: String

    public var description: String { e164 }

    /// Accepts an already-normalised E.164 string (as stored), or nil if it is not one.
    public init?(e164: String) {
        let digits = e164.dropFirst()
        guard e164.first == "+", (8...15).contains(digits.count), digits.allSatisfy(\.isASCIIDigit)
        else { return nil }
        self.e164 = e164
    }

    /// Markers phone systems write when the caller withheld or lacks a number.
    static let anonymousMarkers: Set<String> = Caller.withheldMarkers.union(["", "<unknown>", "0"])

    /// The regions whose numbering `normalise` knows, as ISO 3166 codes, sorted.
    public static var knownRegions: [String] { Region.callingCodes.keys.sorted() }

    /// Normalises what a phone system wrote into E.164, reading national numbers as
    /// belonging to `defaultRegion` (ISO 3166 code such as `US` or `GB`). Returns nil for
    /// anonymous markers, internal extensions and anything that is not a phone number.
    public static func normalise(_ raw: String, defaultRegion: String) -> PhoneNumber? {
        let trimmed = raw.trimmingCharacters(in: .whitespaces)
        if anonymousMarkers.contains(trimmed.lowercased()) { return nil }
        // Only digits and the punctuation people put in numbers are allowed through.
        let allowed = Set("0123456789+-.() /")
        guard trimmed.allSatisfy({ allowed.contains($0) }) else { return nil }
        let digits = trimmed.filter(\.isASCIIDigit)
        let region = Region.named(defaultRegion)

        if trimmed.hasPrefix("+") { return PhoneNumber(e164: "+" + digits) }
        if let prefix = region.internationalPrefixes.first(where: { digits.hasPrefix($0) }) {
            return PhoneNumber(e164: "+" + digits.dropFirst(prefix.count))
        }
        if region.callingCode == "1" {
            // North American numbering plan: 10 digits, optionally led by the 1.
            if digits.count == 10 { return PhoneNumber(e164: "+1" + digits) }
            if digits.count == 11, digits.hasPrefix("1") { return PhoneNumber(e164: "+" + digits) }
            return nil
        }
        var national = Substring(digits)
        if let trunk = region.trunkPrefix, national.hasPrefix(trunk) {
            national = national.dropFirst(trunk.count)
        }
        // Shorter than this is an internal extension or a service code.
        guard national.count >= 6 else { return nil }
        return PhoneNumber(e164: "+" + region.callingCode + national)
    }

    /// The number laid out for reading aloud before dialling: `(555) 123-4567` for
    /// North American numbers, `+44 20 7946 0958`-style groups otherwise.
    public var formatted: String {
        let digits = Array(e164.dropFirst())
        if digits.count == 11, digits.first == "1" {
            let n = digits.dropFirst()
            return "(\(String(n.prefix(3)))) \(String(n.dropFirst(3).prefix(3)))-\(String(n.suffix(4)))"
        }
        let code = Region.callingCode(prefixing: String(digits))
        var rest = Array(digits.dropFirst(code.count))
        var groups: [String] = []
        while rest.count > 4 {
            let size = rest.count == 6 ? 3 : (rest.count % 4 == 0 ? 4 : 3)
            groups.append(String(rest.prefix(size)))
            rest.removeFirst(size)
        }
        if !rest.isEmpty { groups.append(String(rest)) }
        return "+" + code + " " + groups.joined(separator: " ")
    }
}

/// Dialling conventions of a region: enough to read national numbers, not a full
/// numbering-plan database.
struct Region {
    let callingCode: String
    let internationalPrefixes: [String]
    let trunkPrefix: String?

    /// North American numbers never start with 0, so `00` is as unambiguous as `011`.
    static let nanp = Region(callingCode: "1", internationalPrefixes: ["011", "00"], trunkPrefix: nil)

    /// Calling codes by ISO region; regions not listed are read as North American.
    static let callingCodes: [String: String] = [
        "US": "1", "CA": "1", "PR": "1", "GB": "44", "IE": "353", "DE": "49", "FR": "33",
        "IT": "39", "ES": "34", "PT": "351", "NL": "31", "BE": "32", "CH": "41", "AT": "43",
        "SE": "46", "NO": "47", "DK": "45", "FI": "358", "PL": "48", "CZ": "420", "AU": "61",
        "NZ": "64", "IN": "91", "ZA": "27", "MX": "52", "BR": "55", "AR": "54", "JP": "81",
        "SG": "65", "HK": "852", "IL": "972", "AE": "971",
    ]

    static func named(_ code: String) -> Region {
        guard let calling = callingCodes[code.uppercased()], calling != "1" else { return nanp }
        // Most of the world dials 00 abroad and 0 before a national area code.
        return Region(callingCode: calling, internationalPrefixes: ["00"], trunkPrefix: "0")
    }

    /// The calling code that begins an E.164 digit string (longest known match, else 1–3 digits).
    static func callingCode(prefixing digits: String) -> String {
        let known = Set(callingCodes.values)
        for length in [3, 2, 1] where digits.count > length {
            let candidate = String(digits.prefix(length))
            if known.contains(candidate) { return candidate }
        }
        return String(digits.prefix(digits.hasPrefix("1") || digits.hasPrefix("7") ? 1 : 2))
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
