import Foundation

/// Checks of single input values. Each returns why the value is wrong, as a phrase that completes
/// "column "x": ...", or nil when it is fine.
public enum Validation {
  /// Names: not empty, at most 200 characters, none of the control or invisible characters of
  /// `InertText` (which the database refuses too).
  public static func name(_ text: String, maxLength: Int = 200) -> String? {
    let trimmed = text.trimmedFast(newlines: true)
    if trimmed.isEmpty { return tr("must not be empty") }
    if trimmed.count > maxLength { return tr("is %@ characters long; at most %@ are allowed", trimmed.count, maxLength) }
    // The whole text: Foundation's whitespace set, which trimming uses, includes U+200B.
    if let scalar = InertText.firstControl(in: text) {
      return tr("contains the control or invisible character %@", InertText.name(scalar))
    }
    return spreadsheetFormula(text)
  }

  /// Why a value is refused wherever it comes from: it starts, after any leading spaces, like a
  /// spreadsheet formula (`=`, `+`, `@`, or `-` not followed by a plain number), which would run
  /// when the data is opened in a spreadsheet again (OWASP, "CSV Injection"). Nil otherwise.
  public static func spreadsheetFormula(_ value: String) -> String? {
    let text = value.drop { $0 == " " || $0 == "\u{A0}" }
    guard let first = text.unicodeScalars.first else { return nil }
    guard first == "=" || first == "+" || first == "@" || first == "\t" || first == "\r" || first == "-" else { return nil }
    if first == "-" {
      let number = text.dropFirst().trimmedFast()
      if !number.isEmpty && number.allSatisfy({ $0.isNumber || $0 == "," || $0 == "." }) { return nil }
    }
    let shown = String(first).replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\r", with: "\\r")
    return tr(
      "starts with \"%@\" like a spreadsheet formula (%@…); such values are refused", shown, String(text.prefix(30)))
  }

  /// E-mail addresses that can be mailed (`isMailable`), without control or invisible characters.
  public static func email(_ text: String) -> String? {
    let trimmed = text.trimmedFast()
    if trimmed.isEmpty { return tr("must not be empty") }
    guard isMailable(trimmed), InertText.firstControl(in: text) == nil
    else { return tr("\"%@\" is not an e-mail address", trimmed) }
    return nil
  }

  /// Whether `address` can be mailed: dot-atoms around one `@` (RFC 5322 § 3.4.1, without quoted
  /// strings, comments or literals), non-ASCII letters allowed (RFC 6531), a domain of two labels
  /// or more none of which starts with `-` or `_`, at most 64 + 1 + 253 characters. Whitespace,
  /// control characters and the separators of address headers (`<>()[],;:"\`) are refused, so an
  /// address can never become two or add a header. The same rule as the database's
  /// `beccaria_mail_address_ok` (schema 0024).
  /// Which ASCII characters an address's atoms may hold: visible ones but the separators.
  private static let asciiInAddress: [Bool] = (0..<128).map { value in
    value > 0x20 && value < 0x7F && !"<>()[],;:\"\\@".unicodeScalars.contains { $0.value == value }
  }

  public static func isMailable(_ address: String) -> Bool {
    func allowed(_ scalar: Unicode.Scalar) -> Bool {
      if scalar.value < 0x80 { return asciiInAddress[Int(scalar.value)] }
      return !scalar.properties.isWhitespace && scalar.properties.generalCategory != .control
    }
    func atoms(_ part: Substring) -> [Substring]? {
      let pieces = part.split(separator: ".", omittingEmptySubsequences: false)
      let valid = pieces.allSatisfy { piece in !piece.isEmpty && piece.unicodeScalars.allSatisfy(allowed) }
      return valid ? pieces : nil
    }
    let halves = address.split(separator: "@", omittingEmptySubsequences: false)
    guard halves.count == 2, address.count <= 254, (1...64).contains(halves[0].count), atoms(halves[0]) != nil,
      let labels = atoms(halves[1]), labels.count >= 2
    else { return false }
    return labels.allSatisfy { !$0.hasPrefix("-") && !$0.hasPrefix("_") }
  }

  /// ISO dates (`YYYY-MM-DD`), also accepting the German `DD.MM.YYYY` that spreadsheets write.
  public static func date(_ text: String) -> Result<CalendarDate, DateProblem> {
    let trimmed = text.trimmedFast()
    if let date = CalendarDate(iso: trimmed) { return .success(date) }
    let german = trimmed.split(separator: ".", omittingEmptySubsequences: false)
    var fields: (year: Int, month: Int, day: Int)?
    if german.count == 3, german[0].count <= 2, german[1].count <= 2, german[2].count == 4,
      let day = Int(german[0]), let month = Int(german[1]), let year = Int(german[2])
    {
      fields = (year, month, day)
    } else {
      let iso = trimmed.split(separator: "-", omittingEmptySubsequences: false)
      if iso.count == 3, iso[0].count == 4, iso[1].count == 2, iso[2].count == 2,
        let year = Int(iso[0]), let month = Int(iso[1]), let day = Int(iso[2])
      {
        fields = (year, month, day)
      }
    }
    guard let fields else { return .failure(DateProblem(text: trimmed)) }
    if let date = CalendarDate(year: fields.year, month: fields.month, day: fields.day) { return .success(date) }
    return .failure(DateProblem(text: trimmed, inCalendar: false))
  }

  /// A birth date must be in the past and plausible for a working adult.
  public static func birthDate(_ date: CalendarDate, today: CalendarDate = .today()) -> String? {
    if date.year < 1900 { return tr("%@ is before 1900", date) }
    if date >= today { return tr("%@ is not in the past", date) }
    if today.year - date.year < 14 { return tr("%@ would make the participant younger than 14", date) }
    return nil
  }

  /// Clock times `HH:MM` → minutes since midnight.
  public static func time(_ text: String) -> Int? {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let hour = Int(parts[0]),
      let minute = Int(parts[1]), (0...23).contains(hour), (0...59).contains(minute)
    else { return nil }
    return hour * 60 + minute
  }
}
