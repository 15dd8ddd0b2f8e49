import BusinessTime
import Foundation
internal import Yams

/// A mapping in the YAML document, with the dotted key path and file that errors name.
struct Section {
    let mapping: Node.Mapping
    /// The dotted path of this section (`business.hours`), nil for the document.
    let key: String?
    let file: String

    init(_ node: Node, key: String?, file: String) throws(ConfigurationError) {
        guard case .mapping(let mapping) = node else {
            throw ConfigurationError(file: file, line: node.mark?.line, key: key, problem: "should be a mapping of keys to values")
        }
        self.mapping = mapping
        self.key = key
        self.file = file
    }

    var line: Int? { mapping.mark?.line }

    /// The line of the key `name` itself: its value may start lines later (a block list).
    func keyLine(_ name: String) -> Int? {
        mapping.first { $0.key.scalar?.string == name }?.key.mark?.line ?? line
    }

    func childKey(_ name: String) -> String { key.map { "\($0).\(name)" } ?? name }

    func error(_ name: String?, _ problem: String) -> ConfigurationError {
        let node = name.flatMap(node(named:))
        return ConfigurationError(
            file: file, line: node?.mark?.line ?? line, key: name.map(childKey) ?? key, problem: problem)
    }

    /// The node `name` stands for: a key's value, or an item of a list (`vip[2]`), whose
    /// line may be far below the list's key.
    private func node(named name: String) -> Node? {
        if let node = mapping[name] { return node }
        guard name.hasSuffix("]"), let open = name.lastIndex(of: "["),
            let index = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]),
            case .sequence(let list) = mapping[String(name[..<open])]
        else { return nil }
        let items = Array(list)
        return items.indices.contains(index) ? items[index] : nil
    }

    /// Refuses keys this section does not define: a typo must not silently do nothing.
    func allowKeys(_ allowed: Set<String>) throws(ConfigurationError) {
        for (name, _) in mapping {
            let text = name.scalar?.string ?? "?"
            guard allowed.contains(text) else {
                throw ConfigurationError(
                    file: file, line: name.mark?.line, key: childKey(text),
                    problem: "unknown key; expected one of \(allowed.sorted().joined(separator: ", "))")
            }
        }
    }

    private func scalar(_ name: String) throws(ConfigurationError) -> String? {
        guard let node = mapping[name] else { return nil }
        if node.null != nil, node.scalar?.style == .plain { return nil }
        guard let text = node.scalar?.string else { throw error(name, "should be a single value") }
        return text
    }

    func section(_ name: String) throws(ConfigurationError) -> Section? {
        guard let node = mapping[name], node.null == nil else { return nil }
        return try Section(node, key: childKey(name), file: file)
    }

    func string(_ name: String) throws(ConfigurationError) -> String? {
        try scalar(name)
    }

    func bool(_ name: String) throws(ConfigurationError) -> Bool? {
        guard let text = try scalar(name) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(name, "\"\(text)\" should be true or false")
        }
    }

    func positiveInt(_ name: String) throws(ConfigurationError) -> Int? {
        guard let text = try scalar(name) else { return nil }
        guard let value = Int(text), value > 0 else { throw error(name, "\"\(text)\" should be a whole number above 0") }
        return value
    }

    func duration(_ name: String) throws(ConfigurationError) -> Int? {
        guard let text = try scalar(name) else { return nil }
        switch DurationText.seconds(in: text) {
        case .success(let seconds): return seconds
        case .failure(let failure): throw error(name, failure.description)
        }
    }

    /// A duration for which 0 makes no sense; `consequence` says what 0 would do.
    func positiveDuration(_ name: String, _ consequence: String) throws(ConfigurationError) -> Int? {
        guard let seconds = try duration(name) else { return nil }
        guard seconds > 0 else { throw error(name, "should be longer than 0: \(consequence)") }
        return seconds
    }

    func oneOf(_ name: String, _ choices: [String]) throws(ConfigurationError) -> String? {
        guard let text = try scalar(name) else { return nil }
        guard choices.contains(text) else {
            throw error(name, "\"\(text)\" should be one of \(choices.joined(separator: ", "))")
        }
        return text
    }

    /// A path; relative ones are taken from the configuration file's folder.
    func path(_ name: String, base: URL) throws(ConfigurationError) -> String? {
        guard let text = try scalar(name), !text.isEmpty else { return nil }
        if text.hasPrefix("/") { return text }
        return base.appendingPathComponent(text).standardizedFileURL.path
    }

    func sequence(_ name: String) throws(ConfigurationError) -> [Node] {
        guard let node = mapping[name], node.null == nil else { return [] }
        guard case .sequence(let sequence) = node else { throw error(name, "should be a list") }
        return Array(sequence)
    }

    func strings(_ name: String) throws(ConfigurationError) -> [String]? {
        guard mapping[name] != nil else { return nil }
        return try sequence(name).enumerated().map { index, node throws(ConfigurationError) in
            guard let text = node.scalar?.string else { throw error("\(name)[\(index)]", "should be a single value") }
            return text
        }
    }

    /// A list of opening intervals such as `["08:00-12:00", "13:00-17:00"]`.
    func intervals(_ name: String) throws(ConfigurationError) -> [OpeningInterval] {
        try sequence(name).enumerated().map { index, node throws(ConfigurationError) in
            let key = "\(name)[\(index)]"
            guard let text = node.scalar?.string else { throw error(key, "should be an interval such as \"08:00-17:00\"") }
            return try parse(key, node) { () throws(ScheduleError) in try OpeningInterval(parsing: text) }
        }
    }

    /// `["08:00-12:00 2", "12:00-17:00"]`: staffed intervals (a count of people, one if none).
    func staffedIntervals(_ name: String) throws(ConfigurationError) -> [StaffedInterval] {
        try sequence(name).enumerated().map { index, node throws(ConfigurationError) in
            let key = "\(name)[\(index)]"
            guard let text = node.scalar?.string else { throw error(key, "should be an interval with a number of people, such as \"08:00-12:00 2\"") }
            return try parse(key, node) { () throws(ScheduleError) in try StaffedInterval(parsing: text) }
        }
    }

    /// Runs a schedule parser, reporting its failure at `name` (and the node's line).
    func parse<T>(_ name: String, _ node: Node?, _ body: () throws(ScheduleError) -> T) throws(ConfigurationError) -> T {
        do {
            return try body()
        } catch {
            throw ConfigurationError(
                file: file, line: node?.mark?.line ?? line, key: childKey(name), problem: error.message)
        }
    }
}
