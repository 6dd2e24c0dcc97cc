import ArgumentParser
import Foundation

/// The root command: `beccaria <group> <command>`.
public struct BeccariaCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "beccaria",
    abstract: "Training and certification manager for the Beccaria programme \"Fachkraft für Kriminalprävention\".",
    discussion: """
      The database is chosen by --database URL, else DATABASE_URL, else libpq's own PG* variables \
      (PGHOST, PGDATABASE, PGSERVICE, ...), else the local cluster that scripts/db runs.

      Example:
        beccaria db migrate
        beccaria programme load courses/beccaria-fachkraft.yaml
      """,
    version: "0.1.0",
    subcommands: [
      DbCommand.self, ProgrammeCommand.self, MunicipalityCommand.self, TrainerCommand.self, CourseCommand.self,
      SessionCommand.self, ParticipantCommand.self, EnrolmentCommand.self, AttendanceCommand.self,
      AssessmentCommand.self, CertificateCommand.self, KeysCommand.self, ReportCommand.self, AccessCommand.self,
      AuditCommand.self, RetentionCommand.self,
    ])

  public init() {}
}

extension BeccariaCommand {
  /// Parses the process arguments, runs the chosen command and exits with its status.
  public static func runFromCommandLine() {
    main()
  }
}
