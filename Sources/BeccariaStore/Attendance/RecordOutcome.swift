import BeccariaCore
import Foundation
import Postgres

/// What recording one attendance did.
public enum RecordOutcome: Sendable, Equatable {
  case recorded(ue: Decimal)
  case corrected(previousStatus: AttendanceStatus, previousUE: Decimal, ue: Decimal)
  /// The status and UE were recorded so already; only the note changed.
  case noteChanged
  case unchanged
}
