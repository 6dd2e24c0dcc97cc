import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension RetentionCommand {
  /// `beccaria retention set`.
  struct Set: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "set", abstract: tr("Set the retention periods (0 means keep)."),
      discussion: tr(
        """
        Example:
          beccaria retention set --attendance-years 5 --participant-years 10
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Years after its end to keep the attendance rows of a cohort (0: keep)."))) var attendanceYears:
      Int?
    @Option(help: ArgumentHelp(tr("Years after their last cohort to keep participants without a certificate (0: keep).")))
    var participantYears: Int?

    func validate() throws {
      if attendanceYears == nil && participantYears == nil {
        throw ValidationError(tr("give --attendance-years and/or --participant-years."))
      }
      for value in [attendanceYears, participantYears].compactMap({ $0 }) where !(0...100).contains(value) {
        throw ValidationError(tr("periods are between 0 (keep) and 100 years."))
      }
    }

    func run() throws {
      try reportingFailures {
        let store = RetentionStore(try global.connect())
        var policy = try store.policy()
        if let attendanceYears { policy.attendanceDetailYears = attendanceYears == 0 ? nil : attendanceYears }
        if let participantYears { policy.participantYears = participantYears == 0 ? nil : participantYears }
        try store.set(policy)
        print(
          tr(
            "Retention: attendance detail %@, participants without a certificate %@.",
            policy.attendanceDetailYears.map { trn("%@ year", "%@ years", $0, $0) } ?? tr("kept"),
            policy.participantYears.map { trn("%@ year", "%@ years", $0, $0) } ?? tr("kept"))
        )
      }
    }
  }
}
