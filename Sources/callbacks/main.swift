import CallbacksCLI
import Foundation

// Thin on purpose: parse, run against the real process context, exit with its code.
// Callers' voices and numbers are not for every local user: what this process creates
// (database, archive, quarantine) is readable by the service's own group at most.
umask(0o027)
let context = CommandContext.standard
let status = await CallbacksCommand.run(Array(CommandLine.arguments.dropFirst()), in: context) { message in
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
exit(status)
