import CSVImport
import Foundation
import Testing

/// The rules of the one CSV reader, each with the value it must give.
@Suite struct CSVTokenizerTests {
  func read(_ text: String, delimiter: Character = ",") -> (records: [CSVRecord], problems: [InputProblem]) {
    var tokenizer = CSVTokenizer(delimiter: UInt8(ascii: delimiter.unicodeScalars.first ?? ","))
    var records: [CSVRecord] = []
    tokenizer.feed(Array(text.utf8)) { records.append($0) }
    tokenizer.finish { records.append($0) }
    return (records, tokenizer.problems)
  }

  @Test func quotedFieldsHoldDelimitersQuotesAndLineBreaks() {
    let (records, problems) = read("a,b\n\"x,1\",\"say \"\"hi\"\"\"\r\n\"two\r\nlines\",z\rlast,\"\"")
    #expect(problems.isEmpty)
    #expect(
      records == [
        CSVRecord(line: 1, fields: ["a", "b"]), CSVRecord(line: 2, fields: ["x,1", "say \"hi\""]),
        CSVRecord(line: 3, fields: ["two\r\nlines", "z"]), CSVRecord(line: 5, fields: ["last", ""]),
      ])
  }

  @Test func aQuoteInsideAnUnquotedFieldIsACharacter() {
    #expect(read("a,b\n5\" Rohr,x\n").records.last == CSVRecord(line: 2, fields: ["5\" Rohr", "x"]))
  }

  @Test func anUndoubledQuoteInAQuotedFieldIsAProblemOfItsLineAndReadingGoesOn() {
    let (records, problems) = read("a,b\n\"x\"y,1\n2,3\n")
    #expect(problems == [InputProblem(line: 2, reason: "a quote inside a quoted field must be doubled (\"\")")])
    #expect(records.map(\.line) == [1, 3])
  }

  @Test func blankRowsAndRowsOfDelimitersAreSkipped() {
    let (records, problems) = read("a;b;c\n\n;;\n  ; ;\n1;2;3\n", delimiter: ";")
    #expect(problems.isEmpty)
    #expect(records.map(\.line) == [1, 5])
  }

  @Test func aByteOrderMarkIsNotPartOfTheFirstName() {
    var tokenizer = CSVTokenizer(delimiter: UInt8(ascii: ";"))
    var records: [CSVRecord] = []
    // Fed byte by byte: the mark is recognised across chunks too.
    for byte in [0xEF, 0xBB, 0xBF] + Array("AGS;Name\n".utf8) { tokenizer.feed([UInt8(byte)]) { records.append($0) } }
    #expect(records.first?.fields == ["AGS", "Name"])
  }

  @Test func anOverlongFieldIsRefusedWithoutHoldingIt() {
    let long = String(repeating: "x", count: CSVTokenizer.maximumFieldLength + 1)
    let (records, problems) = read("a\n\(long)\nok\n")
    #expect(problems == [InputProblem(line: 2, reason: "has a field longer than 1000 bytes")])
    #expect(records.map(\.line) == [1, 3])
  }

  @Test func anUnclosedQuoteIsReportedWhereItOpened() {
    let (_, problems) = read("a,b\n1,\"open\nmore\n")
    #expect(problems == [InputProblem(line: 2, reason: "a quoted field opened on this line is never closed (missing \")")])
  }

  @Test func theHeaderDecidesTheDelimiter() {
    #expect(CSVHeader.delimiter(of: Array("a;b;\"c,d,e\"\n1,2,3,4".utf8)) == UInt8(ascii: ";"))
    #expect(CSVHeader.delimiter(of: Array("a\tb\n".utf8)) == 9)
    #expect(CSVHeader.delimiter(of: Array("single\n".utf8)) == UInt8(ascii: ","))
  }

  @Test func problemsReadAsFileLineColumnReason() {
    let problems = InputProblems(
      file: "teilnehmer.csv",
      [InputProblem(line: 4, column: "email", reason: "is not an address"), InputProblem(line: nil, reason: "is empty")])
    #expect(problems.lines == ["teilnehmer.csv:4: column \"email\": is not an address", "teilnehmer.csv: is empty"])
    #expect(problems.description.hasSuffix("Nothing was imported (2 problems)."))
  }
}
