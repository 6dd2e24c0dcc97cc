import Foundation

/// A person to be registered as participant, validated.
public struct ParticipantDraft: Codable, Sendable, Equatable {
  public var familyName: String
  public var givenNames: String
  public var birthDate: CalendarDate
  public var email: String
  public var municipality: AGS
  public var organisation: String?
  public var function: String?

  public init(
    familyName: String, givenNames: String, birthDate: CalendarDate, email: String,
    municipality: AGS, organisation: String?, function: String?
  ) {
    self.familyName = familyName
    self.givenNames = givenNames
    self.birthDate = birthDate
    self.email = email
    self.municipality = municipality
    self.organisation = organisation
    self.function = function
  }
}
