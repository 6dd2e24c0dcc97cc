import BeccariaCore
import Foundation
import Postgres

/// What the rules and the document need about one participant and programme.
public struct EligibilityCase: Sendable {
  public var key: DueKey
  public var holderName: String
  public var birthDate: CalendarDate?
  public var erased: Bool
  public var input: EligibilityInput
  /// The title of the first passed project work, which a Zertifikat prints.
  public var projectTitle: String?
  /// The programme version whose texts the documents use.
  public var definition: ProgrammeDefinition
  public var programmeVersionID: ProgrammeVersionID
  /// Course ids by code, for the certificate rows.
  public var courseIDs: [String: CourseID]
}
