import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import ProgrammeLoader

extension ProgrammeCommand {
  /// `beccaria programme load FILE`.
  struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "load",
      abstract: tr("Validate a programme definition (YAML) and store it as a new version if it changed."),
      discussion: tr(
        """
        Every problem in the file is reported with its line, column and path \
        (modules[1].title). Loading an unchanged file does nothing; a changed file must raise \
        its `version`. Cohorts keep the version they were opened with.

        Example:
          beccaria programme load courses/beccaria-fachkraft.yaml
        """))

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp(tr("The programme definition file."), valueName: "file"))
    var file: String

    @Flag(help: ArgumentHelp(tr("Only validate the file; store nothing.")))
    var dryRun = false

    func run() throws {
      try reportingFailures {
        let definition = try ProgrammeFile.load(path: file)
        if dryRun {
          print(
            tr(
              "%@ is valid: programme %@ version %@, %@, %@ UE.", file, definition.code, definition.version,
              Plural.count(definition.modules.count, "module"), definition.totalUE)
          )
          return
        }
        let connection = try global.connect()
        // The newest version's mail texts apply to every message: a version without them stops
        // the programme's mail, which the office should hear of when it happens.
        let store = ProgrammeStore(connection)
        let sentMail = try store.sendsMail(definition.code)
        switch try store.load(definition) {
        case .created(let version):
          print(
            tr(
              "Stored programme %@ version %@ (%@, %@ UE).", definition.code, version,
              Plural.count(definition.modules.count, "module"), definition.totalUE)
          )
          if sentMail && definition.mail == nil {
            warn(
              tr(
                "version %@ has no mail section: programme %@ sends no mail from now on, for every cohort (load a version with mail texts to send again)",
                version, definition.code))
          }
        case .unchanged(let version):
          print(tr("Programme %@ version %@ is already stored unchanged; nothing to do.", definition.code, version))
        }
      }
    }
  }
}
