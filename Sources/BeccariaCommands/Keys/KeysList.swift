import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Signing

extension KeysCommand {
  /// `beccaria keys list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: tr("List the registered issuing keys and how many certificates each signed."),
      discussion: tr(
        """
        Example:
          beccaria keys list --format json
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption

    func run() throws {
      try reportingFailures {
        try Listing(
          items: try SigningKeyStore(try global.connect()).list(),
          columns: [
            .init(header: "KEY ID") { $0.keyID },
            .init(header: "ALGORITHM") { $0.algorithm },
            .init(header: "LABEL") { $0.label ?? "" },
            .init(header: "CREATED") { .dateTime($0.createdAt) },
            .init(header: "BY") { $0.createdBy ?? "" },
            .init(header: "RETIRED") { $0.retiredAt.map(Cell.dateTime) ?? .empty },
            .init(header: "CERTIFICATES", alignRight: true) { .integer(Int64($0.certificates)) },
          ]
        ).print(output)
      }
    }
  }
}
