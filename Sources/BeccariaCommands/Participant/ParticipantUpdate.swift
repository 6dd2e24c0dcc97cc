import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension ParticipantCommand {
  /// `beccaria participant update ID`.
  struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "update",
      abstract: tr("Change a participant's e-mail, organisation, function, municipality or notes."),
      discussion: tr(
        """
        Options not given stay as they are; "" clears an optional field. The municipality is \
        given by AGS or by its name. Every change is audited (with --reason if given); names \
        change with participant rename, which keeps the old one. A new e-mail receives the \
        messages still to be sent (beccaria mail resend sends a failed one again).

        Example:
          beccaria participant update 12 --email k.fischer@stadt-leipzig.de
          beccaria participant update 12 --organisation "Stadt Leipzig" \\
            --municipality Leipzig
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Participant number."), valueName: "id")) var participant: ParticipantArgument
    @Option(help: ArgumentHelp(tr("E-mail address."), valueName: "address")) var email: String?
    @Option(help: ArgumentHelp(tr("Organisation or office."))) var organisation: String?
    @Option(help: ArgumentHelp(tr("Function or position."))) var function: String?
    @Option(help: ArgumentHelp(tr("Municipality by AGS or name."), valueName: "ags-or-name")) var municipality: String?
    @Option(help: ArgumentHelp(tr("Notes of the office (replaces the notes)."))) var notes: String?
    @Option(help: ArgumentHelp(tr("Why it changes (kept in the audit log)."))) var reason: String?

    func validate() throws {
      if email == nil && organisation == nil && function == nil && municipality == nil && notes == nil {
        throw ValidationError(tr("give at least one of --email, --organisation, --function, --municipality, --notes."))
      }
      if let email, !email.isEmpty, let problem = Validation.email(email) { throw ValidationError(tr("--email %@.", problem)) }
      for (option, value) in [("--organisation", organisation), ("--function", function)] {
        if let value, !value.isEmpty, let problem = Validation.name(value, maxLength: 300) {
          throw ValidationError("\(option) \(problem).")
        }
      }
      if let municipality, municipality.trimmingCharacters(in: .whitespaces).isEmpty {
        throw ValidationError(tr("--municipality must not be empty (a participant keeps a municipality)."))
      }
      if let reason { try requireReason(reason) }
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        let ags = try municipality.map { try MunicipalityStore(connection).resolve($0).ags }
        let store = ParticipantStore(connection)
        // The address before, to tell whether it changed (the changes are sentences in the reader's language).
        var emailBefore: String?
        if email != nil { emailBefore = try store.find(participant.id).email }
        let changes = try store.update(
          participant.id,
          ParticipantChange(
            email: email.map { $0.trimmingCharacters(in: .whitespaces) }, organisation: organisation, function: function,
            municipalityAGS: ags, notes: notes),
          reason: reason)
        let person = try store.find(participant.id)
        let who = "\(person.givenNames) \(person.familyName) (\(participant.id))"
        if changes.isEmpty {
          print(tr("%@ has these details already; nothing changed.", who))
        } else {
          print(tr("Updated %@: %@.", who, changes.joined(separator: "; ")))
        }
        if email != nil, let address = person.email, address != emailBefore {
          for other in try store.others(withEmail: address, excluding: participant.id) {
            warn(
              tr("participant %@ (%@ %@) has the same e-mail: is one a duplicate?", other.id, other.givenNames, other.familyName))
          }
        }
      }
    }
  }
}
