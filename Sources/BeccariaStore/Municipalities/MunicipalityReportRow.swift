import BeccariaCore
import Foundation
import Postgres

/// One municipality's part in the programme.
public struct MunicipalityReportRow: Codable, Sendable, Equatable {
  public var ags: String
  public var name: String
  public var district: String?
  public var asskommMemberSince: CalendarDate?
  public var participants: Int
  public var enrolledNow: Int
  public var zertifikate: Int
  public var teilnahmebescheinigungen: Int
  public var lastCertificate: CalendarDate?
}
