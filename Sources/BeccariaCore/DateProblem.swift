import Foundation

/// A date that could not be read.
public struct DateProblem: Error, CustomStringConvertible, Equatable {
  public var text: String
  /// False when the form is right but no such day exists (31.02.1980).
  public var inCalendar = true
  public init(text: String, inCalendar: Bool = true) {
    self.text = text
    self.inCalendar = inCalendar
  }
  public var description: String {
    if text.isEmpty { return tr("must not be empty") }
    if !inCalendar { return tr("\"%@\" is no day of the calendar (check day and month)", text) }
    return tr("\"%@\" is not a date (use YYYY-MM-DD or DD.MM.YYYY)", text)
  }
}
