import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension ProgrammeCommand {
  /// `beccaria programme show CODE`.
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "show",
      abstract: tr("Show a programme's modules, completion rules and document texts."),
      discussion: tr(
        """
        Example:
          beccaria programme show beccaria-fachkraft
          beccaria programme show beccaria-fachkraft --version 1 --format json
        """))

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp(tr("The programme code."), valueName: "code"))
    var code: String

    @Option(help: ArgumentHelp(tr("A stored version (default: the current one).")))
    var version: Int?

    @Option(name: .long, help: ArgumentHelp(tr("Output format: table or json.")))
    var format: OutputFormat = .table

    func validate() throws {
      if format == .csv { throw ValidationError(tr("programme show prints table or json; csv has no shape for a definition.")) }
      if let version, version < 1 { throw ValidationError(tr("--version must be 1 or more.")) }
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        let stored = try ProgrammeStore(connection).find(code: code, version: version)
        if format == .json {
          print(try JSONOutput.encode(stored.definition), terminator: "")
          return
        }
        print(Self.describe(stored.definition, loadedAt: stored.loadedAt), terminator: "")
      }
    }

    /// The definition for people. Every text is escaped (`InertText`); a body's line breaks stay,
    /// indented, so that no stored text starts a line of its own.
    static func describe(_ definition: ProgrammeDefinition, loadedAt: Date) -> String {
      func v(_ text: String) -> String { InertText.escape(text) }
      func paragraph(_ text: String) -> String {
        InertText.escape(text, keepNewlines: true).replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(
          of: "\n", with: "\n  ")
      }
      var out = tr("%@ (%@, version %@)", v(definition.title), v(definition.code), definition.version) + "\n"
      out +=
        tr("Issued by %@, %@; loaded %@", v(definition.issuer.name), v(definition.issuer.place), Reader.dateTime(loadedAt))
        + "\n\n"
      out += tr("Modules (1 UE = %@ minutes):", definition.ueMinutes) + "\n"
      for module in definition.modules {
        out += "  \(module.number)  \(v(module.title)) — \(module.ue) UE\n"
        for block in module.blocks { out += "       \(v(block.title)): \(block.ue) UE\n" }
      }
      out += "  " + tr("Total: %@ UE", definition.totalUE) + "\n\n"
      let rules = definition.completion
      out += tr("Completion:") + "\n"
      out += "  " + tr("at least %@ of each module's planned UE attended", Reader.percent(rules.attendanceThreshold)) + "\n"
      out +=
        "  "
        + (rules.excusedCounts ? tr("excused absences count as attended") : tr("excused absences do not count as attended"))
        + "\n"
      out +=
        "  "
        + (rules.projectRequired
          ? tr("project work required for the Zertifikat") : tr("project work not required for the Zertifikat"))
        + "\n\n"
      for (label, text) in [
        ("Zertifikat", definition.documents.zertifikat), ("Teilnahmebescheinigung", definition.documents.teilnahmebescheinigung),
      ] {
        out += "\(label): \(v(text.heading))\(text.award.map { " – \(v($0))" } ?? "")\n  \(paragraph(text.body))\n"
      }
      out +=
        tr("Signatories: %@", definition.documents.signatories.map { "\(v($0.name)) (\(v($0.role)))" }.joined(separator: "; "))
        + "\n"
      out += tr("Verification: %@", v(definition.documents.verificationURL)) + "\n"
      return out
    }
  }
}
