import BeccariaCore
import Foundation
import Postgres

// Core's values as the libpq wrapper binds and decodes them, so that SQL takes `\(participant)`
// and `row.decode("id", as: ParticipantID.self)` without unwrapping: typed ids as bigint, German
// calendar days as date, AGS and the status enums as text (an unknown spelling is a decoding
// error naming the column).

extension ID: PostgresEncodable, PostgresDecodable {
  public static var postgresType: PostgresType { .int8 }
  public var postgresBind: PostgresBind { rawValue.postgresBind }
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> ID {
    ID(try Int64.decode(text: text, type: type, column: column))
  }
}

extension CalendarDate: PostgresEncodable, PostgresDecodable {
  public static var postgresType: PostgresType { PostgresDate.postgresType }
  public var postgresBind: PostgresBind { postgres.postgresBind }
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> CalendarDate {
    let date = try PostgresDate.decode(text: text, type: type, column: column)
    guard let day = CalendarDate(year: date.year, month: date.month, day: date.day) else {
      throw malformed(text, column)
    }
    return day
  }
}

extension AGS: PostgresEncodable, PostgresDecodable {
  public static var postgresType: PostgresType { .text }
  public var postgresBind: PostgresBind { value.postgresBind }
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> AGS {
    guard let ags = AGS(try String.decode(text: text, type: type, column: column)) else { throw malformed(text, column) }
    return ags
  }
}

/// A text column whose values a CHECK constraint lists, read as the Swift enum of those values.
public protocol PostgresTextEnum: RawRepresentable<String>, PostgresEncodable, PostgresDecodable {}

extension PostgresTextEnum {
  public static var postgresType: PostgresType { .text }
  public var postgresBind: PostgresBind { rawValue.postgresBind }
  public static func decode(text: Substring, type: PostgresType, column: String) throws -> Self {
    guard let value = Self(rawValue: try String.decode(text: text, type: type, column: column)) else {
      throw malformed(text, column)
    }
    return value
  }
}

extension CertificateStatus: PostgresTextEnum {}
extension CertificateKind: PostgresTextEnum {}
extension CourseStatus: PostgresTextEnum {}
extension RunStatus: PostgresTextEnum {}
extension AssessmentKind: PostgresTextEnum {}
extension AssessmentResult: PostgresTextEnum {}
extension ExportFileKind: PostgresTextEnum {}
extension EnrolmentStatus: PostgresTextEnum {}
extension EnrolmentScope: PostgresTextEnum {}
extension AttendanceStatus: PostgresTextEnum {}
