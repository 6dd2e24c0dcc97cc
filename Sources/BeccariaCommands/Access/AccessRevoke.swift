import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension AccessCommand {
  /// `beccaria access revoke`.
  struct Revoke: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "revoke",
      abstract: tr("Take a role (or every beccaria role) from a login; the login itself is kept."),
      discussion: tr(
        """
        Example:
          beccaria access revoke anna_schulz --role trainer
          beccaria access revoke anna_schulz
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Database login (role) name."), valueName: "login")) var login: String
    @Option(help: ArgumentHelp(tr("Only this role (default: all beccaria roles)."))) var role: AccessRole?

    func validate() throws {
      do { try AccessStore.validate(login: login) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
      try reportingFailures {
        let removed = try AccessStore(try global.connect()).revoke(login: login, role: role)
        print(tr("Took %@ from %@.", removed.map(\.rawValue).joined(separator: ", "), login))
      }
    }
  }
}
