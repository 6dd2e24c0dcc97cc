import BeccariaCore
import Foundation
import Testing

@Suite struct EligibilityTests {
  static func day(_ text: String) -> CalendarDate {
    guard let day = CalendarDate(iso: text) else { preconditionFailure("\(text) is no day of the calendar") }
    return day
  }

  static func credit(_ module: Int, _ course: String = "BQ-SN-2026-1", on date: String = "2026-06-01") -> EligibilityInput.Credit
  {
    .init(module: module, course: course, completedOn: day(date), attendedUE: 32, plannedUE: 32)
  }

  static func input(
    credits: [EligibilityInput.Credit], project: String? = "2026-10-25", whole: Bool = true, ended: Bool = false,
    zertifikat: Bool = false, modules: Set<Int> = []
  ) -> EligibilityInput {
    EligibilityInput(
      requiredModules: [1, 2, 3, 4], projectRequired: true, credits: credits, projectPassedOn: project.map(day),
      wholeProgramme: whole, programmeCohortEnded: ended, holdsZertifikat: zertifikat, certifiedModules: modules)
  }

  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var input: EligibilityInput
    var due: [String]
    var missing: Int
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "all modules and project: Zertifikat", input: input(credits: (1...4).map { credit($0) }), due: ["zertifikat"],
      missing: 0),
    Case(
      name: "project failed: nothing while the cohort runs", input: input(credits: (1...4).map { credit($0) }, project: nil),
      due: [], missing: 1),
    Case(
      name: "project failed, cohort ended: a Teilnahmebescheinigung per module",
      input: input(credits: (1...4).map { credit($0) }, project: nil, ended: true),
      due: ["teilnahmebescheinigung 1", "teilnahmebescheinigung 2", "teilnahmebescheinigung 3", "teilnahmebescheinigung 4"],
      missing: 1),
    Case(
      name: "one module short (threshold missed), cohort ended",
      input: input(credits: [1, 3, 4].map { credit($0) }, ended: true),
      due: ["teilnahmebescheinigung 1", "teilnahmebescheinigung 3", "teilnahmebescheinigung 4"], missing: 1),
    Case(
      name: "make-up in a later cohort completes the Zertifikat",
      input: input(credits: [credit(1), credit(3), credit(4), credit(2, "BQ-SN-2027-1", on: "2027-03-07")], ended: true),
      due: ["zertifikat"], missing: 0),
    Case(
      name: "single-module booking: its Teilnahmebescheinigung", input: input(credits: [credit(2)], project: nil, whole: false),
      due: ["teilnahmebescheinigung 2"], missing: 4),
    Case(
      name: "already certified: nothing again", input: input(credits: (1...4).map { credit($0) }, zertifikat: true), due: [],
      missing: 0),
    Case(
      name: "module already certified is not issued twice",
      input: input(credits: [credit(1), credit(2)], project: nil, whole: false, modules: [1]), due: ["teilnahmebescheinigung 2"],
      missing: 3),
  ]

  @Test(arguments: cases)
  func rules(_ example: Case) {
    let verdict = Eligibility.evaluate(example.input)
    #expect(verdict.due.map { $0.kind.rawValue + ($0.module.map { " \($0)" } ?? "") } == example.due)
    #expect(verdict.missing.count == example.missing)
  }

  @Test func theZertifikatIsCompletedOnTheLastRequirement() throws {
    let verdict = Eligibility.evaluate(
      Self.input(
        credits: [
          Self.credit(1), Self.credit(2, on: "2026-11-15"), Self.credit(3), Self.credit(4), Self.credit(2, "X", on: "2027-01-01"),
        ],
        project: "2026-10-25"))
    let zertifikat = try #require(verdict.due.first)
    #expect(zertifikat.completedOn == Self.day("2026-11-15"))
    #expect(zertifikat.credits.map(\.course) == ["BQ-SN-2026-1", "BQ-SN-2026-1", "BQ-SN-2026-1", "BQ-SN-2026-1"])
  }

  /// More attendance never loses a certificate: adding credits keeps every certificate that was due.
  @Test(arguments: 0..<16)
  func moreCreditNeverLosesACertificate(mask: Int) {
    let subset = (1...4).filter { mask & (1 << ($0 - 1)) != 0 }.map { Self.credit($0) }
    let before = Set(Eligibility.evaluate(Self.input(credits: subset, ended: true)).due.map(\.kind))
    let after = Set(Eligibility.evaluate(Self.input(credits: (1...4).map { Self.credit($0) }, ended: true)).due.map(\.kind))
    #expect(before.isEmpty || !after.isEmpty)
    if before.contains(.zertifikat) { #expect(after.contains(.zertifikat)) }
  }

  @Test func aRevokedCertificateBlocksItsOwnKindOnly() {
    // Zertifikat revoked, module 1 no longer met, the cohort ended: the modules met get their
    // Teilnahmebescheinigungen (a revoked Zertifikat is not held).
    var shortOfOne = Self.input(credits: (2...4).map { Self.credit($0) }, ended: true)
    shortOfOne.revokedZertifikat = "BQ-2026-000001"
    let modules = Eligibility.evaluate(shortOfOne)
    #expect(modules.due.map { $0.module } == [2, 3, 4])
    #expect(modules.blocked.isEmpty)
    // Everything met again: the Zertifikat is held back (and named), nothing else is issued.
    var again = Self.input(credits: (1...4).map { Self.credit($0) }, ended: true)
    again.revokedZertifikat = "BQ-2026-000001"
    let held = Eligibility.evaluate(again)
    #expect(held.due.isEmpty)
    #expect(held.blocked.map(\.revokedSerial) == ["BQ-2026-000001"])
    #expect(held.blocked.first?.sentence.contains("beccaria certificate reopen BQ-2026-000001") == true)
    // A revoked Teilnahmebescheinigung blocks its module only.
    var single = Self.input(credits: [Self.credit(2), Self.credit(3)], whole: false)
    single.revokedModules = [2: "BQ-2026-000007"]
    let verdict = Eligibility.evaluate(single)
    #expect(verdict.due.map { $0.module } == [3])
    #expect(verdict.blocked.map { $0.module } == [2])
  }
}
