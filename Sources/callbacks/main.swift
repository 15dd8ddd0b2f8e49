import CallbacksCLI
import Foundation

// Thin on purpose: parse, run against the real process context, exit with its code.
let context = CommandContext.standard
let status = await CallbacksCommand.run(Array(CommandLine.arguments.dropFirst()), in: context) { message in
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
exit(status)
