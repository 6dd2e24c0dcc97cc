import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension AccessCommand {
  /// `beccaria access grant`.
  struct Grant: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "grant",
      abstract: tr("Give a database login a role (creating the login, without a password, when it does not exist)."),
      discussion: tr(
        """
        Example:
          beccaria access grant anna_schulz --role trainer \\
            --trainer anna.schulz@example.org
          beccaria access grant nightly --role issuer
          beccaria access grant pruefung_rh --role auditor
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Database login (role) name."), valueName: "login")) var login: String
    @Option(
      help: ArgumentHelp(
        tr("admin, trainer, issuer, auditor, verifier (the verification service's login) or mailer (mail send)."))) var role:
      AccessRole
    @Option(
      help: ArgumentHelp(tr("The trainer (by e-mail) this login acts as; required for --role trainer."), valueName: "email"))
    var trainer: String?

    func validate() throws {
      do { try AccessStore.validate(login: login) } catch { throw ValidationError("\(error)") }
      if trainer != nil && role != .trainer { throw ValidationError(tr("--trainer only goes with --role trainer.")) }
    }

    func run() throws {
      try reportingFailures {
        let created = try AccessStore(try global.connect()).grant(login: login, role: role, trainerEmail: trainer)
        let who: String =
          created
          ? tr("Created the login %@ (no password: authentication is PostgreSQL's) and gave it", login) : tr("Gave %@", login)
        let what: String = tr("the role %@ (group role %@)", role.rawValue, role.groupRole)
        let acting: String = trainer.map { ", " + tr("acting as trainer %@", $0) } ?? ""
        print(who + " " + what + acting + ".")
      }
    }
  }
}
