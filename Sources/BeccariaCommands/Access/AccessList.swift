import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension AccessCommand {
  /// `beccaria access list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: tr("List logins with beccaria roles (roles are shared by all databases of the cluster)."),
      discussion: tr(
        """
        Example:
          beccaria access list --format csv
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption

    func run() throws {
      try reportingFailures {
        try Listing(
          items: try AccessStore(try global.connect()).list(),
          columns: [
            .init(header: "LOGIN") { $0.login },
            .init(header: "ROLES") { $0.roles.joined(separator: ", ") },
            .init(header: "CAN LOG IN") {
              .localised(machine: $0.canLogIn ? "yes" : "no", human: $0.canLogIn ? tr("yes") : tr("no"))
            },
            .init(header: "TRAINER") { $0.trainerEmail ?? "" },
          ]
        ).print(output)
      }
    }
  }
}
