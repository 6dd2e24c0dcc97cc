import BeccariaCore
import Foundation
import Postgres

/// A municipality as listed, with its count of participants and certified specialists.
public struct MunicipalityListing: Codable, Sendable, Equatable {
  public var ags: String
  public var name: String
  public var district: String?
  public var asskommMemberSince: CalendarDate?
  public var participants: Int
}
