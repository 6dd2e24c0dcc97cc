import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Postgres

extension TrainerCommand {
  /// `beccaria trainer update EMAIL`.
  struct Update: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "update",
      abstract: tr("Change a trainer's name, e-mail or database login."),
      discussion: tr(
        """
        The trainer is named by the current e-mail. --login links the trainer to a database \
        login (beccaria access grant LOGIN --role trainer creates one); --login "" unlinks it, \
        after which that login sees no session. Every change is audited.

        Example:
          beccaria trainer update anna.schulz@example.org \\
            --email a.schulz@lpr.sachsen.de
          beccaria trainer update jan.nowak@example.org --login jnowak
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("The trainer's current e-mail."), valueName: "email")) var trainer: String
    @Option(help: ArgumentHelp(tr("New name."))) var name: String?
    @Option(help: ArgumentHelp(tr("New e-mail."), valueName: "address")) var email: String?
    @Option(help: ArgumentHelp(tr("Database login (\"\" unlinks)."), valueName: "login")) var login: String?
    @Option(help: ArgumentHelp(tr("Why it changes (kept in the audit log)."))) var reason: String?

    func validate() throws {
      if name == nil && email == nil && login == nil { throw ValidationError(tr("give --name, --email or --login.")) }
      if let name, let problem = Validation.name(name) { throw ValidationError(tr("--name %@.", problem)) }
      if let email, let problem = Validation.email(email) { throw ValidationError(tr("--email %@.", problem)) }
      if let login, !login.isEmpty, login.range(of: #"^[a-z_][a-z0-9_]{0,62}$"#, options: .regularExpression) == nil {
        throw ValidationError(tr("--login must be a PostgreSQL login name: lower-case letters, digits and _, 63 at most."))
      }
      if let reason { try requireReason(reason) }
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        let result = try TrainerStore(connection).update(
          email: trainer, name: name?.trimmingCharacters(in: .whitespaces),
          email: email.map { $0.trimmingCharacters(in: .whitespaces) },
          login: login, reason: reason)
        if result.changes.isEmpty {
          print(tr("Trainer %@ has these details already; nothing changed.", trainer))
        } else {
          print(tr("Updated trainer %@: %@.", result.id, result.changes.joined(separator: "; ")))
        }
        if let login, !login.isEmpty, try connection.queryOne("SELECT 1 AS ok FROM pg_roles WHERE rolname = \(login)") == nil {
          warn(tr("there is no database login %@ yet: beccaria access grant %@ --role trainer creates it", login, login))
        }
      }
    }
  }
}
