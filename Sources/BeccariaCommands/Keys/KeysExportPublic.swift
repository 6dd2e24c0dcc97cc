import ArgumentParser
import BeccariaCore
import BeccariaStore
import Files
import Foundation
import Signing

extension KeysCommand {
  /// `beccaria keys export-public`.
  struct ExportPublic: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "export-public",
      abstract: tr("Write public keys as PEM, for verifying certificates offline (`certificate verify --offline`)."),
      discussion: tr(
        """
        Without a key id, every registered key is written (retired ones too: what they signed stays \
        valid). A retired key's comment line names the day it retired; offline verification refuses \
        codes it signed later.

        Example:
          beccaria keys export-public --output beccaria-keys.pem
          beccaria certificate verify --offline --public-key beccaria-keys.pem \\
            "https://…?c=BQ1…"
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Key id (default: all keys)."), valueName: "key-id")) var keyID: String?
    @Option(help: ArgumentHelp(tr("Write to FILE instead of standard output."), valueName: "file")) var output: String?

    func run() throws {
      try reportingFailures {
        let store = SigningKeyStore(try global.connect())
        let ids = try keyID.map { [$0] } ?? store.list().map(\.keyID)
        if ids.isEmpty { throw CommandFailure(tr("no signing key is registered yet (beccaria keys generate)")) }
        let pem = try ids.map { id in
          guard let key = try store.find(id) else {
            throw CommandFailure(tr("signing key %@ is not registered (see beccaria keys list)", id))
          }
          return key.pem
        }.joined()
        if let output {
          try FileOutput.write(Data(pem.utf8), to: output, mode: SafeFile.publicMode)
          FileHandle.standardError.write(Data((tr("Wrote %@ to %@.", Plural.count(ids.count, "public key"), output) + "\n").utf8))
        } else {
          print(pem, terminator: "")
        }
      }
    }
  }
}
