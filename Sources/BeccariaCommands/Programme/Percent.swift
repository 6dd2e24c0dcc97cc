import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

enum Percent {
  /// `0.8` → `80 %`, `0.755` → `75.5 %`.
  static func format(_ share: Decimal) -> String {
    let value = NSDecimalNumber(decimal: share * 100).doubleValue
    let text = value.rounded() == value ? String(Int(value)) : String(format: "%.1f", value)
    return text + " %"
  }
}
