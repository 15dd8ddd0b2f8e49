import ArgumentParser
import Domain
import Foundation
import Presentation
import UseCases

/// Managing people is done at the server's shell: whoever can run `callbacks` there can
/// read the database anyway. Remotely, nobody manages people.
struct PeopleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "people", abstract: "The people who use Afterhours, their roles and tokens.",
        subcommands: [PeopleAddCommand.self, PeopleListCommand.self, PeopleRemoveCommand.self, PeopleLinkCommand.self],
        defaultSubcommand: PeopleListCommand.self)
}

extension Role: ExpressibleByArgument {}

struct PeopleAddCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a person and print their bearer token, once.")

    @OptionGroup var global: LocalOptions

    @Argument(help: "Their name, as recorded in every change they make.")
    var name: String

    // The parser lists the values and the default itself.
    @Option(help: "What they may do.")
    var role: Role = .staff

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        try desk.requireLocal("people")
        let (person, token) = try await desk.people().add(name, role: role, at: desk.now)
        if desk.json {
            desk.print(JSONValue.object([("name", .string(person.name)), ("role", .string(person.role.rawValue)), ("token", .string(token))]))
        } else {
            desk.print(
                """
                Added \(TerminalText.oneLine(person.name)) (\(person.role.rawValue)). Their token, shown only now:

                  \(token)

                They use it as CALLBACKS_TOKEN (or --token) with CALLBACKS_URL, or as Authorization: Bearer.
                """)
        }
    }
}

struct PeopleListCommand: ContextCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Everyone, with their role.")

    @OptionGroup var global: LocalOptions

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        try desk.requireLocal("people")
        let people = try await desk.people().list()
        if desk.json {
            desk.print(JSONValue.array(people.map { .object([("name", .string($0.name)), ("role", .string($0.role.rawValue))]) }))
        } else if people.isEmpty {
            desk.print("Nobody yet: anyone at this shell acts with --as NAME. Add people with: callbacks people add NAME --role staff|owner|admin")
        } else {
            desk.print(people.map { "\(TerminalText.oneLine($0.name))  \($0.role.rawValue)" }.joined(separator: "\n"))
        }
    }
}

struct PeopleRemoveCommand: ContextCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a person; their token and sessions stop working.")

    @OptionGroup var global: LocalOptions

    @Argument(help: "Their name.")
    var name: String

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        try desk.requireLocal("people")
        let removed = try await desk.people().remove(name)
        desk.print("Removed \(TerminalText.oneLine(removed)).")
    }
}

struct PeopleLinkCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "link", abstract: "Print a one-time sign-in link for the pages, valid 15 minutes.")

    @OptionGroup var global: LocalOptions

    @Argument(help: "Their name.")
    var name: String

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        try desk.requireLocal("people")
        guard let base = desk.configuration.http.publicURL else {
            throw CommandFailure("http.public_url is not set: the link needs the address people reach the service at")
        }
        desk.print(try await desk.people().link(name, publicURL: base, at: desk.now))
    }
}
