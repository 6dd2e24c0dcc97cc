import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension RetentionCommand {
  /// `beccaria retention apply`.
  struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "apply", abstract: tr("Remove what the retention periods say must go (one transaction)."),
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
          left += try DataProtection(connection).removeExports(erasure).left.map {
            "  \($0.file.host):\($0.file.path) — \($0.why)"
          }
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
          print("  \(cohort.code): last session \(Reader.date(cohort.lastDay)), \(cohort.attendanceRows) rows")
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
          print("  participant \(person.participantID): last activity \(Reader.date(person.lastActivity))")
        }
      }
    }
  }
}
