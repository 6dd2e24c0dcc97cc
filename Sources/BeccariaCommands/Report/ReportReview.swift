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
      discussion: """
        An issued certificate never changes by itself (it is frozen and signed). When what it \
        rests on changes later — attendance recorded, corrected or deleted, sessions added, moved \
        or cancelled, an assessment recorded — the certificate is listed here with what changed \
        and whether the completion rules are still met today; the office then revokes it, \
        re-issues it, or leaves it. Correcting commands name such certificates as they change \
        their basis.

        Example:
          beccaria report review
          beccaria report review --participant 12 --format csv
        """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp("Only this participant.", valueName: "id")) var participant: ParticipantArgument?

    func run() throws {
      try reportingFailures {
        let entries = try CertificateReview(try global.connect()).list(participant: participant?.id)
        try Listing(
          items: entries,
          columns: [
            .init(header: "SERIAL") { $0.serial },
            .init(header: "KIND") { Term.kindCell($0.kind.rawValue, module: $0.module) },
            .init(header: "ID", alignRight: true) { .integer($0.participantID.rawValue) },
            .init(header: "HOLDER") { $0.holderName },
            .init(header: "ISSUED") { .dateTime($0.issuedAt) },
            .init(header: "CHANGED SINCE") { Self.changes($0) },
            .init(header: "RULES TODAY") { $0.noLongerMet.map { "no longer met: \($0)" } ?? "still met" },
          ]
        ).print(output)
      }
    }

    static func changes(_ entry: ReviewEntry) -> String {
      entry.changes.map { "\($0.kind) \(Reader.dateTime($0.at))" }.joined(separator: ", ")
    }
  }
}
