import CSVImport
import Foundation
import Testing

/// Files read whole (participants, municipalities): shape problems by line, all at once.
@Suite struct CSVFileTests {
  func parse(_ text: String, bom: Bool = false, required: [String] = ["ags", "name", "district"]) throws -> CSVFile {
    var data = Data(text.utf8)
    if bom { data.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: 0) }
    return try CSVFile.parse(data, file: "f.csv", required: required, optional: ["asskomm_member_since"])
  }

  func problems(_ text: String, data: Data? = nil) -> [String] {
    do {
      _ = try CSVFile.parse(
        data ?? Data(text.utf8), file: "f.csv", required: ["ags", "name", "district"], optional: ["asskomm_member_since"])
      return []
    } catch let error as InputProblems {
      return error.lines
    } catch {
      return ["\(error)"]
    }
  }

  @Test func aGermanSpreadsheetExportReads() throws {
    let input = try parse("AGS;Name;District\r\n14612000;Dresden;\"Dresden; Stadt\"\r\n14625020;Bautzen;Bautzen\r\n", bom: true)
    #expect(input.delimiter == UInt8(ascii: ";"))
    #expect(input.records.count == 2)
    #expect(input.records[0].value("district") == "Dresden; Stadt")
    #expect(input.records[1].line == 3)
    #expect(input.records[1].value("ags") == "14625020")
  }

  @Test func aBlankFirstRowAndALineBreakInAHeaderCellAreExcelsNotTheFilesShape() throws {
    // A spreadsheet's empty first row, then a header cell typed with Alt+Enter.
    let input = try parse("\r\nags;name;district;\r\n14612000;Dresden;Dresden;\r\n")
    #expect(input.delimiter == UInt8(ascii: ";") && input.records.count == 1)
    #expect(CSVHeader.delimiter(of: Array("\r\n\r\na;b;c\n".utf8)) == UInt8(ascii: ";"))
    // The problem names the cell on one line, as the spreadsheet shows it.
    #expect(problems("ags;\"na\nme\";district\n1;x;y\n").contains { $0.contains("column \"na me\": is not a known column") })
    #expect(CSVHeader.oneLine("Nach\r\nname") == "Nach name")
  }

  @Test func quotedNewlinesKeepLineNumbersRight() throws {
    let input = try parse("ags,name,district\n1,\"two\nlines\",x\n\n2,\"say \"\"hi\"\"\",y\n3,z,\"a,b\"\n")
    #expect(input.records.map(\.line) == [2, 5, 6])
    // A name holds one line: the line break of a quoted cell (Alt+Enter) is a space.
    #expect(input.records[0].value("name") == "two lines")
    #expect(input.records[1].value("name") == "say \"hi\"")
    #expect(input.records[2].value("district") == "a,b")
  }

  @Test func anUnterminatedQuoteIsReportedWhereItOpens() {
    #expect(
      problems("ags,name,district\n1,a,b\n2,\"broken,c\n3,d,e\n") == [
        "f.csv:3: a quoted field opened on this line is never closed (missing \")"
      ])
  }

  @Test func aSemicolonFileWithACommaHeaderNamesTheLines() {
    let found = problems("ags,name,district\n14612000;Dresden;Dresden\n14625020;Bautzen;Bautzen\n")
    #expect(found.count == 2)
    #expect(found[0] == "f.csv:2: has 1 field, but the header has 3 columns (is the delimiter \",\" used throughout?)")
    #expect(found[1].hasPrefix("f.csv:3: "))
  }

  @Test func headerProblemsAreAllReported() {
    #expect(problems("ags,name\n1,2\n") == ["f.csv:1: column \"district\": is missing from the header"])
    #expect(problems("ags,name,district,ags\n") == ["f.csv:1: column \"ags\": appears twice in the header"])
    #expect(problems("ags,name,district,colour\n").first?.hasPrefix("f.csv:1: column \"colour\": is not a known column") == true)
    #expect(problems("").first == "f.csv: is empty; expected a header row (ags,name,district)")
  }

  @Test func encodingProblemsNameTheLine() {
    var latin1 = Data("ags,name,district\n14612000,Dresden,Dresden\n14625020,".utf8)
    latin1.append(contentsOf: [0x42, 0x61, 0x75, 0x74, 0x7A, 0x65, 0x6E, 0xFC])  // "Bautzenü" in Latin-1
    latin1.append(contentsOf: Array(",x\n".utf8))
    #expect(problems("", data: latin1).first?.hasPrefix("f.csv:3: is not valid UTF-8") == true)
    let nul = Data("ags,name,district\n1,a\u{0}b,c\n".utf8)
    #expect(problems("", data: nul).first == "f.csv:2: contains a NUL byte; is this a text file?")
  }
}

/// Spreadsheet formulas are refused however they are dressed, and numbers are not formulas.
@Suite struct SpreadsheetFormulaTests {
  @Test(arguments: [
    "=HYPERLINK(\"http://evil/\")", " =cmd|x", "\u{A0}+1", "@SUM(A1)", "-2+3+cmd|' /C calc'!A0", "- x", "\tx",
  ])
  func formulasAreRefused(value: String) {
    #expect(CSVFile.fieldProblem(value)?.contains("like a spreadsheet formula") == true, "\(value.debugDescription)")
  }

  @Test(arguments: ["-5", "-2,5", " -7.25", "Müller", "a=b", "x+y", ""])
  func numbersAndPlainTextPass(value: String) {
    #expect(CSVFile.fieldProblem(value) == nil, "\(value.debugDescription)")
  }
}
