import Foundation

/// The two kinds of document; mirrors the CHECK `certificate_kind_known`.
public enum CertificateKind: String, Codable, Sendable, CaseIterable {
  /// The qualified certificate "Fachkraft für Kriminalprävention": all modules and the project.
  case zertifikat
  /// Confirms one module whose attendance threshold was met.
  case teilnahmebescheinigung
}

/// Everything the rules need to know about one participant in one programme.
public struct EligibilityInput: Sendable, Equatable {
  /// A module whose threshold was met in some cohort of the programme.
  public struct Credit: Sendable, Equatable {
    public var module: Int
    public var course: String
    /// The day of the module's last session in that cohort.
    public var completedOn: CalendarDate
    public var attendedUE: Decimal
    public var plannedUE: Int
    public init(module: Int, course: String, completedOn: CalendarDate, attendedUE: Decimal, plannedUE: Int) {
      self.module = module
      self.course = course
      self.completedOn = completedOn
      self.attendedUE = attendedUE
      self.plannedUE = plannedUE
    }
  }

  /// The modules the programme requires, in order.
  public var requiredModules: [Int]
  public var projectRequired: Bool
  /// Met modules; several cohorts may have met one module, the earliest counts.
  public var credits: [Credit]
  /// Day the project work was passed, if it was.
  public var projectPassedOn: CalendarDate?
  /// Booked the whole programme in some cohort (not only single modules).
  public var wholeProgramme: Bool
  /// The cohort of the whole-programme enrolment has ended (its last session is past).
  public var programmeCohortEnded: Bool
  /// Valid certificates held: the Zertifikat, and Teilnahmebescheinigungen by module.
  public var holdsZertifikat: Bool
  public var certifiedModules: Set<Int>
  /// Revoked certificates the office has not reopened (serials): each blocks a new certificate of
  /// its kind (and module) as a valid one would, until `certificate reopen`.
  public var revokedZertifikat: String?
  public var revokedModules: [Int: String]

  public init(
    requiredModules: [Int], projectRequired: Bool, credits: [Credit], projectPassedOn: CalendarDate?, wholeProgramme: Bool,
    programmeCohortEnded: Bool, holdsZertifikat: Bool, certifiedModules: Set<Int>, revokedZertifikat: String? = nil,
    revokedModules: [Int: String] = [:]
  ) {
    self.requiredModules = requiredModules
    self.projectRequired = projectRequired
    self.credits = credits
    self.projectPassedOn = projectPassedOn
    self.wholeProgramme = wholeProgramme
    self.programmeCohortEnded = programmeCohortEnded
    self.holdsZertifikat = holdsZertifikat
    self.certifiedModules = certifiedModules
    self.revokedZertifikat = revokedZertifikat
    self.revokedModules = revokedModules
  }
}

/// A certificate that has become due, and why.
public struct DueCertificate: Sendable, Equatable {
  public var kind: CertificateKind
  /// The module of a Teilnahmebescheinigung; nil for the Zertifikat.
  public var module: Int?
  public var completedOn: CalendarDate
  /// The credits it rests on (one for a Teilnahmebescheinigung, all modules for the Zertifikat).
  public var credits: [EligibilityInput.Credit]
  public var reason: String
}

/// A certificate the rules would make due, held back by a revoked one of the same kind.
public struct BlockedCertificate: Sendable, Equatable {
  public var kind: CertificateKind
  public var module: Int?
  /// The revoked certificate that blocks it.
  public var revokedSerial: String
  /// Why it would be due.
  public var reason: String
  /// `Zertifikat (module 2) would be due (...), but the revoked BQ-... blocks it: ...`
  public var sentence: String {
    "\(kind)\(module.map { " module \($0)" } ?? "") would be due (\(reason)), but the revoked certificate "
      + "\(revokedSerial) blocks it: beccaria certificate reopen \(revokedSerial) --reason ... lets the next run issue a new one"
  }
}

/// The verdict for one participant: what is due now, what is still missing for the Zertifikat,
/// and what a revoked certificate holds back.
public struct EligibilityVerdict: Sendable, Equatable {
  public var due: [DueCertificate]
  public var missing: [String]
  public var blocked: [BlockedCertificate] = []
}

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
      missing.append("module \(module): attendance threshold not met in any cohort yet")
    }
    if input.projectRequired && input.projectPassedOn == nil {
      missing.append("project work not passed yet")
    }
    var due: [DueCertificate] = []
    let zertifikatReady = missing.isEmpty && !input.requiredModules.isEmpty
    if zertifikatReady && !zertifikatBlocked {
      let credits = input.requiredModules.compactMap { best[$0] }
      let completed = (credits.map(\.completedOn) + [input.projectPassedOn].compactMap { $0 }).max() ?? credits[0].completedOn
      due.append(
        DueCertificate(
          kind: .zertifikat, module: nil, completedOn: completed, credits: credits,
          reason: "all \(credits.count) modules met" + (input.projectRequired ? " and project work passed" : "")))
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
              ? "module \(module) met in \(credit.course); the cohort ended without the Zertifikat"
              : "module \(module) booked singly and met in \(credit.course)"))
      }
    }
    return EligibilityVerdict(due: due, missing: missing)
  }
}
