import Domain
import Foundation

/// The command line's words for a typed refusal: what someone at this door can do about it.
enum CommandWords {
    /// `error` as the command line says it: a refusal over a colleague's claim gains how
    /// to override it here (`--force`, which done, no-answer, release and escalate take).
    static func worded(_ error: any Error) -> any Error {
        guard let error = error as? StoreError, error.claimedBy != nil else { return error }
        return CommandFailure(overrideHint(error.message))
    }

    /// A claim refusal's sentence with the command line's way to override it.
    static func overrideHint(_ message: String) -> String {
        message + "; use --force to record it anyway"
    }
}
