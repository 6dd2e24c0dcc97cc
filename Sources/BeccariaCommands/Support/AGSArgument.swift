import ArgumentParser
import BeccariaCore
import Foundation

/// An 8-digit AGS.
struct AGSArgument: ExpressibleByArgument {
  var value: AGS
  init?(argument: String) {
    guard let ags = AGS(argument) else { return nil }
    value = ags
  }
}
