import Domain
import Testing

@Suite("Phone numbers")
struct PhoneNumberTests {
    @Test(
        "normalised to E.164",
        arguments: [
            ("+15551234567", "US", "+15551234567"),
            ("(555) 123-4567", "US", "+15551234567"),
            ("1-555-123-4567", "US", "+15551234567"),
            ("011 44 20 7946 0958", "US", "+442079460958"),
            ("020 7946 0958", "GB", "+442079460958"),
            ("0044 20 7946 0958", "GB", "+442079460958"),
            ("030 1234567", "DE", "+49301234567"),
        ])
    func normalises(_ raw: String, region: String, expected: String) {
        #expect(PhoneNumber.normalise(raw, defaultRegion: region)?.e164 == expected)
    }

    @Test("anonymous markers and extensions have no number", arguments: ["Unknown", "anonymous", "Restricted", "", "1001", "abc", "555-1234"])
    func noNumber(_ raw: String) {
        #expect(PhoneNumber.normalise(raw, defaultRegion: "US") == nil)
    }

    @Test("formatted for reading")
    func formatted() {
        #expect(PhoneNumber(e164: "+15551234567")?.formatted == "(555) 123-4567")
        #expect(PhoneNumber(e164: "+442079460958")?.formatted == "+44 207 946 0958")
    }
}
