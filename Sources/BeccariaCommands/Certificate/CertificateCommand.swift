import ArgumentParser
import Foundation

/// `beccaria certificate`.
struct CertificateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "certificate",
    abstract: "Issue certificates (the nightly run), list, show and export them.",
    subcommands: [
      CertificateRunCommand.self, CertificateList.self, CertificateShow.self, CertificateExport.self, CertificatePreview.self,
    ])
}
