import ArgumentParser
import BeccariaStore
import Foundation

/// `beccaria keys register`.
struct KeysRegister: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "register",
    abstract: "Register the public half of a key created elsewhere (PEM, as `keys export-public` or OpenSSL write it).",
    discussion: """
      Example:
        openssl genpkey -algorithm ed25519 -out signing-key.pem
        openssl pkey -in signing-key.pem -pubout -out signing-key.pub.pem
        beccaria keys register signing-key.pub.pem --label "Ersatzschlüssel"
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: ArgumentHelp("Public key file (PEM).", valueName: "file")) var file: String
  @Option(help: "A label for people.") var label: String?

  func run() throws {
    try reportingFailures {
      guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
        throw CommandFailure("\(file) cannot be read")
      }
      let key: PublicSigningKey
      do {
        key = try PublicSigningKey(pem: text)
      } catch {
        throw CommandFailure("\(file): \(error)")
      }
      try SigningKeyStore(try global.connect()).register(key, label: label)
      print("Registered signing key \(key.keyID).")
    }
  }
}
