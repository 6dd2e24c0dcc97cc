import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension ParticipantCommand {
  /// `beccaria participant show ID`.
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: tr("Show a participant with enrolments, attendance per module, certificates and messages."),
      discussion: tr(
        """
        Example:
          beccaria participant show 12
          beccaria participant show 12 --format json
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Participant number."), valueName: "id")) var participant: ParticipantArgument
    @Option(help: ArgumentHelp(tr("Output format: table or json."))) var format: OutputFormat = .table

    func validate() throws {
      if format == .csv { throw ValidationError(tr("participant show prints table or json.")) }
    }

    struct Details: Encodable {
      var participant: ParticipantListing
      var nameHistory: [NameChange]
      var enrolments: [EnrolmentListing]
      var progress: [ModuleProgress]
      var certificates: [CertificateSummary]
      var messages: [MailListing]
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        let store = ParticipantStore(connection)
        let person = try store.find(participant.id)
        let details = try format.content {
          Details(
            participant: person, nameHistory: try store.nameHistory(person.id),
            enrolments: try EnrolmentStore(connection).list(participant: person.id), progress: try store.progress(person.id),
            certificates: try store.certificates(person.id),
            messages: try MailStore(connection).list(status: nil, kind: nil, participant: person.id, limit: nil))
        }
        if format == .json {
          print(try JSONOutput.encode(details), terminator: "")
          return
        }
        print(
          tr("Participant %@: %@ %@", person.id, person.givenNames, person.familyName)
            + (person.erased ? " " + tr("(personal data erased)") : ""))
        print("  " + tr("born %@", person.birthDate.map(Reader.date) ?? "–") + ", " + (person.email ?? tr("no e-mail")))
        if let email = person.email, let entry = try MailStore(connection).suppression(of: email) {
          print(
            InertText.escape(
              "  "
                + tr(
                  "the address is on the suppression list since %@ (%@): nothing is mailed to it (mail unsuppress)",
                  Reader.dateTime(entry.since), entry.reason)))
        }
        let place = person.municipality ?? "–"
        let placeAGS = person.municipalityAGS ?? "–"
        let employer = person.organisation ?? tr("no organisation")
        let role = person.function.map { ", \($0)" } ?? ""
        print("  \(place) (\(placeAGS)), \(employer)\(role)")
        for change in details.nameHistory {
          print("  " + tr("formerly %@ (until %@: %@)", change.from, Reader.dateTime(change.changedAt), change.reason))
        }
        print("\n" + tr("Enrolments:"))
        print(try Listing(items: details.enrolments, columns: EnrolmentColumns.forParticipant).render(.table))
        print(tr("Attendance per module (share of all planned UE):"))
        print(
          try Listing(
            items: details.progress,
            columns: [
              .init(header: "COHORT") { $0.course },
              .init(header: "MODULE") { "\($0.module) \($0.moduleTitle)" },
              .init(header: "ATTENDED", alignRight: true) {
                .localised(
                  machine: "\(Reader.machineNumber($0.attendedUE))/\($0.plannedUE) UE",
                  human: "\(Reader.number($0.attendedUE))/\($0.plannedUE) UE")
              },
              .init(header: "SHARE", alignRight: true) { .percent($0.share) },
              .init(header: "NEEDED", alignRight: true) { .percent($0.threshold) },
              .init(header: "RECORDED", alignRight: true) { "\($0.recordedSessions)/\($0.sessions)" },
              .init(header: "") { $0.thresholdMet ? .localised(machine: "met", human: tr("met")) : .empty },
            ]
          ).render(.table))
        for (programme, verdict) in try CertificateStore(connection).explain(person.id) {
          print(tr("Certificate rules (%@):", programme))
          for due in verdict.due {
            print("  " + tr("due at the next run: %@ — %@", Term.kind(due.kind.rawValue, module: due.module), due.reason))
          }
          for missing in verdict.missing { print("  " + tr("still missing for the Zertifikat: %@", missing)) }
          for blocked in verdict.blocked { print("  " + tr("held back: %@", blocked.sentence)) }
          if verdict.due.isEmpty && verdict.missing.isEmpty && verdict.blocked.isEmpty {
            print("  " + tr("nothing missing; nothing due"))
          }
        }
        print("")
        print(tr("Certificates:"))
        print(
          try Listing(
            items: details.certificates,
            columns: [
              .init(header: "SERIAL") { $0.serial },
              .init(header: "KIND") { Term.kindCell($0.kind.rawValue, module: $0.module) },
              .init(header: "STATUS") { .term($0.status.rawValue) },
              .init(header: "ISSUED") { .dateTime($0.issuedAt) },
            ]
          ).render(.table))
        print(tr("Messages (mail show ID):"))
        print(
          try Listing(
            items: details.messages,
            columns: [
              .init(header: "ID", alignRight: true) { .integer(Int64($0.id)) },
              .init(header: "KIND") { Term.word($0.kind) },
              .init(header: "STATUS") { MailWords.status($0.status) },
              .init(header: "TO", label: "RECIPIENT") { .text($0.recipient ?? tr("(erased)")) },
              .init(header: "SUBJECT") { $0.subject ?? "" },
              .init(header: "DONE / NEXT TRY") { ($0.finishedAt ?? $0.nextAttemptAt).map(Cell.dateTime) ?? .empty },
            ]
          ).render(.table), terminator: "")
      }
    }
  }
}
