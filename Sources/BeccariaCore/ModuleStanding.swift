import Foundation

/// Where a participant stands in one module of one cohort.
public struct ModuleStanding: Sendable, Equatable {
  public var plannedUE: Int
  public var attendedUE: Decimal
  /// UE of sessions without a record yet (to come, or not yet recorded).
  public var openUE: Int
  /// The largest single session still to come (today or later) without a record.
  public var largestOpenSession: Int
  public var threshold: Decimal
  /// Of the open UE, those of sessions whose day is past: nobody recorded them. They are not
  /// reachable any more (the day is gone) and not known to be lost; the report names them.
  public var pastUnrecordedUE: Int
  public var pastUnrecordedSessions: Int

  public init(
    plannedUE: Int, attendedUE: Decimal, openUE: Int, largestOpenSession: Int, threshold: Decimal, pastUnrecordedUE: Int = 0,
    pastUnrecordedSessions: Int = 0
  ) {
    self.plannedUE = plannedUE
    self.attendedUE = attendedUE
    self.openUE = openUE
    self.largestOpenSession = largestOpenSession
    self.threshold = threshold
    self.pastUnrecordedUE = pastUnrecordedUE
    self.pastUnrecordedSessions = pastUnrecordedSessions
  }

  /// UE needed: the threshold's share of all planned UE.
  public var neededUE: Decimal { threshold * Decimal(plannedUE) }
  /// UE still to come without a record.
  public var futureUE: Int { openUE - pastUnrecordedUE }
  /// UE at most reachable by attending every session still to come (past sessions without a
  /// record count as not reachable: their day is gone).
  public var reachableUE: Decimal { attendedUE + Decimal(futureUE) }

  /// UE already lost: recorded sessions, or parts of them, not attended.
  public var lostUE: Decimal { Decimal(plannedUE) - attendedUE - Decimal(openUE) }

  /// The early-warning verdict. "One miss from failing" is only said of someone who has already
  /// lost UE (or has past sessions without a record): when the rules leave no room for a single
  /// missed session (80 % of four 8-UE days), it would otherwise flag everyone from the first day.
  public var risk: Risk {
    if plannedUE > 0 && attendedUE >= neededUE { return .passed }
    if reachableUE < neededUE { return .cannotPass }
    if futureUE > 0 && (lostUE > 0 || pastUnrecordedUE > 0) && reachableUE - Decimal(largestOpenSession) < neededUE {
      return .oneMissFromFailing
    }
    return .onTrack
  }

  public enum Risk: String, Sendable, Codable {
    /// The threshold is met.
    case passed
    /// Not met yet, reachable with room for at least one more missed session.
    case onTrack = "on-track"
    /// Missing one more session (the largest still open) would make it unreachable.
    case oneMissFromFailing = "one-miss-from-failing"
    /// Unreachable even by attending everything still open.
    case cannotPass = "cannot-pass"
  }
}

extension Decimal {
  /// Rounded up to a whole number.
  public var roundedUp: Decimal {
    var value = self
    var result = Decimal()
    NSDecimalRound(&result, &value, 0, .up)
    return result
  }
}
