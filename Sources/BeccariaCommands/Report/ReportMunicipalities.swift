import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension ReportCommand {
  /// `beccaria report municipalities`.
  struct Municipalities: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "municipalities",
      abstract: tr("Per municipality: participants, enrolled now, Zertifikate and Teilnahmebescheinigungen issued."),
      discussion: tr(
        """
        ZERTIFIKATE counts the valid Zertifikate: the municipality's Fachkräfte für \
        Kriminalprävention. --municipality takes an AGS or a name and answers in a sentence too.

        Example:
          beccaria report municipalities --municipality Seifhennersdorf
          beccaria report municipalities --district Görlitz
          beccaria report municipalities --state 14 --members
          beccaria report municipalities --format csv > kommunen.csv
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp(tr("Only this Land (the AGS's first two digits, 14 = Sachsen)."), valueName: "NN")) var state:
      String?
    @Flag(help: ArgumentHelp(tr("Only ASSKomm member municipalities."))) var members = false
    @Option(help: ArgumentHelp(tr("Only this municipality (AGS or name)."), valueName: "ags-or-name")) var municipality: String?
    @Option(help: ArgumentHelp(tr("Only the municipalities of this district (Landkreis)."), valueName: "name")) var district:
      String?

    func validate() throws {
      if municipality != nil && (district != nil || state != nil) {
        throw ValidationError(tr("--municipality names one municipality; it does not go with --district or --state."))
      }
      if let state, state.range(of: "^[0-9]{2}$", options: .regularExpression) == nil {
        throw ValidationError(tr("--state takes the two-digit Land code of the AGS (01 to 16)."))
      }
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        let chosen = try municipality.map { try MunicipalityStore(connection).resolve($0) }
        let report = MunicipalityReport(connection)
        let rows = try report.rows(state: state, members: members, ags: chosen?.ags, district: district)
        if let district, rows.isEmpty, !members {
          let districts = try report.districts().joined(separator: ", ")
          throw CommandFailure(
            tr("no municipality of the register lies in a district called %@ (districts: %@)", district, districts))
        }
        if let row = rows.first, chosen != nil, output.format == .table {
          print(
            tr(
              "%@ (%@): %@ für Kriminalprävention (valid Zertifikate), %@, %@ enrolled now.", row.name, row.ags,
              Plural.count(row.zertifikate, "Fachkraft", plural: "Fachkräfte"), Plural.count(row.participants, "participant"),
              row.enrolledNow) + "\n")
        }
        try Listing(
          items: rows,
          columns: [
            .init(header: "AGS") { $0.ags },
            .init(header: "MUNICIPALITY") { $0.name },
            .init(header: "DISTRICT") { $0.district ?? "" },
            .init(header: "ASSKOMM SINCE") { $0.asskommMemberSince.map(Cell.date) ?? .empty },
            .init(header: "PARTICIPANTS", alignRight: true) { .integer(Int64($0.participants)) },
            .init(header: "ENROLLED NOW", alignRight: true) { .integer(Int64($0.enrolledNow)) },
            .init(header: "ZERTIFIKATE", alignRight: true) { .integer(Int64($0.zertifikate)) },
            .init(header: "TEILNAHME", alignRight: true) { .integer(Int64($0.teilnahmebescheinigungen)) },
            .init(header: "LAST COMPLETED") { $0.lastCertificate.map(Cell.date) ?? .empty },
          ],
          title: tr("Municipalities")
        ).print(output)
      }
    }
  }
}
