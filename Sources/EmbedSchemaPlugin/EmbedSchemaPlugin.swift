import Foundation
import PackagePlugin

/// Embeds the package's `schema/*.sql` migrations into the target that uses this plugin, so the
/// built binary carries its migrations wherever it runs (SwiftPM cannot bundle files that sit
/// outside every target).
@main
struct EmbedSchemaPlugin: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
    let schemaDirectory = context.package.directoryURL.appending(path: "schema")
    let names = try FileManager.default.contentsOfDirectory(atPath: schemaDirectory.path)
      .filter { $0.hasSuffix(".sql") }
      .sorted()
    let inputs = names.map { schemaDirectory.appending(path: $0) }
    let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
    return [
      .buildCommand(
        displayName: "Embedding \(names.count) migrations from schema/",
        executable: try context.tool(named: "SchemaEmbedder").url,
        arguments: [output.path] + inputs.map(\.path),
        inputFiles: inputs + [schemaDirectory],
        outputFiles: [output])
    ]
  }
}
