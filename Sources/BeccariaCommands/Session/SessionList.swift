import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension SessionCommand {
  /// `beccaria session list`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: tr("List sessions in time order: a cohort's, a trainer's, or your own (--mine)."),
      discussion: tr(
        """
        A trainer's login lists the sessions it teaches with --mine, without knowing cohort codes.

        Example:
          beccaria session list --course BQ-SN-2027-1 --format csv
          beccaria session list --mine
          beccaria session list --trainer anna.schulz@example.org
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp(tr("Cohort code."))) var course: String?
    @Flag(help: ArgumentHelp(tr("The sessions this login teaches (a trainer's login)."))) var mine = false
    @Option(help: ArgumentHelp(tr("The sessions of the trainer with this e-mail."), valueName: "email")) var trainer: String?

    func validate() throws {
      if [course != nil, mine, trainer != nil].filter({ $0 }).count != 1 {
        throw ValidationError(tr("give one of --course CODE, --mine or --trainer EMAIL."))
      }
    }

    func run() throws {
      try reportingFailures {
        let selection: SessionStore.Selection =
          if let course { .course(course) } else if let trainer { .trainer(trainer) } else { .mine }
        let items = try SessionStore(try global.connect()).list(selection)
        try Listing(items: items, columns: SessionColumns.all, title: tr("Sessions")).print(output)
      }
    }
  }
}
