import Foundation

/// Text from outside (caller names, notes, reasons, file names) made safe to show: a
/// terminal must never take a caller's name for a command (colours, titles, cursor
/// moves), and bidi overrides must not reorder what a person reads.
public enum TerminalText {
    /// Control characters (C0 but newline and tab, DEL, C1) and bidi controls shown as
    /// visible escapes (`\x1B`, `\u{202E}`), so nothing is hidden and nothing acts.
    public static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\t" || !isUnsafe(scalar) {
                out.unicodeScalars.append(scalar)
            } else if scalar.value < 0x100 {
                out += String(format: "\\x%02X", scalar.value)
            } else {
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
        }
        return out
    }

    /// On one line: newlines and tabs become spaces, everything else as `safe`.
    public static func oneLine(_ text: String) -> String {
        safe(String(text.unicodeScalars.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : Character($0) }))
    }

    /// `oneLine`, at most `limit` characters as printed, with "…" marking a cut. The text is
    /// escaped first and cut after, between whole characters of the original: an escape
    /// (`\u{202E}`) is never cut in half, nor a letter parted from its accents or an emoji
    /// from its modifiers. `atWord` cuts at the last space before the limit, when there is one.
    public static func clipped(_ text: String, to limit: Int, atWord: Bool = false) -> String {
        let pieces = text.map { oneLine(String($0)) }
        guard pieces.reduce(0, { $0 + $1.count }) > limit else { return pieces.joined() }
        var kept: [String] = []
        var width = 0
        for piece in pieces {
            guard width + piece.count <= limit - 1 else { break }
            kept.append(piece)
            width += piece.count
        }
        if atWord, let space = kept.lastIndex(of: " "), space > 0 {
            kept.removeSubrange(space...)
        }
        return kept.joined() + "…"
    }

    /// C0 (newline and tab are dealt with by the callers), DEL, C1, and the bidi
    /// embeddings, overrides and isolates.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
