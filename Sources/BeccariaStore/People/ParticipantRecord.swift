import BeccariaCore
import Foundation
import Postgres

/// A participant's attendance in one module of one cohort, against all sessions planned for it.
public struct ModuleProgress: Codable, Sendable, Equatable {
  public var course: String
  public var module: Int
  public var moduleTitle: String
  public var plannedUE: Int
  public var attendedUE: Decimal
  public var recordedSessions: Int
  public var sessions: Int
  public var threshold: Decimal
  /// attended / planned (0 when nothing is planned).
  public var share: Decimal {
    plannedUE == 0 ? 0 : attendedUE / Decimal(plannedUE)
  }
  public var thresholdMet: Bool { plannedUE > 0 && attendedUE >= threshold * Decimal(plannedUE) }
}
