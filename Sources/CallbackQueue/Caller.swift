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

    /// A caller with no usable number: staff must listen to the message for one.
    public var isAnonymous: Bool { number == nil }

    /// The first word of the name, for greeting the caller ("Hi Jane").
    public var firstName: String? {
        guard let name else { return nil }
        return name.split(whereSeparator: { $0 == " " || $0 == "," }).first.map(String.init)
    }
}
