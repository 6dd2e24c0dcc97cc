import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The root command: `beccaria <group> <command>`.
public struct BeccariaCommand: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "beccaria",
    abstract: tr("Training and certification manager for the Beccaria programme \"Fachkraft für Kriminalprävention\"."),
    discussion: tr(
      """
      The database is chosen by --database URL, else DATABASE_URL, else libpq's own PG* variables \
      (PGHOST, PGDATABASE, PGSERVICE, ...), else the local cluster that scripts/db runs.

      Example:
        beccaria db migrate
        beccaria programme load courses/beccaria-fachkraft.yaml
      """),
    version: BeccariaCommand.versionText,
    subcommands: [
      DbCommand.self, ProgrammeCommand.self, MunicipalityCommand.self, TrainerCommand.self, CourseCommand.self,
      SessionCommand.self, ParticipantCommand.self, EnrolmentCommand.self, AttendanceCommand.self,
      AssessmentCommand.self, CertificateCommand.self, KeysCommand.self, ReportCommand.self, AccessCommand.self,
      AuditCommand.self, RetentionCommand.self, MailCommand.self, Serve.self,
    ])

  /// What `--version` prints: the program, its version, the newest schema migration it carries,
  /// and what it is for.
  static var versionText: String {
    let schema = (try? EmbeddedMigrations.all().last).flatMap { $0.map { tr("schema %@", $0.name) } } ?? tr("schema unknown")
    return "beccaria 0.2.0 (\(schema))\n"
      + tr(
        "Training and certification manager for the Beccaria programme \"Fachkraft für Kriminalprävention\" of the Landespräventionsrat Sachsen."
      )
  }

  public init() {}
}

extension BeccariaCommand {
  /// Parses the process arguments, runs the chosen command and exits with its status.
  ///
  /// Three rules hold for every command here, before any of them runs:
  /// - no argument may contain a control or invisible character (`InertText`; exit 64): every
  ///   free-text option ends up stored or printed, so this refuses them all in one place;
  /// - a closed pipe does not kill the process (`beccaria certificate run | head -1` must not
  ///   stop a run half-way): SIGPIPE is ignored, and writes to the closed pipe just fail;
  /// - what is printed about a failure is escaped (`InertText`), whatever it quotes.
  public static func runFromCommandLine() {
    signal(SIGPIPE, SIG_IGN)
    let arguments = Array(CommandLine.arguments.dropFirst())
    for (index, argument) in arguments.enumerated() {
      if let scalar = InertText.firstControl(in: argument) {
        FileHandle.standardError.write(
          Data(
            (tr("Error: ")
              + tr(
                "argument %@ (%@) contains the control or invisible character %@; remove it (names, reasons and notes are single lines of text).",
                index + 1, InertText.escape(String(argument.prefix(40))), InertText.name(scalar)) + "\n").utf8))
        Glibc.exit(ExitCode.validationFailure.rawValue)
      }
    }
    do {
      var command = try parseAsRoot(arguments)
      try command.run()
    } catch {
      let code = exitCode(for: error)
      // A failure or validation message of our own is translated already and may quote what
      // was typed: only the parser's words around it ("Error: ", the usage lines) are.
      let full = fullMessage(for: error)
      let message =
        error is CommandFailure
        ? (full.hasPrefix("Error: ") ? tr("Error: ") + full.dropFirst("Error: ".count) : full)
        : ParserWords.localised(full, keepingFirstLine: error is ValidationError)
      if !message.isEmpty {
        if code == .success {
          Swift.print(message)
        } else {
          FileHandle.standardError.write(Data((InertText.escape(message, keepNewlines: true) + "\n").utf8))
        }
      }
      Glibc.exit(code.rawValue)
    }
  }
}

/// The words swift-argument-parser writes itself (section titles of `--help`, "Error:",
/// "Usage:"), in the reader's language: the library has no catalogue of its own, so its output
/// is translated line by line where a line starts with one of them.
enum ParserWords {
  /// `message` with the parser's words translated; `keepingFirstLine` translates only the
  /// "Error: " of its first line (a message of ours, which may quote a value).
  static func localised(_ message: String, keepingFirstLine: Bool = false) -> String {
    guard Localisation.language != .english else { return message }
    let starts: [(String, String)] = [
      ("Error: ", tr("Error: ")), ("Usage: ", tr("Usage: ")), ("OVERVIEW:", tr("OVERVIEW:")), ("USAGE:", tr("USAGE:")),
      ("ARGUMENTS:", tr("ARGUMENTS:")), ("OPTIONS:", tr("OPTIONS:")), ("SUBCOMMANDS:", tr("SUBCOMMANDS:")),
      ("OPTION GROUPS:", tr("OPTION GROUPS:")), ("Help: ", tr("Help: ")),
    ]
    let phrases: [(String, String)] = [
      ("Show help information.", tr("Show help information.")), ("Show the version.", tr("Show the version.")),
      ("<subcommand>", tr("<subcommand>")), ("for detailed help.", tr("for detailed help.")),
      ("for more information.", tr("for more information.")), ("(default:", tr("(default:")), ("; default: ", tr("; default: ")),
      ("The value '", tr("The value '")), ("' is invalid for '", tr("' is invalid for '")),
      ("Please provide one of the following:", tr("Please provide one of the following:")),
      ("Please provide one of ", tr("Please provide one of ")), ("' or '", tr("' or '")),
      ("(values:", tr("(values:")),
      ("Missing expected argument", tr("Missing expected argument")), ("Unexpected argument", tr("Unexpected argument")),
      ("Unknown option", tr("Unknown option")), ("Missing value for", tr("Missing value for")),
    ]
    return message.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, raw -> String in
      var line = String(raw)
      for (english, german) in starts where line.hasPrefix(english) { line = german + line.dropFirst(english.count) }
      if keepingFirstLine && index == 0 { return line }
      if line.trimmingCharacters(in: .whitespaces).hasPrefix("See '") {
        line = line.replacingOccurrences(of: "See '", with: tr("See '"))
      }
      for (english, german) in phrases { line = line.replacingOccurrences(of: english, with: german) }
      return line
    }.joined(separator: "\n")
  }
}

/// Everything a command prints goes through here (this declaration shadows `Swift.print` in the
/// module): the printed text is escaped (`InertText`, line breaks kept), so that nothing read
/// from the database or from a presented document acts on the terminal. Values inside a line
/// are escaped where they are formatted, line breaks included.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
  Swift.print(InertText.escape(items.map { "\($0)" }.joined(separator: separator), keepNewlines: true), terminator: terminator)
}
