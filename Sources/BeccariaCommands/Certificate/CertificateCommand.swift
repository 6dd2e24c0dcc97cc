import ArgumentParser
import BeccariaCore
import Foundation

/// `beccaria certificate`.
struct CertificateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "certificate",
    abstract: tr("Issue certificates (the nightly run); list, show, export, verify, revoke and re-issue them."),
    subcommands: [
      Run.self, List.self, Show.self, Export.self, Verify.self,
      Revoke.self, Reopen.self, Reissue.self, Preview.self,
    ])
}
