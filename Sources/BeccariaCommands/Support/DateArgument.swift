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
}
