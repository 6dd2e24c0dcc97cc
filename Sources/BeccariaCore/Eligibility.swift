import Foundation

/// The completion rules of the programme definition, as a pure function.
public enum Eligibility {
  public static func evaluate(_ input: EligibilityInput) -> EligibilityVerdict {
    var verdict = rules(input, revokedBlock: true)
    guard input.revokedZertifikat != nil || !input.revokedModules.isEmpty else { return verdict }
    // What would be due if the revoked certificates did not count, and is not.
    for candidate in rules(input, revokedBlock: false).due
    where !verdict.due.contains(where: { $0.kind == candidate.kind && $0.module == candidate.module }) {
      let serial = candidate.kind == .zertifikat ? input.revokedZertifikat : candidate.module.flatMap { input.revokedModules[$0] }
      guard let serial else { continue }
      verdict.blocked.append(
        BlockedCertificate(kind: candidate.kind, module: candidate.module, revokedSerial: serial, reason: candidate.reason))
    }
    return verdict
  }

  /// The rules; with `revokedBlock`, a revoked certificate blocks a new one of its own kind (and
  /// module) as a valid one does. A revoked Zertifikat is not held: it does not stand in the way
  /// of the Teilnahmebescheinigungen of a cohort that ended without a (valid) Zertifikat.
  static func rules(_ input: EligibilityInput, revokedBlock: Bool) -> EligibilityVerdict {
    let zertifikatBlocked = input.holdsZertifikat || (revokedBlock && input.revokedZertifikat != nil)
    let moduleBlocked = revokedBlock ? input.certifiedModules.union(input.revokedModules.keys) : input.certifiedModules
    // The earliest cohort in which each module was met counts.
    var best: [Int: EligibilityInput.Credit] = [:]
    for credit in input.credits {
      if let known = best[credit.module], known.completedOn <= credit.completedOn { continue }
      best[credit.module] = credit
    }
    var missing: [String] = []
    for module in input.requiredModules where best[module] == nil {
      missing.append(tr("module %@: attendance threshold not met in any cohort yet", module))
    }
    if input.projectRequired && input.projectPassedOn == nil {
      missing.append(tr("project work not passed yet"))
    }
    var due: [DueCertificate] = []
    let zertifikatReady = missing.isEmpty && !input.requiredModules.isEmpty
    if zertifikatReady && !zertifikatBlocked {
      let credits = input.requiredModules.compactMap { best[$0] }
      let completed = (credits.map(\.completedOn) + [input.projectPassedOn].compactMap { $0 }).max() ?? credits[0].completedOn
      due.append(
        DueCertificate(
          kind: .zertifikat, module: nil, completedOn: completed, credits: credits,
          reason: input.projectRequired
            ? trn(
              "%@ module met and project work passed", "all %@ modules met and project work passed", credits.count, credits.count)
            : trn("%@ module met", "all %@ modules met", credits.count, credits.count)))
    }
    // Teilnahmebescheinigungen: for those who booked single modules, and for programme
    // participants whose cohort ended without the Zertifikat.
    let wantsModuleCertificates =
      !input.wholeProgramme || (input.programmeCohortEnded && !zertifikatReady && !input.holdsZertifikat)
    if wantsModuleCertificates {
      for module in best.keys.sorted() where !moduleBlocked.contains(module) {
        guard let credit = best[module] else { continue }
        due.append(
          DueCertificate(
            kind: .teilnahmebescheinigung, module: module, completedOn: credit.completedOn, credits: [credit],
            reason: input.wholeProgramme
              ? tr("module %@ met in %@; the cohort ended without the Zertifikat", module, credit.course)
              : tr("module %@ booked singly and met in %@", module, credit.course)))
      }
    }
    return EligibilityVerdict(due: due, missing: missing)
  }
}
