import BeccariaCore
import BeccariaStore
import Documents
import Files
import Foundation
import Logging
import Postgres
import Signing

/// Something a run reports while it works.
public enum CertificateRunEvent: Sendable {
  case started(runID: CertificateRunID?, due: Int)
  case issued(IssuedCertificate)
  case failed(participant: ParticipantID, reason: String)
  case exported(path: String)
}
