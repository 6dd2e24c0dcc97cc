import BeccariaCore
import Foundation
import Postgres

/// A stored certificate as listed.
public struct CertificateListing: Codable, Sendable, Equatable {
  public var serial: String
  public var kind: CertificateKind
  public var module: Int?
  public var participantID: ParticipantID
  public var holderName: String
  public var status: CertificateStatus
  public var issuedAt: Date
  public var completedOn: CalendarDate
  public var sha256: String
  public var runID: CertificateRunID?
}
