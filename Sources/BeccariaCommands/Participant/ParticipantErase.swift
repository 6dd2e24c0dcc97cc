import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension ParticipantCommand {
  /// `beccaria participant erase ID`.
  struct Erase: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "erase",
      abstract: tr("Erase a person's data on request (Art. 17 GDPR); their certificates stay verifiable."),
      discussion: tr(
        """
        Names, birth date, e-mail, organisation, notes and free text are removed or pseudonymised \
        everywhere (participant record, name history, attendance, enrolments, assessments, the \
        certificates' printed fields, signed codes and stored PDFs, the audit log's values). Open \
        enrolments and waiting-list places end; a freed place goes to the next person waiting. Files \
        written by exports and nightly runs on this machine are deleted; files elsewhere are listed, \
        to be deleted there. Kept: attendance figures, results, and each certificate's serial, \
        SHA-256 and signature, so that the PDF the holder keeps still verifies as genuine, with a note \
        that their data was erased. Cannot be undone. Run again for an erased person, it deletes \
        what is left of their files (an erasure interrupted after it committed).

        It first shows whom and what the erasure affects; on a terminal it asks you to type the \
        participant's number to confirm. Scripts give --yes; --dry-run shows it and changes \
        nothing.

        Example:
          beccaria participant erase 17 --reason "Antrag auf Löschung vom 20.11.2026"
          beccaria participant erase 17 --reason "Antrag vom 20.11.2026" --yes
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Participant number."), valueName: "id")) var participant: ParticipantArgument
    @Option(help: ArgumentHelp(tr("Why (e.g. the request's date); kept in the audit log."))) var reason: String
    @Flag(help: ArgumentHelp(tr("Confirm without asking (for scripts)."))) var yes = false
    @Flag(help: ArgumentHelp(tr("Show whom and what it would affect; change nothing."))) var dryRun = false

    func validate() throws {
      if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
        throw ValidationError(tr("--reason must not be empty."))
      }
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        let protection = DataProtection(connection)
        // Erased already (an earlier erasure was interrupted after it committed, say): what is left
        // to do is the files.
        if let (erasedAt, leftovers) = try protection.leftovers(participant.id) {
          print(
            tr(
              "Participant %@ was erased on request on %@ already; checking the files their erasure listed.", participant.id,
              Reader.dateTime(erasedAt)))
          report(try protection.removeExports(leftovers))
          return
        }
        let preview = try protection.preview(participant.id)
        Self.show(preview)
        if dryRun {
          print(tr("Nothing was changed (--dry-run)."))
          return
        }
        try Confirmation.require(
          String(participant.id.rawValue), what: tr("Erasing participant %@", participant.id), yes: yes)
        let outcome = try protection.erase(participant.id, reason: reason)
        print(
          outcome.certificates == 0
            ? tr("Erased the personal data of participant %@.", participant.id)
            : trn(
              "Erased the personal data of participant %@; %@ certificate remains verifiable.",
              "Erased the personal data of participant %@; %@ certificates remain verifiable.", outcome.certificates,
              participant.id, outcome.certificates))
        for ended in outcome.endedEnrolments {
          print(tr("  ended: %@ in %@", ended.was == .waiting ? tr("waiting-list place") : tr("enrolment"), ended.course))
        }
        for promotion in outcome.promoted {
          print(tr("  moved up from the waiting list of %@: participant %@", promotion.course, promotion.participant))
        }
        let messages = try MailStore(connection).list(status: nil, kind: nil, participant: participant.id, limit: nil)
        if !messages.isEmpty {
          let cancelled = messages.filter { $0.status == "cancelled" }.count
          print(
            trn(
              "  mail: %@ message about them kept without address or text",
              "  mail: %@ messages about them kept without address or text", messages.count, messages.count)
              + (cancelled > 0 ? " " + tr("(%@ not sent: cancelled)", cancelled) : ""))
        }
        report(try protection.removeExports(outcome))
      }
    }

    static func show(_ preview: ErasurePreview) {
      let person = preview.participant
      let born = person.birthDate.map { ", " + tr("born %@", Reader.date($0)) } ?? ""
      print(
        tr("Participant %@: %@ %@", person.id, person.givenNames, person.familyName) + born + ", "
          + (person.email ?? tr("no e-mail")) + ", " + (person.municipality ?? person.municipalityAGS ?? tr("no municipality")))
      print(tr("Erasing removes the name, birth date, e-mail, organisation, function, notes and free text everywhere, and:"))
      print(
        tr(
          "  open enrolments that end: %@",
          preview.openEnrolments.isEmpty ? tr("none") : preview.openEnrolments.joined(separator: ", ")))
      print(tr("  attendance records kept as figures only: %@", preview.attendance))
      print(
        tr(
          "  certificates that stay verifiable (holder's data erased): %@",
          preview.certificates.isEmpty ? tr("none") : preview.certificates.joined(separator: ", ")))
      print(tr("  files with their data to delete (or list): %@", preview.files))
      if let messages = preview.messages { print(tr("  messages kept without address or text: %@", messages)) }
    }

    func report(_ files: DataProtection.RemovedFiles) {
      for path in files.removed { print(tr("  deleted: %@", path)) }
      if !files.left.isEmpty {
        print(tr("Files with this person's data that were not deleted here:"))
        for (file, why) in files.left { print("  \(file.host):\(file.path) — \(why)") }
      }
    }
  }
}
