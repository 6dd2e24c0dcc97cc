import Foundation

/// A municipality of the register, keyed by its AGS.
public struct Municipality: Codable, Sendable, Equatable {
  public var ags: AGS
  public var name: String
  public var district: String?
  /// Date the ASSKomm cooperation agreement was signed; nil for non-members.
  public var asskommMemberSince: CalendarDate?

  public init(ags: AGS, name: String, district: String?, asskommMemberSince: CalendarDate?) {
    self.ags = ags
    self.name = name
    self.district = district
    self.asskommMemberSince = asskommMemberSince
  }
}

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

/// Status of an enrolment; mirrors the CHECK `enrolment_status_known`.
public enum EnrolmentStatus: String, Codable, Sendable, CaseIterable {
  case enrolled, waiting, withdrawn, transferred
}

/// Whether an enrolment is for the whole programme or for single modules.
public enum EnrolmentScope: String, Codable, Sendable {
  case programme, modules
}

/// Attendance status of one participant at one session; mirrors `attendance_status_known`.
public enum AttendanceStatus: String, Codable, Sendable, CaseIterable {
  case present, late, excused, absent
}
