/// Who left a message, as the phone system reported it.
public struct Caller: Hashable, Sendable, Codable {
    /// The caller's name as the phone system gave it (Caller ID name), if any.
    public var name: String?
    /// The number normalised to E.164, or nil when there is no usable number.
    public var number: PhoneNumber?
    /// The number exactly as the phone system wrote it, kept for staff and for audits.
    public var rawNumber: String?

    public init(name: String?, number: PhoneNumber?, rawNumber: String?) {
        self.name = name
        self.number = number
        self.rawNumber = rawNumber
    }

    /// A caller as the phone system reported it: a Caller ID name that is a placeholder
    /// ("No CID", "WIRELESS CALLER") or the number itself is not kept as a name
    /// (`CallerIDName`).
    public init(reported name: String?, number: PhoneNumber?, rawNumber: String?) {
        self.init(name: CallerIDName.kept(name, numbers: [rawNumber, number?.e164]), number: number, rawNumber: rawNumber)
    }

    /// The name to show for the caller: `name`, unless it is a placeholder or the number
    /// (a message stored before placeholders were recognised).
    public var shownName: String? { CallerIDName.kept(name, numbers: [rawNumber, number?.e164]) }

    /// A caller with no usable number: staff must listen to the message for one.
    public var isAnonymous: Bool { number == nil }

    /// The name to greet the caller by ("Hi Jane", "Hi Dr. Patel"), or nil when the
    /// Caller ID name is not one to say (see `GreetingName`). `name` itself is kept as given.
    public var nameToGreet: String? { GreetingName.from(shownName) }

    /// What phone systems write in place of a withheld name or number, in lower case.
    public static let withheldMarkers: Set<String> = ["unknown", "anonymous", "restricted", "private", "unavailable", "withheld"]
}
