import ArgumentParser
import BeccariaCore
import Foundation

/// A `YYYY-MM-DD` date given on the command line.
struct DateArgument: ExpressibleByArgument {
  var value: CalendarDate
  init?(argument: String) {
    guard case .success(let date) = Validation.date(argument) else { return nil }
    value = date
  }
  static var defaultCompletionKind: CompletionKind { .default }

  /// The years a programme's events (sessions, cohorts, assessments) fall in; the database holds
  /// the same rule (schema 0022).
  static let eventYears = 2000...2099

  /// Refuses a day outside `eventYears` for `option` (a session on 0001-01-06 is a slip).
  func requireEventDay(_ option: String) throws {
    guard Self.eventYears.contains(value.year) else {
      throw ValidationError(
        tr(
          "%@ %@ is outside the years a programme runs (%@–%@).", option, value, Self.eventYears.lowerBound,
          Self.eventYears.upperBound))
    }
  }
}
