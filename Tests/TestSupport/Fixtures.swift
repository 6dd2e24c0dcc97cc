import BeccariaCore
import BeccariaStore
import Foundation
import Postgres
import ProgrammeLoader

/// Builds the usual starting point of a test through the store API: the shipped programme, a few
/// municipalities, a cohort and participants.
public enum Fixtures {
  public static let dresden = known("14612000")
  public static let bautzen = known("14625020")

  static func known(_ ags: String) -> AGS {
    guard let value = AGS(ags) else { preconditionFailure("\(ags) is no AGS") }
    return value
  }

  /// Loads the shipped programme and registers Dresden and Bautzen.
  public static func programmeAndMunicipalities(_ db: Connection) throws {
    _ = try ProgrammeStore(db).load(try ProgrammeFile.load(path: Checkout.programmeFile))
    _ = try MunicipalityStore(db).upsert(
      [
        Municipality(ags: dresden, name: "Dresden", district: "Dresden", asskommMemberSince: nil),
        Municipality(ags: bautzen, name: "Bautzen", district: "Bautzen", asskommMemberSince: nil),
      ], given: [.district, .asskommMemberSince])
  }

  /// Opens a cohort of the shipped programme.
  @discardableResult
  public static func course(_ db: Connection, code: String, capacity: Int = 25, starts: String = "2026-01-10") throws
    -> CourseListing
  {
    try CourseStore(db).create(
      NewCourse(
        programmeCode: "beccaria-fachkraft", code: code, title: nil, capacity: capacity, venue: "Dresden",
        startsOn: CalendarDate(iso: starts), endsOn: nil))
  }

  /// Registers `count` distinct participants; returns their ids in order.
  public static func participants(_ db: Connection, count: Int, prefix: String = "Person") throws -> [ParticipantID] {
    let drafts = try (0..<count).map { index in
      guard let birth = CalendarDate(year: 1970 + index % 30, month: 1 + index % 12, day: 1) else {
        throw StoreError.invalid("no birth date for participant \(index)")
      }
      return ParticipantDraft(
        familyName: "\(prefix)\(index)", givenNames: "Test",
        birthDate: birth,
        email: "\(prefix.lowercased())\(index)@example.org", municipality: index % 2 == 0 ? dresden : bautzen,
        organisation: nil, function: nil)
    }
    return try ParticipantStore(db).add(drafts, force: false)
  }
}
