import Domain
import Testing

@Suite("The name staff greet a caller by")
struct GreetingNameTests {
    @Test(
        "Caller ID names as carriers and phone systems send them",
        arguments: [
            // Carrier placeholders.
            ("WIRELESS CALLER", nil),
            ("Wireless Caller", nil),
            ("CELL PHONE", nil),
            ("UNKNOWN", nil),
            ("Unknown Caller", nil),
            ("UNAVAILABLE", nil),
            ("Unavailable", nil),
            ("PRIVATE", nil),
            ("Private Number", nil),
            ("Anonymous", nil),
            ("RESTRICTED", nil),
            ("OUT OF AREA", nil),
            ("OUT-OF-AREA", nil),
            ("TOLL FREE", nil),
            ("V", nil),
            ("O", nil),
            // The place the number belongs to.
            ("NEW YORK NY", nil),
            ("BROOKLYN    NY", nil),
            ("Brooklyn NY", nil),
            ("TORONTO ON", nil),
            ("Baltimore, MD", nil),
            // Numbers, or mostly punctuation.
            ("2125550199", nil),
            ("+1 212-555-0199", nil),
            ("(212) 555-0199", nil),
            ("1-800-FLOWERS", nil),
            ("Caller 5", nil),
            ("*67", nil),
            ("--", nil),
            ("", nil),
            ("   ", nil),
            // CNAM in capitals, surname first: no first name is guessed.
            ("SMITH JOHN", nil),
            ("OBRIEN JANE", nil),
            ("JOHN", nil),
            ("DR PATEL", nil),
            ("smith john", nil),
            // Businesses and institutions.
            ("ACME SUPPLY CO", nil),
            ("Joe's Pizza LLC", nil),
            ("Joe's Plumbing", nil),
            ("Smith & Sons", nil),
            ("Acme, Inc.", nil),
            ("The Home Depot", nil),
            ("Mercy Hospital", nil),
            // Titles keep the surname.
            ("Dr. Priya Patel", "Dr. Patel"),
            ("Dr Priya Patel", "Dr Patel"),
            ("Mrs Jones", "Mrs Jones"),
            ("Mr. John Q. Public", "Mr. Public"),
            ("Dr. Mary Van Dyke", "Dr. Van Dyke"),
            ("Prof. Ana de la Cruz", "Prof. de la Cruz"),
            ("Dr.", nil),
            ("Dr. J.", nil),
            // People, written by a person.
            ("Jane O'Brien", "Jane"),
            ("Jane \"JJ\" O'Brien", "Jane"),
            ("Bob Smith", "Bob"),
            ("Pat", "Pat"),
            ("Mary-Kate Olsen", "Mary-Kate"),
            ("Zoë Müller", "Zoë"),
            ("José", "José"),
            ("  Ann   Lee ", "Ann"),
            ("John Smith Jr.", "John"),
            ("Smith, John", "John"),
            ("O'Brien, Jane", "Jane"),
            ("John Smith, Jr.", "John"),
            // In doubt: an initial, two people, a credential that is also a state.
            ("J. Robert Smith", nil),
            ("Bob & Jane", nil),
            ("Smith; Jones", nil),
            ("Smith/Jones", nil),
            ("Jane Doe MD", nil),
            // Placeholders PBXs put in the name field.
            ("No CID", nil),
            ("NO CID", nil),
            ("CID unavailable", nil),
            ("<unknown>", nil),
            ("Out of area", nil),
            ("Private Caller", nil),
            ("N/A", nil),
            ("P", nil),
        ] as [(String, String?)])
    func greeting(_ name: String, expected: String?) {
        #expect(GreetingName.from(name) == expected, "\(name)")
    }

    @Test(
        "caller-ID names of places and businesses are not greeted",
        arguments: [
            "Alarm Monitoring", "ALARM MONITORING", "Front Gate", "Main Gate", "Front Desk", "Security Desk", "Reception",
            "Lobby", "Lobby Phone", "Building Intercom", "Elevator Phone", "Parking Garage", "Answering Service",
            "Dispatch", "ADT Security", "Brinks Home Security", "Verizon Wireless", "Bank of America", "Chase Bank",
            "Walgreens Pharmacy", "Mayo Clinic", "Dentist Office", "Fire Dept", "Police Department", "Conference Room",
            "Smith Residence", "Warehouse", "NEW YORK NY", "WIRELESS CALLER", "Suite 200", "Unit 4B",
        ])
    func placesAndBusinesses(_ name: String) {
        #expect(GreetingName.from(name) == nil, "\(name)")
    }

    @Test(
        "people whose names sound like a word are still greeted",
        arguments: [("Bill Gates", "Bill"), ("Charlotte Church", "Charlotte"), ("Adam West", "Adam"), ("Jude Law", "Jude"),
            ("Grace Hall", "Grace"), ("Rose Parker", "Rose"), ("Sela Ward", "Sela"), ("Brandon Flowers", "Brandon")] as [(String, String)])
    func peopleStillGreeted(_ name: String, expected: String) {
        #expect(GreetingName.from(name) == expected, "\(name)")
    }

    @Test(
        "a placeholder is never kept as the caller's name; a real name is kept as given",
        arguments: [
            ("No CID", nil), ("Unknown", nil), ("Anonymous", nil), ("Restricted", nil), ("Private", nil),
            ("CID unavailable", nil), ("WIRELESS CALLER", nil), ("<unknown>", nil), ("Out of area", nil), ("", nil), ("--", nil),
            ("2125550199", nil), ("+1 212-555-0199", nil), ("(212) 555-0199", nil),
            ("5551234567", "5551234567"), ("SMITH JOHN", "SMITH JOHN"), ("NEW YORK NY", "NEW YORK NY"),
            ("Alarm Monitoring", "Alarm Monitoring"), (" Jane O'Brien ", "Jane O'Brien"), ("👍🏽", "👍🏽"), ("?", nil), ("*", nil),
        ] as [(String, String?)])
    func keptName(_ name: String, expected: String?) {
        let caller = Caller(reported: name, number: PhoneNumber(e164: "+12125550199"), rawNumber: "2125550199")
        #expect(caller.name == expected, "\(name)")
        #expect(Caller(name: name, number: PhoneNumber(e164: "+12125550199"), rawNumber: "2125550199").shownName == expected,
            "a name stored before is shown by the same rule: \(name)")
    }

    @Test("the name is kept as given; only the greeting differs")
    func nameKept() {
        let caller = Caller(name: "SMITH JOHN", number: PhoneNumber(e164: "+12125550199"), rawNumber: "2125550199")
        #expect(caller.name == "SMITH JOHN")
        #expect(caller.nameToGreet == nil)
        #expect(Caller(name: nil, number: nil, rawNumber: nil).nameToGreet == nil)
        #expect(Caller(name: "Jane O'Brien", number: nil, rawNumber: nil).nameToGreet == "Jane")
    }

    @Test("a name equal to the number is not a name", arguments: ["2125550199", "+12125550199", "212-555-0199"])
    func nameIsTheNumber(_ name: String) {
        let caller = Caller(name: name, number: PhoneNumber(e164: "+12125550199"), rawNumber: "2125550199")
        #expect(caller.nameToGreet == nil)
    }
}
