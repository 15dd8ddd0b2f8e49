@testable import Domain
import Testing

@Suite("Spoken numbers")
struct SpokenNumberTests {
    func us(_ transcript: String) -> String? {
        SpokenNumber.find(in: transcript, region: "US")?.e164
    }

    @Test(
        "a US number however the transcript writes it",
        arguments: [
            "Hi it's Dana, call me back at 646-555-0198, thanks.",
            "My cell is (646) 555 0198.",
            "you can reach me on 646.555.0198 any time",
            "it's 1-646-555-0198",
            "my number is six four six, five five five, oh one nine eight. Thanks, bye.",
            "call me at 6 4 6, 5 5 5, 0 1 9 8",
            "My number is 6-4-6. 5-5-5. 0-1-9-8. Thank you.",
            "six four six, triple five, oh one nine eight",
            "six four six five double five zero one nine eight",
            "six forty six, five fifty five, oh one ninety-eight",
            "it's six four six and five five five and oh one nine eight",
            "Six. Four. Six. Five. Five. Five. O. One. Nine. Eight.",
            "six four six, five five five, oh, one nine eight",
            "at five:thirty? no, call me on six four six five five five oh one nine eight",
        ])
    func usForms(_ transcript: String) {
        #expect(us(transcript) == "+16465550198")
    }

    @Test("toll-free numbers said with 'eight hundred'")
    func eightHundred() {
        #expect(us("call us on one eight hundred, five five five, oh one nine nine") == "+18005550199")
        #expect(us("it's 1-800-555-0199") == "+18005550199")
    }

    @Test("'oh' the word is not a zero")
    func ohTheWord() {
        #expect(us("Oh, hi, it's Sam. My number is 646 555 0198. Oh, and thanks.") == "+16465550198")
        // Read as a zero, "oh" would make 6465550198 01, which is no number; read as a word, it
        // leaves a valid one.
        #expect(us("six four six five five five oh one nine eight. Oh, one more thing") == "+16465550198")
        #expect(us("646-555-0198. Oh, and one more thing") == "+16465550198")
    }

    @Test("the same number said twice is that number")
    func repeated() {
        #expect(us("It's 646-555-0198. Again that's six four six, five five five, oh one nine eight.") == "+16465550198")
        #expect(us("646-555-0198, 646-555-0198") == "+16465550198")
        #expect(us("646 555 0198, or with the code, 1 646 555 0198") == "+16465550198")
    }

    @Test(
        "two different numbers are ambiguous",
        arguments: [
            "My cell is 646-555-0198 or the office, 212-555-0123.",
            "646-555-0198, 212-555-0123",
            "try six four six five five five oh one nine eight, if not two one two five five five oh one two three",
        ])
    func ambiguous(_ transcript: String) {
        #expect(us(transcript) == nil)
    }

    @Test(
        "numbers that cannot be North American",
        arguments: [
            "call me at 146-555-0198",  // area code starting with 1
            "call me at 046-555-0198",  // or 0
            "call me at 411-555-0198",  // N11 service code
            "call me at 555-555-0198",  // 555 is no area code
            "call me at 296-555-0198",  // N9X is reserved
            "call me at 646-155-0198",  // exchange starting with 1
            "call me at 646-911-0198",  // N11 exchange
            "call me at 555-0198",  // seven digits: no area code
            "call me at 646-555-019",  // nine digits
            "call me at 2-646-555-0198",  // eleven digits not led by 1
            "the code is 64655501981234",  // a longer number holds a valid one: not a phone
        ])
    func invalidNANP(_ transcript: String) {
        #expect(us(transcript) == nil)
    }

    @Test("an invalid number beside a valid one does not hide it")
    func invalidBesideValid() {
        #expect(us("not 146-555-0198, sorry, it's 646-555-0198") == "+16465550198")
    }

    @Test("money, times, addresses and account numbers are not phone numbers")
    func notPhones() {
        #expect(us("It's about the $500 deposit, five hundred dollars. Call me at 646-555-0198.") == "+16465550198")
        #expect(us("I'm at 123 Main Street, apartment 4, my number is 646 555 0198") == "+16465550198")
        #expect(us("call after 5:30, 646-555-0198") == "+16465550198")
        #expect(us("my number is 646-555-0198, 5 o'clock is best") == "+16465550198")
        #expect(us("it's 646-555-0198, six p.m. is best") == "+16465550198")
        #expect(us("it's $212-555-0123") == nil)
        #expect(us("we owe you 2125550123 dollars") == nil)
        #expect(us("we're at 2125550123 Broad Street") == nil)
        #expect(us("my account number is 212 555 0123 and you can reach me at 646-555-0198") == "+16465550198")
    }

    @Test("nothing said, nothing found")
    func nothing() {
        #expect(us("Hi, it's Sam, call me back, you have my number.") == nil)
        #expect(us("") == nil)
        #expect(us("one two three") == nil)
    }

    @Test("UK numbers in region GB", arguments: [
        ("Ring me back on oh two oh, seven nine four six, oh nine five eight, cheers.", "+442079460958"),
        ("It's 020 7946 0958.", "+442079460958"),
        ("my mobile's oh seven seven double oh, nine double oh, one two three", "+447700900123"),
        ("07700 900123", "+447700900123"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("plus four four, seven seven double oh, nine double oh, one two three", "+447700900123"),
        ("0044 20 7946 0958", "+442079460958"),
        ("it's Brampton, 016977 2345", "+44169772345"),  // one of the few nine-digit areas
        ("call my US cell, plus one, six four six, five five five, oh one nine eight", "+16465550198"),
    ])
    func britain(_ transcript: String, expected: String) {
        #expect(SpokenNumber.find(in: transcript, region: "GB")?.e164 == expected)
    }

    @Test(
        "not UK numbers",
        arguments: [
            "20 7946 0958",  // no trunk prefix said: refused rather than guessed
            "020 7946 095",  // too short: only a few 01 areas have nine digits
            "020 7946 09581",  // too long
            "646-555-0198",  // a North American number without its +1
            "+44 0 0 7946 0958",  // no national number starts with 0
        ])
    func notBritain(_ transcript: String) {
        #expect(SpokenNumber.find(in: transcript, region: "GB") == nil)
    }

    @Test("other regions use their own plan")
    func otherRegions() {
        #expect(SpokenNumber.find(in: "030 1234567", region: "DE")?.e164 == "+49301234567")
        // Italy keeps its leading 0 in E.164.
        #expect(SpokenNumber.find(in: "06 1234 5678", region: "IT")?.e164 == "+390612345678")
        #expect(SpokenNumber.find(in: "01 23 45 67 89", region: "FR")?.e164 == "+33123456789")
        #expect(SpokenNumber.find(in: "01 23 45 67 8", region: "FR") == nil)
        // An international number heard in the US.
        #expect(us("call me on plus four four, two oh, seven nine four six, oh nine five eight") == "+442079460958")
        #expect(us("011 44 20 7946 0958") == "+442079460958")
        // A calling code with no plan is never guessed at.
        #expect(us("+7 916 123 4567") == nil)
        // Regions without a calling code are read as North American, as `normalise` does.
        #expect(SpokenNumber.find(in: "646-555-0198", region: "XX")?.e164 == "+16465550198")
    }

    @Test("every region PhoneNumber knows has a numbering plan")
    func plansCoverRegions() {
        for region in PhoneNumber.knownRegions {
            let code = Region.named(region).callingCode
            #expect(code == "1" || NumberingPlan.byCallingCode[code] != nil, "no plan for \(region)")
        }
    }
}
