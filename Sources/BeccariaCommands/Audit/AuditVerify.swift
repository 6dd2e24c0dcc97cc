import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension AuditCommand {
  /// `beccaria audit verify`.
  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "verify",
      abstract: tr(
        "Check that the audit log is as it was written (its hash chain) and that certificate statuses match their history."),
      discussion: tr(
        """
        Every committed transaction's audit rows are sealed into a link of a hash chain (the \
        SHA-256 of each row and of the link before). This recomputes all of them with \
        PostgreSQL's built-in functions (none stored in the database it checks) and names the \
        first break: a row changed, added or removed, a link altered or missing, a cut tail, an \
        erasure record that no erasure wrote. It checks each certificate's status against its \
        recorded history, and the rows of the register (certificates, status events, the serial \
        counter, keys, programme versions; every audited table with --all-tables) against their \
        last audit entry, so that a change made with the triggers switched off is reported. The \
        owner of the database can switch triggers off; what they change then is detected here, \
        not prevented. A chain rewritten from its start is consistent again: compare the head \
        with one printed earlier (the nightly run prints it) with --head.

        Needs the auditor role (or the owner). Exit status: 0 intact, 3 a break was found, \
        1 the check itself failed.

        Example:
          beccaria audit verify
          beccaria audit verify --head 1843:6f1c…(64 hex digits)
        """))

    @OptionGroup var global: GlobalOptions
    @Option(
      help: ArgumentHelp(
        tr("A head printed earlier (SEQ:SHA256); the chain must still pass through it. Repeatable."), valueName: "seq:sha256"))
    var head: [String] = []
    @Flag(
      help: ArgumentHelp(
        tr("Compare the rows of every audited table with their audit history, not only the register's (slower).")))
    var allTables = false
    @Option(help: ArgumentHelp(tr("Output format: table or json."))) var format: OutputFormat = .table

    func validate() throws {
      if format == .csv { throw ValidationError(tr("audit verify prints table or json.")) }
      for value in head where AuditChainHead(value) == nil {
        throw ValidationError(tr("--head takes SEQ:SHA256 as the nightly run prints it (a number, a colon, 64 hex digits)."))
      }
    }

    func run() throws {
      let result = try reportingFailures {
        let chain = AuditChain(try global.connect())
        return try format.content { try chain.verify(expected: head.compactMap(AuditChainHead.init), allTables: allTables) }
      }
      if format == .json {
        print(try JSONOutput.encode(result), terminator: "")
      } else if result.intact {
        print(
          tr(
            "INTACT: %@ in %@, every hash recomputed; certificate statuses match their history; the rows of %@ match their last audit entries.",
            Plural.count(Int(result.rows), "audit row"), Plural.count(Int(result.links), "chain link"),
            Plural.count(result.replayedTables.count, "table")))
        print(tr("  head: %@", result.head))
      } else {
        print(
          trn(
            "BROKEN: %@ problem found.", "BROKEN: %@ problems found, the first break first.", result.problems.count,
            result.problems.count))
        for problem in result.problems {
          let place = [problem.seq.map { tr("link %@", $0) }, problem.row.map { tr("row %@", $0) }].compactMap { $0 }.joined(
            separator: ", ")
          let prefix = place.isEmpty ? "" : place + ": "
          print("  " + prefix + InertText.escape(problem.problem))
        }
        print(tr("  head: %@", result.head))
      }
      if !result.intact { throw ExitCode(3) }
    }
  }
}
