import BeccariaCore
import Foundation
import ProgrammeLoader
import PropertyBased
import TestSupport
import Testing

/// The programme loader over generated variations of the shipped definition: any block UE in 1…40
/// and any threshold in range load with exactly those values; any other UE is refused with the
/// path of the bad value.
@Suite struct ProgrammePropertyTests {
  static let shipped = (try? String(contentsOfFile: Checkout.programmeFile, encoding: .utf8)) ?? ""

  /// The shipped text with the eight block UE values (in order) and the threshold replaced.
  static func variant(ue: [Int], threshold: Int) -> String {
    var index = 0
    let lines = shipped.components(separatedBy: "\n").map { line -> String in
      if line.trimmingCharacters(in: .whitespaces) == "ue: 16", index < ue.count {
        defer { index += 1 }
        return line.replacingOccurrences(of: "ue: 16", with: "ue: \(ue[index])")
      }
      if line.contains("attendance_threshold:") { return "  attendance_threshold: \(Double(threshold) / 100)" }
      return line
    }
    return lines.joined(separator: "\n")
  }

  @Test func positiveValuesLoadExactly() async {
    await propertyCheck(count: 100, input: Gen.int(in: 1...40).array(of: 8...8), Gen.int(in: 1...100)) { ue, threshold in
      do {
        let definition = try ProgrammeFile.parse(Self.variant(ue: ue, threshold: threshold))
        #expect(definition.modules.map(\.ue) == [ue[0] + ue[1], ue[2] + ue[3], ue[4] + ue[5], ue[6] + ue[7]])
        #expect(
          abs(NSDecimalNumber(decimal: definition.completion.attendanceThreshold).doubleValue - Double(threshold) / 100) < 0.0001)
      } catch {
        Issue.record("refused a valid variant: \(error)")
      }
    }
  }

  @Test func anOutOfRangeUEIsRefusedWithItsPath() async {
    await propertyCheck(count: 100, input: Gen.int(in: 0...7), Gen.int(in: -50...0), Gen.int(in: 41...500), Gen.bool) {
      position, low, high, pickHigh in
      let bad = pickHigh ? high : low
      var ue = Array(repeating: 16, count: 8)
      ue[position] = bad
      do {
        _ = try ProgrammeFile.parse(Self.variant(ue: ue, threshold: 80))
        Issue.record("accepted UE \(bad) at block \(position)")
      } catch {
        #expect("\(error)".contains("modules[\(position / 2)].blocks[\(position % 2)].ue"), "\(error)")
      }
    }
  }
}
