import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Signing

/// Where the private issuing key is: `--signing-key`, else `BECCARIA_SIGNING_KEY`, else
/// `$XDG_CONFIG_HOME/beccaria/signing-key.pem` (`~/.config/beccaria/signing-key.pem`).
struct SigningKeyOption: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      tr("Private issuing key (PEM). Default: BECCARIA_SIGNING_KEY, else ~/.config/beccaria/signing-key.pem."), valueName: "file")
  )
  var signingKey: String?

  func validate() throws {
    if let signingKey, signingKey.isEmpty { throw ValidationError(tr("--signing-key must not be empty.")) }
  }

  var path: String { signingKey ?? Self.defaultPath() }

  static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
    if let configured = environment["BECCARIA_SIGNING_KEY"], !configured.isEmpty { return configured }
    let config =
      environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? (NSHomeDirectory() as NSString).appendingPathComponent(".config")
    return (config as NSString).appendingPathComponent("beccaria/signing-key.pem")
  }

  func load() throws -> SigningKey { try SigningKey.load(path: path) }
}
