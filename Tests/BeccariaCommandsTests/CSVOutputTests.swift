import Foundation
import Testing

@testable import BeccariaCommands

/// CSV written for spreadsheets: RFC 4180, with formula injection neutralised.
@Suite struct CSVOutputTests {
  @Test func spreadsheetFormulasAreNeutralisedInCSVOutput() throws {
    let csv = try CSVOutput.render(
      header: ["name", "n"], rows: [["=HYPERLINK(\"http://x\")", "-5"], ["@SUM(A1)", "+1"], ["a,b", "x"]])
    #expect(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""))
    #expect(csv.contains("'@SUM(A1)"))
    #expect(csv.contains(",-5\r\n"))
    #expect(csv.contains("\"a,b\""))
  }
}
