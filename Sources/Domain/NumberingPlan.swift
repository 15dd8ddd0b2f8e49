import Foundation

/// How long a country's national significant numbers are, and whether they are dialled
/// nationally behind a trunk prefix: enough to tell a phone number from a stray run of
/// digits in a transcript, not a full numbering-plan database.
///
/// `normalise` trusts what a phone system wrote; numbers heard in speech deserve less
/// trust, because calling back a wrong number is worse than not calling back at all. So
/// lengths here are the common ones (a rare valid length is refused rather than a common
/// invalid one accepted), and a calling code without an entry is never accepted.
struct NumberingPlan {
    /// Dialled before national numbers and dropped in E.164; nil where the leading digit
    /// stays part of the number (Italy keeps its 0) or there is none (Spain, Denmark…).
    let trunkPrefix: String?
    /// Lengths of the national significant number (the digits after the calling code).
    let lengths: ClosedRange<Int>
    /// Rarer lengths, allowed only for numbers with the given start.
    var rarer: [(length: Int, start: String)] = []

    /// By calling code, for every calling code in `Region.callingCodes` but the North
    /// American 1, which `isNANP` checks digit by digit. Sources: ITU-T E.164 national
    /// plans as commonly published; where a country allows a wide range (Germany,
    /// Austria, Finland), only its usual lengths are listed.
    static let byCallingCode: [String: NumberingPlan] = [
        // GB: 10; 9 only in a few 01 areas (not London's 020, where 9 means a digit was lost).
        "44": .init(trunkPrefix: "0", lengths: 10...10, rarer: [(9, "1")]),
        "353": .init(trunkPrefix: "0", lengths: 7...9),  // IE
        "49": .init(trunkPrefix: "0", lengths: 7...11),  // DE: really 5–13; the short and long ends are refused
        "33": .init(trunkPrefix: "0", lengths: 9...9),  // FR
        "39": .init(trunkPrefix: nil, lengths: 8...11),  // IT: the leading 0 of landlines is kept
        "34": .init(trunkPrefix: nil, lengths: 9...9),  // ES
        "351": .init(trunkPrefix: nil, lengths: 9...9),  // PT
        "31": .init(trunkPrefix: "0", lengths: 9...9),  // NL
        "32": .init(trunkPrefix: "0", lengths: 8...9),  // BE
        "41": .init(trunkPrefix: "0", lengths: 9...9),  // CH
        "43": .init(trunkPrefix: "0", lengths: 8...13),  // AT: really 4–13
        "46": .init(trunkPrefix: "0", lengths: 7...9),  // SE
        "47": .init(trunkPrefix: nil, lengths: 8...8),  // NO
        "45": .init(trunkPrefix: nil, lengths: 8...8),  // DK
        "358": .init(trunkPrefix: "0", lengths: 7...10),  // FI: really 5–12
        "48": .init(trunkPrefix: nil, lengths: 9...9),  // PL
        "420": .init(trunkPrefix: nil, lengths: 9...9),  // CZ
        "61": .init(trunkPrefix: "0", lengths: 9...9),  // AU
        "64": .init(trunkPrefix: "0", lengths: 8...10),  // NZ
        "91": .init(trunkPrefix: "0", lengths: 10...10),  // IN
        "27": .init(trunkPrefix: "0", lengths: 9...9),  // ZA
        "52": .init(trunkPrefix: nil, lengths: 10...10),  // MX: trunk prefixes abolished in 2019
        // BR and AR: national forms with carrier codes or AR's mobile "15" do not reduce to
        // E.164 by dropping the 0; they come out too long and are refused.
        "55": .init(trunkPrefix: "0", lengths: 10...11),  // BR
        "54": .init(trunkPrefix: "0", lengths: 10...11),  // AR: 11 with the mobile 9
        "81": .init(trunkPrefix: "0", lengths: 9...10),  // JP
        "65": .init(trunkPrefix: nil, lengths: 8...8),  // SG
        "852": .init(trunkPrefix: nil, lengths: 8...8),  // HK
        "972": .init(trunkPrefix: "0", lengths: 8...9),  // IL
        "971": .init(trunkPrefix: "0", lengths: 8...9),  // AE
    ]

