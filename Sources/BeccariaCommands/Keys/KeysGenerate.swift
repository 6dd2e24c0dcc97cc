import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Issuance
import Postgres
import Signing

extension KeysCommand {
  /// `beccaria keys generate`.
  struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "generate",
      abstract: tr("Create an issuing key: the private key to a new file (mode 0600), the public key into the database."),
      discussion: tr(
        """
        The file is never overwritten. Its key id (k- and 16 hex digits) is derived from the key.

        Example:
          beccaria keys generate --output /etc/beccaria/signing-key.pem \\
            --label "LPR Sachsen 2026"
        """))

    @OptionGroup var global: GlobalOptions
    @Option(
      help: ArgumentHelp(
        tr("Where to write the private key (default: BECCARIA_SIGNING_KEY, else ~/.config/beccaria/signing-key.pem)."),
        valueName: "file"))
    var output: String?
    @Option(help: ArgumentHelp(tr("A label for people, e.g. \"LPR Sachsen 2026\"."))) var label: String?

    func validate() throws {
      if let output, output.isEmpty { throw ValidationError(tr("--output must not be empty.")) }
      if let label, label.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError(tr("--label must not be empty.")) }
    }

    func run() throws {
      try reportingFailures {
        let path = output ?? SigningKeyOption.defaultPath()
        if FileManager.default.fileExists(atPath: path) {
          throw CommandFailure(tr("%@ already exists; a key file is never overwritten (choose another --output)", path))
        }
        // The folder part by hand: NSString.deletingLastPathComponent traps on a one-letter
        // relative path ("k") in swift-corelibs-foundation.
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
          try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let key = try KeyGeneration.generate(try global.connect(), label: label, path: path)
        print(tr("Generated signing key %@; private key in %@ (mode 0600), public key registered.", key.keyID, path))
        print(tr("Give verifiers the public key: beccaria keys export-public %@ --output %@.pub.pem", key.keyID, key.keyID))
      }
    }
  }
}
