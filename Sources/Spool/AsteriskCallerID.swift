import Domain
import Foundation

/// Splits an Asterisk `callerid=` value into name and number.
///
/// `ast_callerid_merge` writes `"Name" <number>` (with `\"` and `\\` escaped inside the
/// quotes), a bare name, a bare number, or `Unknown`; other systems write `Name <number>`.
public enum AsteriskCallerID {
    public static func parse(_ value: String) -> (name: String?, number: String?) {
        let text = value.trimmingCharacters(in: .whitespaces)
        if text.isEmpty || text.caseInsensitiveCompare("unknown") == .orderedSame { return (nil, nil) }

        var name: String?
        var rest = Substring(text)
        if rest.hasPrefix("\"") {
            var unescaped = ""
            var index = rest.index(after: rest.startIndex)
            var closed = false
            while index < rest.endIndex {
                let character = rest[index]
                if character == "\\", rest.index(after: index) < rest.endIndex {
                    index = rest.index(after: index)
                    unescaped.append(rest[index])
                } else if character == "\"" {
                    closed = true
                    break
                } else {
                    unescaped.append(character)
                }
                index = rest.index(after: index)
            }
            name = unescaped
            rest = closed ? rest[rest.index(after: index)...] : ""
        }

        var number: String?
        if let open = rest.lastIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            number = String(rest[rest.index(after: open)..<close])
            if name == nil { name = String(rest[..<open]) }
        } else if name == nil {
            // A bare value: a number if it looks like one, else a name.
            if rest.allSatisfy({ $0.isNumber || "+-.() ".contains($0) }) {
                number = String(rest)
            } else {
                name = String(rest)
            }
        }
        return (clean(name), clean(number))
    }

    private static func clean(_ value: String?) -> String? {
        guard let trimmed = value?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty,
            !Caller.withheldMarkers.contains(trimmed.lowercased())
        else { return nil }
        return trimmed
    }
}
