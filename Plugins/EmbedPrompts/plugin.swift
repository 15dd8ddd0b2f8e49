import Foundation
import PackagePlugin

/// Compiles every `prompts/*.mustache` file at the package root into a Swift source file,
/// so the words the product speaks live in one place and ship inside the binary.
@main
struct EmbedPrompts: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let promptsDirectory = context.package.directoryURL.appending(path: "prompts")
        let templates = try FileManager.default
            .contentsOfDirectory(at: promptsDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "mustache" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedPrompts.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(templates.count) prompt templates",
                executable: try context.tool(named: "embed-prompts").url,
                arguments: [output.path] + templates.map(\.path),
                inputFiles: templates,
                outputFiles: [output])
        ]
    }
}
