import BeccariaCore
import BeccariaStore
import Documents
import Files
import Foundation
import Postgres
import Signing

/// One certificate issued (committed) by a run.
public struct IssuedCertificate: Sendable, Equatable, Codable {
  public var id: CertificateID
  public var serial: String
  public var kind: CertificateKind
  public var module: Int?
  public var participantID: ParticipantID
  public var holderName: String
  public var sha256: String
  public var year: Int
}
