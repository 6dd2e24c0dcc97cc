import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Spreadsheet

extension AttendanceCommand {
  /// `beccaria attendance report --course CODE`.
  struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "report",
      abstract: tr("Attendance matrix of a cohort: participants × sessions, and each module's share against the threshold."),
      discussion: tr(
        """
        Symbols: ✓ present, ½ late/partial, E excused, ✗ absent, · not yet recorded, blank: not \
        booked. The share counts all sessions planned for the module, not only past ones; ✔ marks \
        a module whose threshold is met.

        Example:
          beccaria attendance report --course BQ-SN-2026-1
          beccaria attendance report --course BQ-SN-2026-1 --format csv \\
            > anwesenheit.csv
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: ArgumentHelp(tr("Cohort code."))) var course: String

    func run() throws {
      try reportingFailures {
        let matrix = try ProgressReports(try global.connect()).matrix(courseCode: course)
        switch output.format {
        case .json: try output.emit(try JSONOutput.encode(matrix), rows: matrix.participants.count)
        case .csv:
          let modules = Array(Set(matrix.sessions.map(\.module))).sorted()
          let header =
            ["participant_id", "name"] + matrix.sessions.map { "S\($0.id) \($0.day) M\($0.module)" }
            + modules.flatMap {
              ["module_\($0)_attended_ue", "module_\($0)_planned_ue", "module_\($0)_share", "module_\($0)_met"]
            }
          let rows = matrix.participants.map { line -> [String] in
            [line.participantID.description, line.name]
              + line.cells.map { cell in
                guard cell.booked else { return "" }
                guard let status = cell.status else { return "" }
                return "\(status):\(Reader.machineNumber(cell.ue ?? 0))"
              }
              + modules.flatMap { number -> [String] in
                guard let share = line.modules.first(where: { $0.module == number }) else { return ["", "", "", ""] }
                return [
                  Reader.machineNumber(share.attendedUE), String(share.plannedUE), Self.decimalText(share.share),
                  share.thresholdMet ? "yes" : "no",
                ]
              }
          }
          try output.emit(try CSVOutput.render(header: header, rows: rows), rows: rows.count)
        case .table:
          try output.emit(Self.table(matrix), rows: matrix.participants.count)
        case .xlsx:
          if let file = output.output {
            try output.emit(try Self.workbook(matrix), rows: matrix.participants.count, to: file)
          }
        }
      }
    }

    /// The matrix as a workbook a person reads: one row per participant, a column per session
    /// (its sign, with the UE when fewer than the session's), each module's attended and planned
    /// UE and share as numbers; a second sheet lists the sessions with their days as days.
    static func workbook(_ matrix: AttendanceMatrix) throws -> Data {
      let modules = Array(Set(matrix.sessions.map(\.module))).sorted()
      let book = try Workbook(
        title: tr("Attendance %@", matrix.course), author: "beccaria", dayFormat: Reader.spreadsheetDayFormat)
      let header =
        [tr("NR."), tr("NAME")]
        + matrix.sessions.enumerated().map { "\($0.offset + 1): \(Reader.date($0.element.day)) M\($0.element.module)" }
        + modules.flatMap { [tr("M%@ UE", $0), tr("M%@ PLANNED UE", $0), tr("M%@ SHARE", $0), tr("M%@ MET", $0)] }
      let rows = matrix.participants.map { line -> [SheetCell] in
        [.integer(line.participantID.rawValue), .text(line.name)]
          + zip(line.cells, matrix.sessions).map { cell, session -> SheetCell in
            guard cell.booked else { return .empty }
            let sign = symbol(cell, sessionUE: session.ue)
            if let ue = cell.ue, ue > 0, ue < Decimal(session.ue) { return .text("\(sign) \(Reader.number(ue))") }
            return .text(sign)
          }
          + modules.flatMap { number -> [SheetCell] in
            guard let share = line.modules.first(where: { $0.module == number }) else { return [.empty, .empty, .empty, .empty] }
            return [
              Cell.number(share.attendedUE).sheet, .integer(Int64(share.plannedUE)), Cell.percent(share.share).sheet,
              .text(share.thresholdMet ? "✔" : "–"),
            ]
          }
      }
      try book.addSheet(name: tr("Attendance %@", matrix.course), header: header, rows: rows, frozenColumns: 2)
      try book.addSheet(
        name: tr("Sessions"),
        header: [tr("NR."), tr("SESSION"), tr("DAY"), tr("MODULE"), tr("FROM"), tr("TO"), tr("UE"), tr("LOCATION")],
        rows: matrix.sessions.enumerated().map { index, session in
          [
            .integer(Int64(index + 1)), .integer(session.id.rawValue), .date(session.day), .integer(Int64(session.module)),
            .text(session.startsAt), .text(session.endsAt), .integer(Int64(session.ue)), .text(session.location ?? ""),
          ]
        })
      try book.addSheet(
        name: tr("Signs"), header: [tr("SIGN"), tr("MEANING")],
        rows: [
          ("✓", tr("present")), ("½", tr("late or partial (with the UE attended)")), ("E", tr("excused")),
          ("✗", tr("absent")), ("·", tr("not recorded yet")),
          ("✔", tr("threshold met (%@)", Reader.percent(matrix.threshold))),
        ].map { [.text($0.0), .text($0.1)] })
      return try book.data()
    }

    static func decimalText(_ value: Decimal) -> String {
      String(format: "%.4f", NSDecimalNumber(decimal: value).doubleValue)
    }

    /// A cell's sign; present with fewer UE than the session's is partial, as late is.
    static func symbol(_ cell: AttendanceMatrix.Cell, sessionUE: Int) -> String {
      guard cell.booked else { return " " }
      switch cell.status {
      case .present?: return (cell.ue ?? Decimal(sessionUE)) < Decimal(sessionUE) ? "½" : "✓"
      case .late?: return "½"
      case .excused?: return "E"
      case .absent?: return "✗"
      case nil: return "·"
      }
    }

    static func table(_ matrix: AttendanceMatrix) -> String {
      let modules = Array(Set(matrix.sessions.map(\.module))).sorted()
      var out =
        tr("Attendance %@ — threshold %@ of each module's planned UE", matrix.course, Reader.percent(matrix.threshold)) + "\n"
      out +=
        tr("Sessions: ")
        + matrix.sessions.enumerated().map { "\($0.offset + 1)=\(Reader.shortDate($0.element.day)) M\($0.element.module)" }
        .joined(separator: "  ") + "\n\n"
      let nameWidth = max(4, matrix.participants.map(\.name.count).max() ?? 0)
      let groups = modules.map { module in matrix.sessions.filter { $0.module == module }.count }
      var header = tr("NAME").padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
      header += zip(modules, groups).map { module, count in
        "M\(module)".padding(toLength: max(count, 2), withPad: " ", startingAt: 0)
      }
      .joined(separator: " ")
      header += "  " + modules.map { "M\($0) UE".padding(toLength: 17, withPad: " ", startingAt: 0) }.joined(separator: " ")
      out += header + "\n"
      for line in matrix.participants {
        var text = line.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
        // Each module's sessions in time order, wherever they fall among the others'.
        text += zip(modules, groups).map { module, count in
          let symbols = zip(line.cells, matrix.sessions).filter { $0.1.module == module }
            .map { symbol($0.0, sessionUE: $0.1.ue) }.joined()
          return symbols.padding(toLength: max(count, 2), withPad: " ", startingAt: 0)
        }.joined(separator: " ")
        text +=
          "  "
          + modules.map { number -> String in
            guard let share = line.modules.first(where: { $0.module == number }) else {
              return "–".padding(toLength: 17, withPad: " ", startingAt: 0)
            }
            let cell =
              "\(Reader.number(share.attendedUE))/\(share.plannedUE) \(Reader.percent(share.share))\(share.thresholdMet ? " ✔" : "")"
            return cell.padding(toLength: 17, withPad: " ", startingAt: 0)
          }.joined(separator: " ")
        out += text.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
      }
      if matrix.participants.isEmpty { out += tr("(nobody enrolled)") + "\n" }
      out +=
        "\n✓ " + tr("present") + "  ½ " + tr("late/partial") + "  E " + tr("excused") + "  ✗ " + tr("absent") + "  · "
        + tr("not recorded yet") + "  ✔ " + tr("threshold met") + "\n"
      return out
    }
  }
}
