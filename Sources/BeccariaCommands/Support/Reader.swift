import BeccariaCore
import Foundation

/// Who reads the screen: whether dates and numbers are written as in Germany, from the
/// environment as POSIX orders it for formats (`LC_ALL`, then `LC_TIME`/`LC_NUMERIC`, then
/// `LANG`; POSIX.1-2017, 8.2). Machine formats (JSON, `--format csv`) never follow it.
enum Reader {
  /// Whether the reader's conventions are German (a locale whose language is `de`).
  static let german: Bool = {
    let environment = ProcessInfo.processInfo.environment
    for key in ["LC_ALL", "LC_TIME", "LC_NUMERIC", "LANG"] {
      if let value = environment[key], !value.isEmpty { return isGerman(value) }
    }
    return false
  }()

  /// `de`, `de_DE`, `de_DE.UTF-8`, `de_AT@euro`: German.
  static func isGerman(_ locale: String) -> Bool {
    locale == "de" || locale.hasPrefix("de_") || locale.hasPrefix("de.") || locale.hasPrefix("de@")
  }

  /// A day: `09.01.2027` for a German reader, `2027-01-09` otherwise.
  static func date(_ day: CalendarDate) -> String { german ? day.german : day.description }

  /// A moment in Berlin time: `09.01.2027 14:05` or `2027-01-09 14:05`.
  static func dateTime(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = .berlin
    let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
    guard let year = parts.year, let month = parts.month, let day = parts.day, let hour = parts.hour, let minute = parts.minute
    else { return "" }
    let time = String(format: "%02d:%02d", hour, minute)
    return german
      ? String(format: "%02d.%02d.%04d ", day, month, year) + time : String(format: "%04d-%02d-%02d ", year, month, day) + time
  }

  /// A log line's moment in Berlin time, to the second: `30.11.2026 16:09:35` or
  /// `2026-11-30 16:09:35`.
  static func logTime(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = .berlin
    let second = calendar.component(.second, from: date)
    return dateTime(date) + String(format: ":%02d", second)
  }

  /// A number with at most `places` decimals, trailing zeros dropped: `6,5` or `6.5`.
  static func number(_ value: Decimal, places: Int = 2) -> String {
    let machine = machineNumber(value, places: places)
    return german ? machine.replacingOccurrences(of: ".", with: ",") : machine
  }

  /// `6.5`, `16`: the form of CSV and JSON.
  static func machineNumber(_ value: Decimal, places: Int = 2) -> String {
    let number = NSDecimalNumber(decimal: value).doubleValue
    if number.rounded() == number { return String(Int(number)) }
    var text = String(format: "%.\(places)f", number)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
  }

  /// A share (0.969) as a percentage with one decimal: `96,9 %` or `96.9 %`.
  static func percent(_ share: Decimal) -> String { number(share * 100, places: 1) + " %" }
}
