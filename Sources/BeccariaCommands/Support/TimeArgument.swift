import ArgumentParser
import BeccariaCore
import Foundation

/// An `HH:MM` clock time, as minutes since midnight.
struct TimeArgument: ExpressibleByArgument {
  var minutes: Int
  init(minutes: Int) { self.minutes = minutes }
  var defaultValueDescription: String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
  init?(argument: String) {
    guard let minutes = Validation.time(argument) else { return nil }
    self.minutes = minutes
  }
}