    /// The E.164 number for a national significant number, if it is plausible here.
    func e164(callingCode: String, national: Substring) -> PhoneNumber? {
        guard accepts(length: national.count, of: national), national.allSatisfy(\.isASCIIDigit) else { return nil }
        // Where 0 is the trunk prefix, no national significant number starts with it.
        if trunkPrefix == "0", national.hasPrefix("0") { return nil }
        return PhoneNumber(e164: "+" + callingCode + national)
    }

    func accepts(length: Int, of national: Substring) -> Bool {
        lengths.contains(length) || rarer.contains { $0.length == length && national.hasPrefix($0.start) }
    }

    /// Ten North American digits `NXX NXX XXXX` whose area code and exchange could be real:
    /// N is 2–9 and neither is N11 (service codes such as 411 and 911). Area code 555 and
    /// the N9X codes are not assigned. Exchange 555 is allowed: 555-01XX is the range set
    /// aside for fiction and tests.
    static func isNANP(_ ten: Substring) -> Bool {
        let digits = ten.compactMap(\.wholeNumberValue)
        guard digits.count == 10, ten.count == 10 else { return false }
        let area = Array(digits[0..<3])
        let exchange = Array(digits[3..<6])
        guard isNXX(area), isNXX(exchange), area[1] != 9, area != [5, 5, 5] else { return false }
        return true
    }

    private static func isNXX(_ code: [Int]) -> Bool {
        code.count == 3 && (2...9).contains(code[0]) && !(code[1] == 1 && code[2] == 1)
    }
}

extension PhoneNumber {
    /// The number `digits` stand for when read out by a caller in `region`, if it passes
    /// that region's plan (see `NumberingPlan`); `international` when it was said with a
    /// leading plus. Stricter than `normalise`: lengths and area codes are checked, and a
    /// national number in a region with a trunk prefix must be said with it ("oh two oh…").
    static func spoken(digits: String, international: Bool, region code: String) -> PhoneNumber? {
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit) else { return nil }
        if international { return internationalNumber(Substring(digits)) }
        let region = Region.named(code)
        if let prefix = region.internationalPrefixes.first(where: { digits.hasPrefix($0) }) {
            return internationalNumber(digits.dropFirst(prefix.count))
        }
        if region.callingCode == "1" { return northAmerican(Substring(digits)) }
        guard let plan = NumberingPlan.byCallingCode[region.callingCode] else { return nil }
        var national = Substring(digits)
        if let trunk = plan.trunkPrefix {
            // A national number is always dialled, and read out, with its trunk prefix;
            // ten bare digits in London are more likely an account number than a phone.
            guard national.hasPrefix(trunk) else { return nil }
            national = national.dropFirst(trunk.count)
        }
        return plan.e164(callingCode: region.callingCode, national: national)
    }

    /// `NXX NXX XXXX`, optionally led by the country code 1.
    private static func northAmerican(_ digits: Substring) -> PhoneNumber? {
        let ten = digits.count == 11 && digits.hasPrefix("1") ? digits.dropFirst() : digits
        guard NumberingPlan.isNANP(ten) else { return nil }
        return PhoneNumber(e164: "+1" + ten)
    }

    /// A calling code and a national significant number, as after a plus or `00`/`011`.
    private static func internationalNumber(_ digits: Substring) -> PhoneNumber? {
        let code = Region.callingCode(prefixing: String(digits))
        guard Region.callingCodes.values.contains(code) else { return nil }
        var national = digits.dropFirst(code.count)
        if code == "1" { return national.count == 10 && NumberingPlan.isNANP(national) ? PhoneNumber(e164: "+1" + national) : nil }
        guard let plan = NumberingPlan.byCallingCode[code] else { return nil }
        // "+44 (0)20 7946 0958": the trunk prefix printed in brackets and read out with the rest.
        if let trunk = plan.trunkPrefix, national.hasPrefix(trunk),
            plan.accepts(length: national.count - trunk.count, of: national.dropFirst(trunk.count))
        {
            national = national.dropFirst(trunk.count)
        }
        return plan.e164(callingCode: code, national: national)
    }
}
