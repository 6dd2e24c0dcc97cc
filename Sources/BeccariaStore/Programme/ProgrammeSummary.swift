import BeccariaCore
import Foundation
import Postgres
import Signing

/// A stored programme version, as listings show it.
public struct ProgrammeSummary: Sendable, Codable, Equatable {
  public var code: String
  public var title: String
  public var version: Int
  public var modules: Int
  public var totalUE: Int
  public var attendanceThreshold: Decimal
  public var loadedAt: Date
  public var versions: Int
  public var courses: Int
}
