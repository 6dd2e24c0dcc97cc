import ArgumentParser
import BeccariaCore
import BeccariaStore
import CSVImport
import Foundation
import Postgres

extension AttendanceCommand {
  /// `beccaria attendance import FILE`.
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "import",
      abstract: tr("Import attendance for any number of sessions from CSV (session,participant,status,ue)."),
      discussion: tr(
        """
        participant is the participant number or e-mail; status is present, late, excused or \
        absent (anwesend, verspätet, entschuldigt, abwesend); ue may be empty for present (the \
        whole session) and for absent/excused; optional columns reason and note. German headers \
        are understood (Termin, Teilnehmer, Nr., Status, UE, Grund, Bemerkung). The file streams through \
        COPY into a staging table and is checked set-wise in SQL: all or nothing, every bad row \
        reported as FILE:LINE: column "x": reason. Importing the same file again changes nothing.

        Example:
          beccaria attendance import anwesenheit-modul-1.csv
          beccaria attendance import korrektur.csv \\
            --reason "Nachtrag aus der Papierliste"
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("The CSV file."), valueName: "file")) var file: String
    @Option(help: ArgumentHelp(tr("Reason for corrections of past sessions (rows may also have a reason column)."))) var reason:
      String?
    @Flag(help: ArgumentHelp(tr("Check everything; write nothing."))) var dryRun = false

    /// The headers of a sheet the office keeps itself, and of `session roster`'s own export.
    static let aliases = [
      "termin": "session", "termin-nr": "session", "termin-nr.": "session", "sitzung": "session", "veranstaltung": "session",
      "teilnehmer": "participant", "teilnehmende": "participant", "teilnehmer-nr": "participant",
      "teilnehmer-nr.": "participant", "nr": "participant", "nr.": "participant", "e-mail": "participant",
      "email": "participant", "anwesenheit": "status", "unterrichtseinheiten": "ue", "grund": "reason",
      "korrekturgrund": "reason", "bemerkung": "note", "notiz": "note", "anmerkung": "note",
      // attendance roster's own columns
      "id": "participant", "family name": "family_name", "given names": "given_names", "nachname": "family_name",
      "vorname": "given_names", "vornamen": "given_names", "gemeinde": "municipality", "dienststelle": "organisation",
      "anmeldung": "enrolment",
    ]

    func run() throws {
      try reportingFailures {
        // One read of the file, header first: a pipe (/dev/stdin) is read once, from its start.
        let framer = try CSVCopyFramer(path: file)
        let header = CSVHeader.check(
          framer.header, required: AttendanceImporter.required,
          optional: AttendanceImporter.columns.filter { !AttendanceImporter.required.contains($0) }, aliases: Self.aliases,
          delimiter: framer.delimiter, line: framer.headerLine)
        if !header.problems.isEmpty { throw InputProblems(file: file, header.problems) }
        let progress = Progress(label: tr("importing %@", file))
        let summary = try InputProblems.naming(header.written) {
          try AttendanceImporter(try global.connect()).run(
            file: file, columns: header.columns, reason: reason, dryRun: dryRun, lineOfRecord: framer.line(ofRecord:),
            feed: { writer in
              progress.start()
              try framer.stream { try writer.write($0) }
              progress.finish()
            })
        }
        let changed = summary.inserted + summary.corrected
        let rows = Plural.count(summary.rows, "row")
        let sessions = Plural.count(summary.sessions, "session")
        let counts = tr("%@ new, %@ corrected, %@ unchanged", summary.inserted, summary.corrected, summary.unchanged)
        print(
          (dryRun ? tr("Checked %@ for %@: %@", rows, sessions, counts) : tr("Imported %@ for %@: %@", rows, sessions, counts))
            + (changed == 0 ? tr(" — nothing changed.") : dryRun ? tr("; nothing was written (--dry-run).") : "."))
        if !summary.certificatesToReview.isEmpty {
          let listed = summary.certificatesToReview.prefix(20).joined(separator: ", ")
          let more =
            summary.certificatesToReview.count > 20 ? " " + tr("and %@ more", summary.certificatesToReview.count - 20) : ""
          warn(
            (dryRun
              ? tr("this would change attendance that issued certificates rest on: %@", listed + more)
              : tr("this changed attendance that issued certificates rest on: %@", listed + more))
              + tr("; beccaria report review lists what to check"))
        }
      }
    }
  }
}

/// Progress of reading a long file: a live line on a terminal, log lines otherwise.
final class Progress {
  let label: String
  private var started = Date()
  private let terminal = Terminal.standardError
  init(label: String) { self.label = label }

  func start() {
    started = Date()
    if terminal.interactive { terminal.live("\(label)…", force: true) } else { terminal.log(label, tr("started")) }
  }

  func finish() {
    let seconds = Reader.number(Decimal(Date().timeIntervalSince(started)), places: 1)
    if terminal.interactive {
      terminal.endLive(tr("%@: read in %@ s, checking…", label, seconds))
    } else {
      terminal.log(label, tr("file read in %@ s", seconds))
    }
  }
}
