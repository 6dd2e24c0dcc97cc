import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Signing

extension KeysCommand {
  /// `beccaria keys retire`.
  struct Retire: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "retire",
      abstract: tr("Stop a key from signing; certificates it signed stay verifiable."),
      discussion: tr(
        """
        Example:
          beccaria keys retire k-3f2a9c0d11e4b7a2
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Key id."), valueName: "key-id")) var keyID: String

    func run() throws {
      try reportingFailures {
        try SigningKeyStore(try global.connect()).retire(keyID)
        print(tr("Retired signing key %@; it signs nothing new.", keyID))
      }
    }
  }
}
