import BeccariaCore
import Foundation
import PropertyBased
import Testing

/// The eligibility rules are monotonic: more credited modules, or a project passed, never take a
/// certificate away.
@Suite struct EligibilityPropertyTests {
  static func input(modules: Int, project: Bool, whole: Bool, ended: Bool) -> EligibilityInput {
    EligibilityInput(
      requiredModules: [1, 2, 3, 4], projectRequired: true,
      credits: (1...4).filter { modules & (1 << ($0 - 1)) != 0 }.map {
        .init(
          module: $0, course: "BQ-SN-2026-1", completedOn: CalendarDate(iso: "2026-06-0\($0)") ?? .today(), attendedUE: 32,
          plannedUE: 32)
      },
      projectPassedOn: project ? CalendarDate(year: 2026, month: 10, day: 25) : nil, wholeProgramme: whole,
      programmeCohortEnded: ended, holdsZertifikat: false, certifiedModules: [])
  }

  @Test func moreCreditOrAPassedProjectNeverLosesACertificate() async {
    await propertyCheck(
      count: 500, input: Gen.int(in: 0...15), Gen.int(in: 0...15), Gen.int(in: 0...7), Gen.int(in: 0...1)
    ) { modules, extra, flags, passLater in
      let project = flags & 1 != 0
      let whole = flags & 2 != 0
      let ended = flags & 4 != 0
      let before = Eligibility.evaluate(Self.input(modules: modules, project: project, whole: whole, ended: ended)).due
      let after = Eligibility.evaluate(
        Self.input(modules: modules | extra, project: project || passLater == 1, whole: whole, ended: ended)
      ).due
      let afterKinds = Set(after.map { "\($0.kind.rawValue) \($0.module ?? 0)" })
      for certificate in before {
        // What was due stays due, or is covered by the Zertifikat that more credit brings.
        let kept =
          afterKinds.contains("\(certificate.kind.rawValue) \(certificate.module ?? 0)") || afterKinds.contains("zertifikat 0")
        #expect(kept, "lost \(certificate.kind) \(certificate.module ?? 0): modules \(modules) → \(modules | extra)")
      }
    }
  }

  @Test func aCertificateIsNeverDueTwice() async {
    await propertyCheck(count: 300, input: Gen.int(in: 0...15), Gen.int(in: 0...7)) { modules, flags in
      let due = Eligibility.evaluate(
        Self.input(modules: modules, project: flags & 1 != 0, whole: flags & 2 != 0, ended: flags & 4 != 0)
      ).due
      let keys = due.map { "\($0.kind.rawValue) \($0.module ?? 0)" }
      #expect(Set(keys).count == keys.count)
      // A Zertifikat needs all four modules and the project.
      if due.contains(where: { $0.kind == .zertifikat }) { #expect(modules == 15 && flags & 1 != 0) }
    }
  }
}
