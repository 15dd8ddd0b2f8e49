import Foundation
import Mustache

/// The words the product speaks and writes, rendered from the Mustache templates in
/// `prompts/` (compiled into the binary by the EmbedPrompts build plugin).
public enum Prompts {
    /// Names of the templates, one per file in `prompts/`.
    public enum Name: String, Sendable, CaseIterable {
        case openingLine = "opening-line"
        case escalationChat = "escalation-chat"
        case escalationEmailSubject = "escalation-email-subject"
        case escalationEmailBody = "escalation-email-body"
        case greetingAfterHours = "greeting-after-hours"
        case greetingBusy = "greeting-busy"
        case greetingUrgentOption = "greeting-urgent-option"
        case messageAcknowledgement = "message-acknowledgement"
    }

    private static let library: Result<MustacheLibrary, PromptError> = {
        var templates: [String: MustacheTemplate] = [:]
        for (name, text) in EmbeddedPrompts.templates {
            do {
                templates[name] = try MustacheTemplate(string: text)
            } catch {
                return .failure(PromptError(message: "prompts/\(name).mustache does not parse: \(error)"))
            }
        }
        return .success(MustacheLibrary(templates: templates))
    }()

    /// Renders a template with `values`, trimmed of surrounding whitespace.
    public static func render(_ name: Name, _ values: [String: Any]) throws(PromptError) -> String {
        let library = try library.get()
        guard let text = library.render(values, withTemplate: name.rawValue) else {
            throw PromptError(message: "prompts/\(name.rawValue).mustache is missing from the build")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

public struct PromptError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
