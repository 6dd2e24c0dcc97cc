import ArgumentParser
import BeccariaCore
import BeccariaStore
import Documents
import Foundation
import Signing

extension AttendanceCommand {
  /// `beccaria attendance sheet`.
  struct Sheet: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "sheet",
      abstract: tr("Print a session's sign-in sheet as an A4 PDF."),
      discussion: tr(
        """
        The roster sorted by family name, each with their participant number, organisation and \
        municipality, a UE column and a signature column; the session's number as text and QR \
        code on every page. The rows are kept: attendance record --row N records the person in \
        row N of the sheet printed last.

        Example:
          beccaria attendance sheet --session 3 --output sitzung-3.pdf
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Session number."), valueName: "id")) var session: SessionArgument
    @Option(help: ArgumentHelp(tr("Where to write the PDF."), valueName: "file.pdf")) var output: String

    func validate() throws {
      if !output.lowercased().hasSuffix(".pdf") { throw ValidationError(tr("--output must name a .pdf file.")) }
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        let store = AttendanceStore(connection)
        let header = try store.header(SessionID(session.id))
        // A trainer reads the schedule of their cohorts but prints sheets of their own sessions:
        // refused before anything is written.
        try store.requireTeaching(SessionID(session.id))
        let roster = try store.roster(SessionID(session.id))
        let weekdays = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
        let sheet = SignInSheet(
          programme: header.programmeTitle, cohort: header.course, module: "\(header.module) – \(header.moduleTitle)",
          date: "\(weekdays[header.day.weekday - 1]), \(header.day.german)", time: "\(header.startsAt)–\(header.endsAt) Uhr",
          ue: header.ue, issuer: header.issuer, location: header.location ?? "–", trainers: header.trainers,
          sessionID: String(header.id.rawValue),
          qrPayload: "BECCARIA-SESSION:\(header.id)", printedAt: "erstellt \(GermanTime.dateTime(Date()))",
          rows: roster.map { entry in
            SignInSheet.Row(
              name: "\(entry.familyName), \(entry.givenNames)", number: String(entry.participantID.rawValue),
              organisation: entry.organisation,
              municipality: entry.municipality,
              remark: entry.makeUp ? "Nachholer (Einzelmodul)" : entry.singleModules ? "Einzelmodul" : nil)
          })
        let data = try sheet.render()
        // Personal data (mode 0600), registered so that an erasure of anyone on it lists the file.
        let path = try FileOutput.write(data, to: output)
        // A sheet that cannot be registered (and so listed by an erasure) does not stay.
        var registered = false
        defer { if !registered { try? FileManager.default.removeItem(atPath: path) } }
        try DataProtection(connection).recordSheet(
          session: header.id.rawValue, path: path, sha256: data.sha256Hex, people: roster.map(\.participantID))
        registered = true
        print(
          tr("Wrote the sign-in sheet of session %@ (%@) to %@.", header.id, Plural.count(roster.count, "participant"), output))
      }
    }
  }
}
