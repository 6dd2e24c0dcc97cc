import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension RetentionCommand {
  /// `beccaria retention apply`.
  struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "apply", abstract: tr("Remove what the retention periods say must go (one transaction)."),
      discussion: tr(
        """
        Example:
          beccaria retention apply --dry-run
          beccaria retention apply
        """))

    @OptionGroup var global: GlobalOptions
    @Flag(help: ArgumentHelp(tr("List what would go; change nothing."))) var dryRun = false
    @Option(help: ArgumentHelp(tr("Output format: table or json."))) var format: OutputFormat = .table

    func validate() throws {
      if format == .csv { throw ValidationError(tr("retention apply prints table or json.")) }
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        let plan = try format.content { try RetentionStore(connection).apply(dryRun: dryRun) }
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
                  tr("Files with erased people's data that were not deleted here:") + "\n" + left.joined(separator: "\n") + "\n",
                  keepNewlines: true
                ).utf8))
          }
        }
        if format == .json {
          print(try JSONOutput.encode(plan), terminator: "")
          return
        }
        let rows = Plural.count(plan.cohorts.reduce(0) { $0 + $1.attendanceRows }, "row")
        let cohorts = Plural.count(plan.cohorts.count, "ended cohort")
        let unset = tr(" (no period set)")
        print(
          (dryRun
            ? tr("Attendance detail: would delete %@ of %@", rows, cohorts)
            : tr("Attendance detail: deleted %@ of %@", rows, cohorts))
            + (plan.policy.attendanceDetailYears == nil ? unset : "") + ".")
        for cohort in plan.cohorts {
          print(
            tr("  %@: last session %@, %@", cohort.code, Reader.date(cohort.lastDay), Plural.count(cohort.attendanceRows, "row")))
        }
        if !dryRun && plan.auditRowsScrubbed > 0 {
          print(
            tr(
              "  their %@ audit entries now keep only the session and the person (and the SHA-256 of the rest)",
              plan.auditRowsScrubbed)
          )
        }
        print(
          (dryRun
            ? tr("Participants without a certificate: would erase %@", plan.participants.count)
            : tr("Participants without a certificate: erased %@", plan.participants.count))
            + (plan.policy.participantYears == nil ? unset : "") + ".")
        for person in plan.participants {
          print(tr("  participant %@: last activity %@", person.participantID, Reader.date(person.lastActivity)))
        }
      }
    }
  }
}
