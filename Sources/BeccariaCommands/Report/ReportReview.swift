import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension ReportCommand {
  /// `beccaria report review`.
  struct Review: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "review",
      abstract: tr("Valid certificates whose basis changed after issue: attendance or assessments recorded or corrected since."),
      discussion: tr(
        """
        An issued certificate never changes by itself (it is frozen and signed). When what it \
        rests on changes later — attendance recorded, corrected or deleted, sessions added, moved \
        or cancelled, an assessment recorded — the certificate is listed here with what changed \
        and whether the completion rules are still met today; the office then revokes it, \
        re-issues it, or leaves it. Correcting commands name such certificates as they change \
        their basis.

        Example:
          beccaria report review
          beccaria report review --participant 12 --format csv
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp(tr("Only this participant."), valueName: "id")) var participant: ParticipantArgument?

    func run() throws {
      try reportingFailures {
        // The reasons are sentences: English in CSV and JSON, the reader's in a table or workbook.
        let entries = try output.format.content { try CertificateReview(try global.connect()).list(participant: participant?.id) }
        try Listing(
          items: entries,
          columns: [
            .init(header: "SERIAL") { $0.serial },
            .init(header: "KIND") { Term.kindCell($0.kind.rawValue, module: $0.module) },
            .init(header: "ID", alignRight: true) { .integer($0.participantID.rawValue) },
            .init(header: "HOLDER") { $0.holderName },
            .init(header: "ISSUED") { .dateTime($0.issuedAt) },
            .init(header: "CHANGED SINCE") { entry in
              .localised(machine: Self.changes(entry, human: false), human: Self.changes(entry, human: true))
            },
            .init(header: "RULES TODAY") { entry in
              .localised(
                machine: entry.noLongerMet.map { "no longer met: \($0)" } ?? "still met",
                human: entry.noLongerMet.map { tr("no longer met: %@", $0) } ?? tr("still met"))
            },
          ]
        ).print(output)
      }
    }

    /// What changed and when: the English kind (`attendance`, `plan`, `assessment`) for CSV, the
    /// reader's word in tables.
    static func changes(_ entry: ReviewEntry, human: Bool) -> String {
      let text = { entry.changes.map { "\(Term.word($0.kind)) \(Reader.dateTime($0.at))" }.joined(separator: ", ") }
      // The machine form is the same in every language: English kinds, ISO times.
      return human ? text() : Localisation.inEnglish(text)
    }
  }
}
