import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension RetentionCommand {
  /// `beccaria retention show`.
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show", abstract: tr("Show the retention periods."),
      discussion: """
        Example:
          beccaria retention show
        """)

    @OptionGroup var global: GlobalOptions

    func run() throws {
      try reportingFailures {
        let policy = try RetentionStore(try global.connect()).policy()
        print("attendance detail of ended cohorts: \(policy.attendanceDetailYears.map { "\($0) years" } ?? "kept")")
        print(
          "participants without a certificate: \(policy.participantYears.map { "\($0) years after their last cohort" } ?? "kept")"
        )
      }
    }
  }
}
