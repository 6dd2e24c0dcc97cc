import BeccariaCore
import Foundation

/// Times as people in Germany read them: Europe/Berlin, whatever the machine's zone.
enum GermanTime {
  private static let formatter: DateFormatter = {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "de_DE")
    formatter.timeZone = .berlin
    formatter.dateFormat = "dd.MM.yyyy HH:mm"
    return formatter
  }()
  private static let lock = NSLock()

  /// `25.11.2026 12:15`.
  static func dateTime(_ date: Date) -> String {
    lock.lock()
    defer { lock.unlock() }
    return formatter.string(from: date)
  }
}
