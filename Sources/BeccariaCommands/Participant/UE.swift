import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

enum UE {
  /// `16`, `1.5`.
  static func format(_ value: Decimal) -> String {
    let number = NSDecimalNumber(decimal: value).doubleValue
    return number.rounded() == number
      ? String(Int(number))
      : String(format: "%.2f", number)
        .replacingOccurrences(of: "0$", with: "", options: .regularExpression)
  }
}
