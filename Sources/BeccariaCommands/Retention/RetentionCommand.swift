import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

/// `beccaria retention`.
struct RetentionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "retention",
    abstract: "Retention periods (stored in the database) and applying them.",
    subcommands: [RetentionShow.self, RetentionSet.self, RetentionApply.self])
}

/// `beccaria retention show`.
struct RetentionShow: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show", abstract: "Show the retention periods.",
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
        "participants without a certificate: \(policy.participantYears.map { "\($0) years after their last cohort" } ?? "kept")")
    }
  }
}

/// `beccaria retention set`.
struct RetentionSet: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "set", abstract: "Set the retention periods (0 means keep).",
    discussion: """
      Example:
        beccaria retention set --attendance-years 5 --participant-years 10
      """)

  @OptionGroup var global: GlobalOptions
  @Option(help: "Years after its end to keep the attendance rows of a cohort (0: keep).") var attendanceYears: Int?
  @Option(help: "Years after their last cohort to keep participants without a certificate (0: keep).") var participantYears: Int?

  func validate() throws {
    if attendanceYears == nil && participantYears == nil {
      throw ValidationError("give --attendance-years and/or --participant-years.")
    }
    for value in [attendanceYears, participantYears].compactMap({ $0 }) where !(0...100).contains(value) {
      throw ValidationError("periods are between 0 (keep) and 100 years.")
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
        "Retention: attendance detail \(policy.attendanceDetailYears.map { "\($0) years" } ?? "kept"), participants without a certificate \(policy.participantYears.map { "\($0) years" } ?? "kept")."
      )
    }
  }
}

/// `beccaria retention apply`.
struct RetentionApply: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "apply", abstract: "Remove what the retention periods say must go (one transaction).",
    discussion: """
      Example:
        beccaria retention apply --dry-run
        beccaria retention apply
      """)

  @OptionGroup var global: GlobalOptions
  @Flag(help: "List what would go; change nothing.") var dryRun = false
  @Option(help: "Output format: table or json.") var format: OutputFormat = .table

  func validate() throws {
    if format == .csv { throw ValidationError("retention apply prints table or json.") }
  }

  func run() throws {
    try reportingFailures {
      let connection = try global.connect()
      let plan = try RetentionStore(connection).apply(dryRun: dryRun)
      // Files with the erased people's data: removed where this machine reaches them.
      var left: [String] = []
      for erasure in plan.erasures {
        left += try DataProtection(connection).removeExports(erasure).left.map { "  \($0.file.host):\($0.file.path) — \($0.why)" }
      }
      defer {
        if !left.isEmpty {
          FileHandle.standardError.write(
            Data(
              InertText.escape(
                "Files with erased people's data that were not deleted here:\n" + left.joined(separator: "\n") + "\n",
                keepNewlines: true
              ).utf8))
        }
      }
      if format == .json {
        print(try JSONOutput.encode(plan), terminator: "")
        return
      }
      let verb = dryRun ? "would delete" : "deleted"
      print(
        "Attendance detail: \(verb) \(plan.cohorts.reduce(0) { $0 + $1.attendanceRows }) rows of \(plan.cohorts.count) ended cohort\(plan.cohorts.count == 1 ? "" : "s")\(plan.policy.attendanceDetailYears == nil ? " (no period set)" : "")."
      )
      for cohort in plan.cohorts {
        print("  \(cohort.code): last session \(cohort.lastDay.german), \(cohort.attendanceRows) rows")
      }
      if !dryRun && plan.auditRowsScrubbed > 0 {
        print(
          "  their \(plan.auditRowsScrubbed) audit entries now keep only the session and the person (and the SHA-256 of the rest)"
        )
      }
      print(
        "Participants without a certificate: \(dryRun ? "would erase" : "erased") \(plan.participants.count)\(plan.policy.participantYears == nil ? " (no period set)" : "")."
      )
      for person in plan.participants {
        print("  participant \(person.participantID): last activity \(person.lastActivity.german)")
      }
    }
  }
}
