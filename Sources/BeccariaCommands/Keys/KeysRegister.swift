import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Signing

extension KeysCommand {
  /// `beccaria keys register`.
  struct Register: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "register",
      abstract: tr("Register the public half of a key created elsewhere (PEM, as `keys export-public` or OpenSSL write it)."),
      discussion: tr(
        """
        The file may hold the public key, or the private key itself: then only its public half \
        goes into the database. A key registered already is left as it is.

        Example:
          openssl genpkey -algorithm ed25519 -out signing-key.pem
          openssl pkey -in signing-key.pem -pubout -out signing-key.pub.pem
          beccaria keys register signing-key.pub.pem --label "Ersatzschlüssel"
          beccaria keys register /etc/beccaria/signing-key.pem   # a new database
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Public key file (PEM), or the private key file."), valueName: "file")) var file: String
    @Option(help: ArgumentHelp(tr("A label for people."))) var label: String?

    func run() throws {
      try reportingFailures {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
          throw CommandFailure(tr("%@ cannot be read", file))
        }
        let key: PublicSigningKey
        do {
          // A private key file is read as the nightly run reads it, so one that others can read is
          // refused here too (it would sign certificates for whoever copied it).
          key =
            text.contains("-----BEGIN PRIVATE KEY-----")
            ? try SigningKey.load(path: file).publicKey : try PublicSigningKey(pem: text)
        } catch let error as KeyError {
          throw CommandFailure(error.description)
        } catch {
          throw CommandFailure("\(file): \(error)")
        }
        if try SigningKeyStore(try global.connect()).register(key, label: label) {
          print(tr("Registered signing key %@.", key.keyID))
        } else {
          print(tr("Signing key %@ is registered already; nothing changed.", key.keyID))
        }
      }
    }
  }
}
