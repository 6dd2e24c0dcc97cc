import ArgumentParser
import BeccariaCore
import Foundation

/// `beccaria keys`.
struct KeysCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "keys",
    abstract: tr("Issuing keys: generate, register, list, export the public half, retire."),
    discussion: tr(
      """
      Certificates are signed with Ed25519. The private key lives in a file readable only by \
      its owner (never in the database); the database holds the public half, so that every \
      signature can be checked, and the public key can be handed to anyone who verifies offline.
      """),
    subcommands: [Generate.self, Register.self, List.self, ExportPublic.self, Retire.self])
}
