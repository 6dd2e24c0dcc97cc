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
