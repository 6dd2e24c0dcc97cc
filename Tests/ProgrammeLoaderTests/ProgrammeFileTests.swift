import BeccariaCore
import Foundation
import ProgrammeLoader
import TestSupport
import Testing

@Suite struct ProgrammeFileTests {
  var shipped: String { (try? String(contentsOfFile: Checkout.programmeFile, encoding: .utf8)) ?? "" }

  @Test func theShippedProgrammeLoads() throws {
    let definition = try ProgrammeFile.load(path: Checkout.programmeFile)
    #expect(definition.code == "beccaria-fachkraft")
    #expect(definition.title == "Fachkraft für Kriminalprävention")
    #expect(definition.modules.map(\.title) == ["Kriminologie", "Kriminalprävention", "Projektmanagement", "Projektbegleitung"])
    #expect(definition.modules.map(\.number) == [1, 2, 3, 4])
    #expect(definition.modules.allSatisfy { $0.blocks.count == 2 })
    #expect(definition.totalUE == 128)
    #expect(definition.ueMinutes == 45)
    #expect(definition.completion.attendanceThreshold == Decimal(string: "0.8"))
    #expect(definition.completion.projectRequired)
    #expect(definition.documents.zertifikat.award == "Fachkraft für Kriminalprävention")
  }

  func problems(_ text: String) -> [DefinitionProblem] {
    do {
      _ = try ProgrammeFile.parse(text, file: "test.yaml")
      return []
    } catch let error as ProgrammeFileError {
      return error.problems
    } catch {
      return [DefinitionProblem(path: "?", message: "\(error)")]
    }
  }

  @Test func aMissingModuleTitleIsReportedWithItsPath() throws {
    let text = shipped.replacingOccurrences(of: "    title: Kriminalprävention\n", with: "")
    let found = problems(text)
    #expect(found.map(\.path) == ["modules[1].title"])
    #expect(found.first?.message == "is missing")
    #expect(found.first?.location != nil)
  }

  @Test func aNegativeUEIsReportedWithItsPathAndLine() throws {
    let text = shipped.replacingOccurrences(
      of: "      - title: Wochenende 2 – Planung und Evaluation\n        ue: 16",
      with: "      - title: Wochenende 2 – Planung und Evaluation\n        ue: -4")
    let found = problems(text)
    #expect(found.map(\.path) == ["modules[2].blocks[1].ue"])
    let line = text.components(separatedBy: "\n").firstIndex { $0.contains("ue: -4") }.map { $0 + 1 }
    #expect(found.first?.location?.hasPrefix("\(line ?? 0):") == true)
    do {
      _ = try ProgrammeFile.parse(text, file: "courses/x.yaml")
    } catch {
      #expect("\(error)".hasPrefix("courses/x.yaml:\(line ?? 0):"))
      #expect("\(error)".contains("modules[2].blocks[1].ue: must be a positive number of UE, not -4"))
    }
  }

  @Test func controlAndInvisibleCharactersInAnyTextAreReportedWithTheirPath() throws {
    // YAML's double-quoted escapes reach every text that certificates and listings print.
    let text = shipped.replacingOccurrences(
      of: "    title: Kriminalprävention\n", with: "    title: \"Kriminal\\u200Bprävention\"\n"
    )
    .replacingOccurrences(of: "  - name: Geschäftsstelle des Landespräventionsrates", with: "  - name: \"Geschäftsstelle\\e[2J\"")
    let found = problems(text)
    #expect(
      found.map { "\($0.path): \($0.message)" } == [
        "modules[1].title: contains the control or invisible character U+200B",
        "documents.signatories[0].name: contains the control or invisible character U+001B",
      ])
    // A body may run over several lines.
    #expect(problems(shipped) == [])
  }

  @Test func anUnknownKeyIsReportedWithItsPath() throws {
    let text = shipped.replacingOccurrences(of: "  excused_counts: false", with: "  excused_counts: false\n  excused_count: true")
    let found = problems(text)
    #expect(found.map(\.path) == ["completion.excused_count"])
    #expect(found.first?.message.hasPrefix("is not a known key") == true)
  }

  @Test func shapeErrorsAreAllReportedAtOnce() throws {
    let text = """
      code: Beccaria Fachkraft
      title: ""
      version: eins
      issuer: {name: LPR, place: Dresden}
      completion: {attendance_threshold: 1.5, excused_counts: vielleicht, project_required: true}
      modules:
        - {number: 1, title: Kriminologie, blocks: [{title: W1, ue: 16}]}
        - {number: 1, title: Kriminologie, blocks: [{title: W1, ue: 16}]}
      documents: {}
      extra: 1
      """
    let paths = Set(problems(text).map(\.path))
    #expect(paths.isSuperset(of: ["version", "completion.excused_counts", "extra", "documents.zertifikat"]))
  }

  @Test func ruleErrorsNameTheirPath() throws {
    let text =
      shipped
      .replacingOccurrences(of: "attendance_threshold: 0.80", with: "attendance_threshold: 1.5")
      .replacingOccurrences(of: "  - number: 3\n", with: "  - number: 7\n")
    let paths = problems(text).map(\.path)
    #expect(paths.contains("completion.attendance_threshold"))
    #expect(paths.contains("modules[2].number"))
  }

  @Test func duplicateKeysAndBrokenYAMLAreRejected() throws {
    let duplicate = problems(shipped + "\ntitle: Noch einmal\n")
    #expect(duplicate.count == 1)
    #expect(duplicate.first?.message.contains("duplicated key(s): 'title'") == true)
    #expect(problems("code: [unclosed").first?.path == "(syntax)")
    #expect(problems("").first?.path == "(file)")
  }
}
