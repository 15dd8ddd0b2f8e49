import App
import ArgumentParser
import Domain
import Foundation
import Presentation
import Settings
import Simulation

struct SimulateCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay arrivals in virtual time and see how many promises each policy keeps.",
        discussion: """
            ARRIVALS.csv has a header and the columns received_at (ISO 8601 with offset), \
            caller_number (E.164, empty when withheld), urgent (true/false), handling_minutes \
            (how long the call takes once started) and optionally answered (false: nobody \
            answered the first try). Nothing is stored: the replay runs on a memory store \
            with the configuration's business hours and rules (docs/promises.md).
            """)

    @OptionGroup var global: LocalOptions

    @Argument(help: "The arrivals to replay (CSV).")
    var arrivals: String

    @Option(help: "A YAML file whose staffing: section replaces the configuration's.")
    var staffing: String?

    @Option(help: "fixed (everyone promised respond_within), capacity (what serve does) or both.")
    var policy: String = "both"

    func run(in context: CommandContext) async throws {
        let desk = try Desk(global, context)
        try desk.requireLocal("simulate")
        let policies: [PromisePolicy]
        switch policy {
        case "both": policies = [.fixed, .capacity]
        default:
            guard let one = PromisePolicy(rawValue: policy) else {
                throw CommandFailure("--policy \(policy) is not fixed, capacity or both")
            }
            policies = [one]
        }
        var configuration = desk.configuration
        if let staffing { configuration = try configuration.withStaffing(fromFile: staffing) }
        guard let data = FileManager.default.contents(atPath: arrivals) else {
            throw CommandFailure("\(arrivals): cannot be read (missing or not permitted)")
        }
        let rows = try ArrivalsFile.parse(String(decoding: data, as: UTF8.self), file: arrivals)
        let replay = Wiring.replay(configuration)
        var results: [PolicyResult] = []
        for policy in policies { results.append(try await replay.run(rows, policy: policy)) }
        if desk.json {
            desk.print(ReplayText.json(results))
        } else {
            desk.print(ReplayText.table(results, arrivals: rows.count))
        }
    }
}

/// What `simulate` prints: DESIGN §10's JSON, or the policies side by side.
enum ReplayText {
    static func json(_ results: [PolicyResult]) -> JSONValue {
        func minutes(_ value: Double?) -> JSONValue { value.map { .double(($0 * 10).rounded() / 10) } ?? .null }
        return .object([
            (
                "policies",
                .array(
                    results.map { result in
                        .object([
                            ("policy", .string(result.policy.rawValue)),
                            ("promises", .int(Int64(result.promises))),
                            ("kept", .int(Int64(result.kept))),
                            ("kept_ratio", .double((result.keptRatio * 10_000).rounded() / 10_000)),
                            ("moved", .int(Int64(result.moved))),
                            ("median_slack_minutes", minutes(result.medianSlackMinutes)),
                            ("p95_late_minutes", minutes(result.p95LateMinutes)),
                            ("at_sla", .int(Int64(result.atSLA))),
                        ])
                    })
            )
        ])
    }

    static func table(_ results: [PolicyResult], arrivals: Int) -> String {
        func minutes(_ value: Double?) -> String { value.map { String(format: "%.0f", $0) } ?? "—" }
        let rows: [(String, (PolicyResult) -> String)] = [
            ("callers promised", { String($0.promises) }),
            ("promises kept", { "\($0.kept) (\(String(format: "%.1f", $0.keptRatio * 100)) %)" }),
            ("promises moved", { String($0.moved) }),
            ("median slack, minutes", { minutes($0.medianSlackMinutes) }),
            ("95th percentile late, minutes", { minutes($0.p95LateMinutes) }),
            ("promised the SLA deadline", { String($0.atSLA) }),
            ("never reached", { String($0.neverReached) }),
        ]
        let labelWidth = rows.map(\.0.count).max() ?? 0
        let columns = results.map { result in [result.policy.rawValue] + rows.map { $0.1(result) } }
        let widths = columns.map { column in column.map(\.count).max() ?? 0 }
        func line(_ label: String, _ cells: [String]) -> String {
            (label.padding(toLength: labelWidth, withPad: " ", startingAt: 0)
                + zip(cells, widths).map { cell, width in "  " + String(repeating: " ", count: width - cell.count) + cell }.joined())
        }
        var lines = ["\(arrivals) arrivals replayed."]
        lines.append(line("", columns.map { $0[0] }))
        for (index, row) in rows.enumerated() { lines.append(line(row.0, columns.map { $0[index + 1] })) }
        return lines.joined(separator: "\n")
    }
}
