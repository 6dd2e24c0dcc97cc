import BeccariaCore
import Foundation

/// Who reads the screen: whether dates and numbers are written as in Germany, from the
/// environment as POSIX orders it for formats (`LC_ALL`, then `LC_TIME`/`LC_NUMERIC`, then
/// `LANG`; POSIX.1-2017, 8.2). Machine formats (JSON, `--format csv`) never follow it.
enum Reader {
  /// Whether the reader's conventions are German (a locale whose language is `de`).
  /// False while `Localisation.inEnglish` runs: machine texts use English conventions then.
  static var german: Bool { Localisation.isForced ? false : fromEnvironment }

  private static let fromEnvironment: Bool = {
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

  /// How a workbook shows days (an Excel number format).
  static var spreadsheetDayFormat: String { german ? "dd.mm.yyyy" : "yyyy-mm-dd" }

  /// A day without its year, for narrow headings: `09.01.` or `01-09`.
  static func shortDate(_ day: CalendarDate) -> String {
    german ? String(format: "%02d.%02d.", day.day, day.month) : String(format: "%02d-%02d", day.month, day.day)
  }

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
    // Half up, as a spreadsheet rounds what it shows (81.25 % → 81.3 %), in decimal arithmetic.
    var exact = value
    var rounded = Decimal()
    NSDecimalRound(&rounded, &exact, places, .plain)
    return NSDecimalNumber(decimal: rounded).stringValue
  }

  /// A share (0.969) as a percentage with one decimal: `96,9 %` or `96.9 %`.
  static func percent(_ share: Decimal) -> String { number(share * 100, places: 1) + " %" }
}
