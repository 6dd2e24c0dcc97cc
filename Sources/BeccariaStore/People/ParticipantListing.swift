import BeccariaCore
import Foundation
import Postgres

/// A participant as listed.
public struct ParticipantListing: Codable, Sendable, Equatable {
  public var id: ParticipantID
  public var familyName: String
  public var givenNames: String
  public var birthDate: CalendarDate?
  public var email: String?
  public var municipalityAGS: String?
  public var municipality: String?
  public var organisation: String?
  public var function: String?
  public var erased: Bool

  /// "Family, Given".
  public var displayName: String { "\(familyName), \(givenNames)" }
}
