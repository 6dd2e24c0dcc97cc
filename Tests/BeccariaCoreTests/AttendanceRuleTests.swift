import BeccariaCore
import Foundation
import Testing

@Suite struct AttendanceRuleTests {
  @Test(arguments: [
    (AttendanceStatus.present, nil as Decimal?, 8, "8"),
    (.present, Decimal(6), 8, "6"),
    (.present, Decimal(9), 8, "error"),
    (.present, Decimal(0), 8, "error"),
    (.late, nil, 8, "error"),
    (.late, Decimal(string: "5.5"), 8, "5.5"),
    (.excused, nil, 8, "0"),
    (.excused, Decimal(2), 8, "error"),
    (.absent, Decimal(0), 8, "0"),
    (.absent, Decimal(1), 8, "error"),
  ])
  func ueAttendedFollowsTheStatus(status: AttendanceStatus, ue: Decimal?, session: Int, expected: String) {
    switch AttendanceRule.ueAttended(status: status, ue: ue, sessionUE: session) {
    case .success(let value): #expect("\(value)" == expected)
    case .failure: #expect(expected == "error")
    }
  }

  @Test func statusWordsInEnglishAndGerman() {
    #expect(AttendanceRule.status("Anwesend") == .present)
    #expect(AttendanceRule.status("entschuldigt") == .excused)
    #expect(AttendanceRule.status(" LATE ") == .late)
    #expect(AttendanceRule.status("vielleicht") == nil)
  }
}

@Suite struct ModuleStandingTests {
  static let threshold = Decimal(8) / 10

  /// planned 32 UE in four 8-UE sessions; 80 % means 25.6 UE.
  @Test(arguments: [
    // attended, open, largest open, expected
    (Decimal(string: "25.6")!, 0, 0, ModuleStanding.Risk.passed),  // exactly at the threshold
    (Decimal(26), 0, 0, .passed),
    (Decimal(string: "25.5")!, 0, 0, .cannotPass),  // just below, nothing left
    (Decimal(16), 8, 8, .cannotPass),  // 24 at most reachable
    (Decimal(18), 8, 8, .oneMissFromFailing),  // 26 reachable, 18 without the last session
    (Decimal(20), 8, 8, .oneMissFromFailing),  // 28 reachable, 20 without it
    (Decimal(24), 8, 8, .onTrack),  // nothing lost: 32 reachable
    (Decimal(0), 32, 8, .onTrack),  // nothing lost yet: not flagged although one miss would fail
    (Decimal(8), 24, 8, .onTrack),
  ])
  func verdicts(attended: Decimal, open: Int, largest: Int, expected: ModuleStanding.Risk) {
    let standing = ModuleStanding(
      plannedUE: 32, attendedUE: attended, openUE: open, largestOpenSession: largest, threshold: Self.threshold)
    #expect(standing.risk == expected)
  }

  @Test func neededIsTheShareOfEverythingPlanned() {
    let standing = ModuleStanding(plannedUE: 32, attendedUE: 16, openUE: 8, largestOpenSession: 8, threshold: Self.threshold)
    #expect(standing.neededUE == Decimal(string: "25.6"))
    #expect(standing.neededUE.roundedUp == 26)
    #expect(standing.reachableUE == 24)
    #expect(standing.lostUE == 8)
  }
}
