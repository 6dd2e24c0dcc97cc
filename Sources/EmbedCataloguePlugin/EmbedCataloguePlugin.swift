import Foundation
import PackagePlugin

/// Embeds the target's gettext catalogues (`*.po`, excluded from the target's sources) into it,
/// as EmbedSchemaPlugin embeds the migrations: the binary carries its translations wherever it
/// runs, with no locale folder to install.
@main
struct EmbedCataloguePlugin: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
    let directory = target.directoryURL
    let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".po") }.sorted()
    let inputs = names.map { directory.appending(path: $0) }
    let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedCatalogues.swift")
    return [
      .buildCommand(
        displayName: "Embedding \(names.count) catalogues",
        executable: try context.tool(named: "SchemaEmbedder").url,
        arguments: ["--type", "EmbeddedCatalogues", output.path] + inputs.map(\.path),
        inputFiles: inputs,
        outputFiles: [output])
    ]
  }
}
