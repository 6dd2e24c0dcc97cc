// Build tool behind EmbedSchemaPlugin: writes a Swift file that holds every migration's exact bytes
// (base64, so no SQL text can break the Swift literal), in file-name order.
import Foundation

// With `--type NAME` first, the files go into an enum of that name (EmbedCataloguePlugin's
// catalogues); otherwise into the extension of EmbeddedMigrations that BeccariaStore declares.
var arguments = CommandLine.arguments.dropFirst()
var typeName: String?
if arguments.first == "--type" {
  typeName = arguments.dropFirst().first
  arguments = arguments.dropFirst(2)
}
guard let outputPath = arguments.first else {
  FileHandle.standardError.write(Data("usage: SchemaEmbedder [--type NAME] OUTPUT [FILE ...]\n".utf8))
  exit(2)
}
var source = """
  // Generated at build time by SchemaEmbedder. Do not edit.

  \(typeName.map { "enum \($0)" } ?? "extension EmbeddedMigrations") {
    /// The files shipped with this build: (file name, base64 of the exact bytes).
    static let files: [(name: String, base64: String)] = [

  """
for path in arguments.dropFirst() {
  let url = URL(fileURLWithPath: path)
  let bytes = try Data(contentsOf: url)
  source += "    (\"\(url.lastPathComponent)\", \"\(bytes.base64EncodedString())\"),\n"
}
source += "  ]\n}\n"
let data = Data(source.utf8)
// Rewrite only when different, so an unchanged schema does not trigger a recompile.
if (try? Data(contentsOf: URL(fileURLWithPath: outputPath))) != data {
  try data.write(to: URL(fileURLWithPath: outputPath), options: .atomic)
}
