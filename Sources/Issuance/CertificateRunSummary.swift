import BeccariaCore
import BeccariaStore
import Documents
import Files
import Foundation
import Logging
import Postgres
import Signing

/// What a run did.
public struct CertificateRunSummary: Sendable {
  public var runID: CertificateRunID?
  public var issued: [IssuedCertificate] = []
  public var planned: [PlannedCertificate] = []
  /// In a dry run: certificates the rules would make due that a revoked one holds back, as
  /// sentences naming the participant.
  public var blocked: [String] = []
  public var failures: [String] = []
  public var cohortsEnded = 0
  public var exported = 0
  public var reapedRuns: [CertificateRunID] = []
  public var checked = 0
  public var seconds: Double = 0
  /// The audit chain's head after the run, to keep outside the database (a later
  /// `audit verify --head` shows whether the chain was rewritten since).
  public var auditHead: AuditChainHead?
}
