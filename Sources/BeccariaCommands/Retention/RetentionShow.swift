import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension RetentionCommand {
  /// `beccaria retention show`.
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: tr("Show the retention periods."),
      discussion: tr(
        """
        Example:
          beccaria retention show
        """))

    @OptionGroup var global: GlobalOptions

    func run() throws {
      try reportingFailures {
        let policy = try RetentionStore(try global.connect()).policy()
        print(
          tr(
            "attendance detail of ended cohorts: %@",
            policy.attendanceDetailYears.map { trn("%@ year", "%@ years", $0, $0) } ?? tr("kept")))
        print(
          tr(
            "participants without a certificate: %@",
            policy.participantYears.map { trn("%@ year after their last cohort", "%@ years after their last cohort", $0, $0) }
              ?? tr("kept"))
        )
      }
    }
  }
}
