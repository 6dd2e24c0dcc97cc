import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension ReportCommand {
  /// `beccaria report municipalities`.
  struct Municipalities: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "municipalities",
      abstract: "Per municipality: participants, enrolled now, Zertifikate and Teilnahmebescheinigungen issued.",
      discussion: """
        Example:
          beccaria report municipalities --state 14 --members
          beccaria report municipalities --format csv > kommunen.csv
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp("Only this Land (the AGS's first two digits, 14 = Sachsen).", valueName: "NN")) var state: String?
    @Flag(help: "Only ASSKomm member municipalities.") var members = false

    func validate() throws {
      if let state, state.range(of: "^[0-9]{2}$", options: .regularExpression) == nil {
        throw ValidationError("--state takes the two-digit Land code of the AGS (01 to 16).")
      }
    }

    func run() throws {
      try reportingFailures {
        let rows = try MunicipalityReport(try global.connect()).rows(state: state, members: members)
        try Listing(
          items: rows,
          columns: [
            .init(header: "AGS") { $0.ags },
            .init(header: "MUNICIPALITY") { $0.name },
            .init(header: "DISTRICT") { $0.district ?? "" },
            .init(header: "ASSKOMM SINCE") { $0.asskommMemberSince?.german ?? "" },
            .init(header: "PARTICIPANTS", alignRight: true) { String($0.participants) },
            .init(header: "ENROLLED NOW", alignRight: true) { String($0.enrolledNow) },
            .init(header: "ZERTIFIKATE", alignRight: true) { String($0.zertifikate) },
            .init(header: "TEILNAHME", alignRight: true) { String($0.teilnahmebescheinigungen) },
            .init(header: "LAST COMPLETED") { $0.lastCertificate?.german ?? "" },
          ]
        ).print(output.format)
      }
    }
  }
}
