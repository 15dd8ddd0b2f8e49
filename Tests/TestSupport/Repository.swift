import Foundation

/// Where the tests find what they need: the repository's own files, and the products
/// SwiftPM built beside the test runner.
public enum Repository {
    /// The repository's top folder (this file is Tests/TestSupport/Repository.swift).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL
    public static let fixtures = root.appendingPathComponent("fixtures")
    public static let sources = root.appendingPathComponent("Sources")
}

public enum Built {
    /// The folder SwiftPM builds products into: the one the test runner itself is in
    /// (`.build/debug`, `.build/<triple>/release`, or wherever `--scratch-path` put it).
    public static let products: URL = {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        // On Linux the runner is `<products>/<Package>PackageTests.xctest`; a bundle on
        // other systems keeps its executable deeper inside.
        var folder = runner.deletingLastPathComponent()
        while folder.path != "/", !FileManager.default.fileExists(atPath: folder.appendingPathComponent("callbacks").path),
            folder.pathComponents.contains(where: { $0.hasSuffix(".xctest") })
        {
            folder = folder.deletingLastPathComponent()
        }
        return folder
    }()

    /// A built executable, such as `callbacks`.
    public static func product(_ name: String) -> URL { products.appendingPathComponent(name) }
}
