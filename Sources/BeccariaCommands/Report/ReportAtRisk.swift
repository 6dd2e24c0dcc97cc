import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension ReportCommand {
  /// `beccaria report at-risk`.
  struct AtRisk: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "at-risk",
      abstract: tr("Early warning: who can no longer reach a module's threshold, and who would by missing one more session."),
      discussion: tr(
        """
        Counts every session planned for the module (not only past ones); sessions still to come \
        count as attendable, past sessions without a record as not attended (the finding says \
        so: record them). "At risk" names those who have already lost UE and \
        would miss the threshold by missing one more session. Modules already completed in \
        another cohort are left out; a later cohort offering the module is named for make-up.

        Example:
          beccaria report at-risk --course BQ-SN-2026-1
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp(tr("Only this cohort."))) var course: String?

    func run() throws {
      try reportingFailures {
        let entries = try ProgressReports(try global.connect()).atRisk(courseCode: course)
        try Listing(
          items: entries,
          columns: [
            .init(header: "COHORT") { $0.course },
            .init(header: "ID", alignRight: true) { .integer($0.participantID.rawValue) },
            .init(header: "NAME") { $0.name },
            .init(header: "FINDING") { entry in
              // CSV keeps the English sentence, as every machine format stays the same.
              .localised(machine: Localisation.inEnglish { Self.sentence(entry) }, human: Self.sentence(entry))
            },
          ]
        ).print(output)
      }
    }

    static func sentence(_ entry: AtRiskEntry) -> String {
      let needed = Reader.number(entry.neededUE.roundedUp)
      let reachable = Reader.number(entry.reachableUE)
      let makeUp: String =
        if let course = entry.makeUpCourse {
          entry.makeUpBooked ? tr("make-up booked in %@", course) : tr("make-up in %@", course)
        } else {
          tr("no later cohort offers module %@ yet", entry.module)
        }
      let unrecorded =
        entry.pastUnrecordedSessions == 0
        ? ""
        : tr(
          "; %@ (%@ UE) without a record, counted as not attended: record them",
          Plural.count(entry.pastUnrecordedSessions, "past session"), entry.pastUnrecordedUE)
      switch entry.risk {
      case .cannotPass:
        return tr(
          "cannot pass module %@ in this cohort: needs %@ UE of %@, at most %@ reachable", entry.module, needed,
          entry.plannedUE, reachable) + unrecorded + "; " + makeUp
      default:
        return tr(
          "module %@ at risk: needs %@ UE of %@, at most %@ reachable", entry.module, needed, entry.plannedUE, reachable)
          + unrecorded
          + tr("; missing one more session (%@ UE) would make it unreachable", entry.largestOpenSession)
      }
    }
  }
}
