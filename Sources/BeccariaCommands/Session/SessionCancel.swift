import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension SessionCommand {
  /// `beccaria session cancel`.
  struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "cancel",
      abstract: tr("Cancel a session that has not been recorded: its UE leave the module's plan."),
      discussion: tr(
        """
        Shares of the module and certificate eligibility are computed without it from then on (the \
        cohort's participants are checked again by the next run). A session with recorded \
        attendance took place and is not cancelled; correct its attendance instead. The reason is \
        kept in the audit log.

        Example:
          beccaria session cancel 42 \\
            --reason "Referentin erkrankt; Ersatztermin folgt"
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Session number."), valueName: "id")) var session: Int64
    @Option(help: ArgumentHelp(tr("Why it is cancelled (required; kept in the audit log)."))) var reason: String

    func validate() throws {
      if session < 1 { throw ValidationError(tr("the session number must be 1 or more.")) }
      if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
        throw ValidationError(tr("--reason must not be empty."))
      }
    }

    func run() throws {
      try reportingFailures {
        let header = try SessionStore(try global.connect()).cancel(SessionID(session), reason: reason)
        print(
          tr(
            "Cancelled session %@ of %@ on %@ (module %@, %@ UE): module %@ is planned without it.", session, header.course,
            Reader.date(header.day), header.module, header.ue, header.module))
      }
    }
  }
}
