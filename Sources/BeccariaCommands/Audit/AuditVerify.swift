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
      discussion: """
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
        """)

    @OptionGroup var global: GlobalOptions
    @Option(
      help: ArgumentHelp(
        "A head printed earlier (SEQ:SHA256); the chain must still pass through it. Repeatable.", valueName: "seq:sha256"))
    var head: [String] = []
    @Flag(help: "Compare the rows of every audited table with their audit history, not only the register's (slower).")
    var allTables = false
    @Option(help: "Output format: table or json.") var format: OutputFormat = .table

    func validate() throws {
      if format == .csv { throw ValidationError(tr("audit verify prints table or json.")) }
      for value in head where AuditChainHead(value) == nil {
        throw ValidationError(tr("--head takes SEQ:SHA256 as the nightly run prints it (a number, a colon, 64 hex digits)."))
      }
    }

    func run() throws {
      let result = try reportingFailures {
        try AuditChain(try global.connect()).verify(expected: head.compactMap(AuditChainHead.init), allTables: allTables)
      }
      if format == .json {
        print(try JSONOutput.encode(result), terminator: "")
      } else if result.intact {
        print(
          "INTACT: \(result.rows) audit rows in \(result.links) links, every hash recomputed; certificate statuses match their "
            + "history; the rows of \(Plural.count(result.replayedTables.count, "table")) match their last audit entries.")
        print(tr("  head: %@", result.head))
      } else {
        print(
          "BROKEN: \(result.problems.count) problem\(result.problems.count == 1 ? "" : "s") found"
            + (result.problems.count == 1 ? "." : ", the first break first."))
        for problem in result.problems {
          let place = [problem.seq.map { "link \($0)" }, problem.row.map { "row \($0)" }].compactMap { $0 }.joined(
            separator: ", ")
          print("  \(place.isEmpty ? "" : place + ": ")\(InertText.escape(problem.problem))")
        }
        print(tr("  head: %@", result.head))
      }
      if !result.intact { throw ExitCode(3) }
    }
  }
}
