import ArgumentParser
import Foundation

/// `beccaria certificate`.
struct CertificateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "certificate",
    abstract: "Issue certificates (the nightly run); list, show, export, verify, revoke and re-issue them.",
    subcommands: [
      CertificateRunCommand.self, CertificateList.self, CertificateShow.self, CertificateExport.self, CertificateVerify.self,
      CertificateRevoke.self, CertificateReopen.self, CertificateReissue.self, CertificatePreview.self,
    ])
}
