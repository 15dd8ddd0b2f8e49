// Placeholder until the content-rules branch lands (same public API).
public enum SpokenNumber {
    public static func find(in transcript: String, region: String) -> PhoneNumber? { nil }
}
