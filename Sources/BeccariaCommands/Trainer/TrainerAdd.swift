import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension TrainerCommand {
  /// `beccaria trainer add`.
  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "add",
      abstract: tr("Register a trainer."),
      discussion: tr(
        """
        --login names the PostgreSQL login of the trainer; row-level security lets that login \
        write attendance only for the trainer's own sessions.

        Example:
          beccaria trainer add --name "Dr. Anna Schulz" \\
            --email anna.schulz@example.org --login anna_schulz
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Full name as printed on sign-in sheets."))) var name: String
    @Option(help: ArgumentHelp(tr("E-mail address (unique)."))) var email: String
    @Option(help: ArgumentHelp(tr("Database login of the trainer."), valueName: "role")) var login: String?

    func validate() throws {
      if let problem = Validation.name(name) { throw ValidationError("--name \(problem).") }
      if let problem = Validation.email(email) { throw ValidationError("--email \(problem).") }
      if let login, login.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) == nil {
        throw ValidationError(tr("--login must be a PostgreSQL role name: lowercase letters, digits and _ (at most 63)."))
      }
    }

    func run() throws {
      try reportingFailures {
        let id = try TrainerStore(try global.connect()).add(name: name, email: email, login: login)
        print(
          login.map { tr("Registered trainer %@: %@ <%@>, login %@.", id, name, email, $0) }
            ?? tr("Registered trainer %@: %@ <%@>.", id, name, email))
      }
    }
  }
}
