import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Postgres

extension ParticipantCommand {
  /// `beccaria participant add`.
  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: tr("Register a participant."),
      discussion: tr(
        """
        A likely duplicate (same name and birth date, or same e-mail) is refused, naming the \
        existing participant, unless --force is given.

        Example:
          beccaria participant add --family-name Wjeńka --given-names Měrćin \\
            --birth-date 1984-07-12 --email m.wjenka@example.org \\
            --municipality 14625020 --organisation "Stadt Bautzen"
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Family name, as on official documents."))) var familyName: String
    @Option(help: ArgumentHelp(tr("Given names, as on official documents."))) var givenNames: String
    @Option(help: ArgumentHelp(tr("Day of birth (DD.MM.YYYY or YYYY-MM-DD)."), valueName: "date")) var birthDate: String
    @Option(help: ArgumentHelp(tr("E-mail address (certificates and notices go there)."))) var email: String
    @Option(help: ArgumentHelp(tr("The participant's municipality: its AGS, or its name."), valueName: "ags|name"))
    var municipality: String
    @Option(help: ArgumentHelp(tr("Employer or organisation."))) var organisation: String?
    @Option(help: ArgumentHelp(tr("Role or position."))) var function: String?
    @Flag(help: ArgumentHelp(tr("Add even if a likely duplicate exists."))) var force = false

    func run() throws {
      try reportingFailures {
        // A name (not a string of digits) is looked up first; an AGS is checked with the rest.
        var opened: Connection?
        let isAGS = municipality.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } || municipality.trimmedFast().isEmpty
        var place = municipality
        if !isAGS {
          opened = try global.connect()
          place = try MunicipalityStore(try opened ?? global.connect()).resolve(municipality).ags
        }
        let values: [String: String?] = [
          "family_name": familyName, "given_names": givenNames, "birth_date": birthDate, "email": email,
          "municipality": place, "organisation": organisation, "function": function,
        ]
        let draft: ParticipantDraft
        switch RecordInput.participant({
          values[$0].flatMap { $0?.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }) {
        case .success(let value): draft = value
        case .failure(let list): throw CommandFailure(list.sentence)
        }
        let connection = try opened ?? global.connect()
        if try !MunicipalityStore(connection).unknown([draft.municipality.value]).isEmpty {
          throw CommandFailure(
            tr("--municipality %@ is not in the register; add it with `beccaria municipality add` first", draft.municipality))
        }
        let ids = try ParticipantStore(connection).add([draft], force: force)
        print(tr("Registered participant %@: %@ %@.", ids[0].description, draft.givenNames, draft.familyName))
      }
    }
  }
}
