import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension MunicipalityCommand {
  /// `beccaria municipality add`.
  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: tr("Add one municipality, or update it when its AGS is known."),
      discussion: tr(
        """
        Example:
          beccaria municipality add --ags 14628270 --name Pirna \\
            --district "Sächsische Schweiz-Osterzgebirge" --member-since 2019-02-06
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Amtlicher Gemeindeschlüssel, 8 digits."))) var ags: String
    @Option(help: ArgumentHelp(tr("Name of the municipality."))) var name: String
    @Option(help: ArgumentHelp(tr("District (Landkreis or kreisfreie Stadt)."))) var district: String?
    @Option(help: ArgumentHelp(tr("Date of the ASSKomm cooperation agreement."), valueName: "date")) var memberSince: String?

    func run() throws {
      try reportingFailures {
        let values = ["ags": ags, "name": name, "district": district, "asskomm_member_since": memberSince]
        let municipality: Municipality
        switch RecordInput.municipality({ values[$0] ?? nil }) {
        case .success(let value): municipality = value
        case .failure(let list):
          throw CommandFailure(list.sentence.replacingOccurrences(of: "--asskomm-member-since", with: "--member-since"))
        }
        // An option not given leaves the stored value alone.
        var given: Set<MunicipalityField> = []
        if district != nil { given.insert(.district) }
        if memberSince != nil { given.insert(.asskommMemberSince) }
        let counts = try MunicipalityStore(try global.connect()).upsert([municipality], given: given)
        if counts.inserted == 1 {
          print(tr("Added %@ (%@).", municipality.name, municipality.ags))
        } else if let change = counts.changes.first {
          print(tr("Updated %@.", change))
        } else {
          print(tr("Unchanged: %@ (%@).", municipality.name, municipality.ags))
        }
      }
    }
  }
}
