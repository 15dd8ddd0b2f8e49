import Foundation

/// The contents of an Asterisk `msgNNNN.txt`, read tolerantly.
///
/// Asterisk writes these files two ways: the original `key=value` writer in
/// `leave_voicemail`, and `ast_config_text_file_save`'s rewrite with a `;!` header,
/// `key = value` and `;` escaped as `\;`. Both are read here; no key is required, since
/// legacy files lack `msg_id` and `flag`, and an unfinished one may lack `duration`.
public struct AsteriskMessageFile: Sendable, Equatable {
    /// Every `key=value` pair, keys lower-cased; the last occurrence wins.
    public var fields: [String: String]

    public init(fields: [String: String]) {
        self.fields = fields
    }

    /// Parses the bytes of a `.txt` file. Invalid UTF-8 (old SIP stacks send Latin-1
    /// caller names) is read as ISO 8859-1 so no byte is lost.
    public init(data: Data) {
        // ISO 8859-1 maps every byte to a character, so Foundation's decoding cannot fail.
        let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) ?? ""
        var fields: [String: String] = [:]
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            // Whole-line comments only: the original writer does not escape `;` inside a
            // caller name, so an inline `;` is part of the value.
            if line.isEmpty || line.hasPrefix(";") || line.hasPrefix("[") { continue }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: equals)...]
            if value.hasPrefix(">") { value = value.dropFirst() }  // `key => value`
            fields[key] = value.trimmingCharacters(in: .whitespaces)
                .replacingOccurrences(of: "\\;", with: ";")
        }
        self.fields = fields
    }

    /// Unix time the recording started: the message's timestamp. Never `origdate`, whose
    /// format and zone changed across Asterisk versions and locales.
    public var origtime: Int64? { fields["origtime"].flatMap { Int64($0) } }
    public var callerID: String? { fields["callerid"] }
    public var messageID: String? { fields["msg_id"].flatMap { $0.isEmpty ? nil : $0 } }
    /// `Urgent`, `PRIORITY` or empty.
    public var flag: String? { fields["flag"] }
    /// Whole seconds, as Asterisk measured them; absent while unfinished.
    public var duration: Int? { fields["duration"].flatMap { Int($0) } }
    public var context: String? { fields["context"] }
    public var originalMailbox: String? { fields["origmailbox"] }

    /// Flagged urgent by the caller or by the dialplan.
    public var isUrgent: Bool {
        guard let flag = flag?.lowercased() else { return false }
        return flag == "urgent" || flag == "priority"
    }
}
