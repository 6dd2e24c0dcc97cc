import ArgumentParser
import BeccariaCore
import Foundation

/// `beccaria municipality`: the register of municipalities.
struct MunicipalityCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "municipality",
    abstract: tr("Keep the register of municipalities (by AGS) and their ASSKomm membership."),
    subcommands: [Import.self, Add.self, List.self])
}
