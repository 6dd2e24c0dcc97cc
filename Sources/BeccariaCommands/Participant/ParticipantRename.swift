import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension ParticipantCommand {
  /// `beccaria participant rename ID`.
  struct Rename: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "rename",
      abstract: tr("Change a participant's name; the old name stays in the history with the reason."),
      discussion: tr(
        """
        Issued certificates are not changed; re-issue them if the holder asks.

        Example:
          beccaria participant rename 12 --family-name Wjeńkowa \\
            --reason "Eheschließung"
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Participant number."), valueName: "id")) var participant: ParticipantArgument
    @Option(help: ArgumentHelp(tr("New family name."))) var familyName: String?
    @Option(help: ArgumentHelp(tr("New given names."))) var givenNames: String?
    @Option(help: ArgumentHelp(tr("Why the name changes."))) var reason: String

    func validate() throws {
      if familyName == nil && givenNames == nil { throw ValidationError(tr("give --family-name, --given-names or both.")) }
      if let familyName, let problem = Validation.name(familyName) { throw ValidationError("--family-name \(problem).") }
      if let givenNames, let problem = Validation.name(givenNames) { throw ValidationError("--given-names \(problem).") }
      try requireReason(reason)
    }

    func run() throws {
      try reportingFailures {
        let change = try ParticipantStore(try global.connect()).rename(
          participant.id, familyName: familyName?.trimmingCharacters(in: .whitespaces),
          givenNames: givenNames?.trimmingCharacters(in: .whitespaces), reason: reason)
        print(tr("Renamed participant %@: %@ → %@.", participant.id, change.old, change.new))
      }
    }
  }
}
