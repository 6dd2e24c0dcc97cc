import Foundation

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
