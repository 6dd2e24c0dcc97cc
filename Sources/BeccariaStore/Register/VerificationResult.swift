import BeccariaCore
import Foundation
import Postgres
import Signing

/// What a verification found, with the printed fields where they are known.
public struct VerificationResult: Codable, Sendable, Equatable {
  public var verdict: VerificationVerdict
  /// One sentence for people.
  public var explanation: String
  public var serial: String?
  public var kind: CertificateKind?
  public var holderName: String?
  public var birthDate: CalendarDate?
  public var programme: String?
  public var modules: [String]?
  public var completedOn: CalendarDate?
  public var issuedOn: CalendarDate?
  public var keyID: String?
  public var revokedAt: Date?
  public var revocationReason: String?
  public var supersededBy: String?
  /// The certificate that is valid now, at the end of a chain of re-issues.
  public var currentSerial: String?
  /// "register" (checked against the database) or "offline" (signature only, status unknown).
  public var checkedAgainst: String
  /// When the holder's personal data was erased on request (the register keeps no names then).
  public var holderErasedAt: Date?
  /// For a file that is not the original (`notOriginal`): the verdict of the code it carries
  /// (valid, revoked or superseded), nil when it carries none.
  public var codeVerdict: VerificationVerdict?

  init(_ verdict: VerificationVerdict, _ explanation: String, checkedAgainst: String) {
    self.verdict = verdict
    self.explanation = explanation
    self.checkedAgainst = checkedAgainst
  }

  /// Revocation, supersession and the current certificate of a register entry.
  mutating func status(from entry: CertificateVerifier.RegisterEntry) {
    if entry.recordedStatus == .revoked {
      revokedAt = entry.event?.at ?? entry.revokedAt
      revocationReason = entry.event?.reason ?? entry.revocationReason
    }
    supersededBy = entry.supersededBy
    currentSerial = entry.currentSerial ?? (entry.recordedStatus == .valid ? entry.serial : nil)
  }

  mutating func fill(from claim: CertificateClaim) {
    serial = claim.serial
    kind = claim.kind
    holderName = claim.holderName
    birthDate = claim.birthDate
    programme = tr("%@ (version %@)", claim.programmeCode, claim.programmeVersion)
    modules = claim.modules.map { "Modul \($0.number): \($0.ue) UE" }
    completedOn = claim.completedOn
    issuedOn = claim.issuedOn
    keyID = claim.keyID
  }
}
