import BeccariaCore
import BeccariaStore
import Documents
import Files
import Foundation
import Postgres
import Signing

/// A certificate a dry run would issue.
public struct PlannedCertificate: Sendable, Equatable, Codable {
  public var participantID: ParticipantID
  public var holderName: String
  public var kind: CertificateKind
  public var module: Int?
  public var completedOn: CalendarDate
  public var reason: String
}
