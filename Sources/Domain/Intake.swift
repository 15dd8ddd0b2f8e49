import Foundation

/// Which stored messages become callbacks, and which of those may escalate when their
/// deadline passes: the rule ingest and push ingest apply, stores only persist the answer
/// (docs/pbx-setup.md#the-first-run).
public struct IntakeRules: Sendable, Equatable {
    /// The PBX folders whose messages are queued (`spool.queue_folders`), compared without
    /// case; a message from any other folder (`Old`, `Work`, `Family`, …) has been heard
    /// or filed already: it is stored, not queued. A message with no folder (sidecar,
    /// push) is always new.
    public var queueFolders: [String]
    /// Whether silent messages (hang-ups) join the queue (`callbacks.silent`).
    public var queueSilent: Bool

    public static let defaultQueueFolders = ["INBOX", "Urgent"]

    public init(queueFolders: [String] = defaultQueueFolders, queueSilent: Bool = true) {
        self.queueFolders = queueFolders
        self.queueSilent = queueSilent
    }

    /// What becomes of one message.
    public enum Intake: Sendable, Equatable {
        /// Queued; its deadline passing escalates (`escalation.on_breach`).
        case queue
        /// Queued, but found by a first run after its deadline had passed: the promise was
        /// broken before Afterhours knew of the message, so it raises no breach escalation.
        case backlog
        /// Stored and counted, never a callback.
        case storeOnly(NotQueued)
    }

    public enum NotQueued: Sendable, Equatable {
        /// Silent, with `callbacks.silent: skip`.
        case silent
        /// Neither audio nor a number: nothing to call back.
        case nothingToCall
        /// In a folder `spool.queue_folders` does not list.
        case folder(String)
    }

    /// `deadline`: the message's promise (`CallbackPolicy.deadline`); `firstRun`: the
    /// store held no message when this ingest began.
    public func intake(_ voicemail: Voicemail, deadline: Date, firstRun: Bool, at now: Date) -> Intake {
        if !voicemail.folder.isEmpty,
            !queueFolders.contains(where: { $0.caseInsensitiveCompare(voicemail.folder) == .orderedSame })
        {
            return .storeOnly(.folder(voicemail.folder))
        }
        if (voicemail.audio?.silent ?? false) && !queueSilent { return .storeOnly(.silent) }
        if voicemail.audio == nil && voicemail.caller.isAnonymous { return .storeOnly(.nothingToCall) }
        if firstRun, deadline <= now { return .backlog }
        return .queue
    }
}

extension IntakeRules.Intake {
    public var queued: Bool {
        switch self {
        case .queue, .backlog: true
        case .storeOnly: false
        }
    }

    /// Whether the callback's deadline passing escalates it.
    public var escalatesBreach: Bool { self == .queue }
}
