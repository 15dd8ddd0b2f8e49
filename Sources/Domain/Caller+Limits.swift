extension Caller {
    /// The longest name kept, in characters: no phone system sends more than a few dozen,
    /// and a hostile one must not make every list row as wide as its name.
    public static let maximumNameLength = 100

    /// `name` cut to `maximumNameLength` with "…" marking the cut; anything shorter as
    /// given (the name is kept exactly as received otherwise).
    public static func keptName(_ name: String) -> String {
        name.count <= maximumNameLength ? name : String(name.prefix(maximumNameLength - 1)) + "…"
    }
}
