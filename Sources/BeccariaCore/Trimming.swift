import Foundation

extension StringProtocol {
  /// `trimmingCharacters(in: .whitespaces)` (with `newlines`, `.whitespacesAndNewlines`)
  /// without Foundation's round trip through NSString when neither end can be trimmed: a letter
  /// or a visible ASCII character is in neither set. Imports trim every field of every row, and
  /// Foundation's trimming was most of the time a participant import took.
  public func trimmedFast(newlines: Bool = false) -> String {
    func keeps(_ scalar: Unicode.Scalar) -> Bool {
      (0x21...0x7E).contains(scalar.value) || scalar.properties.isAlphabetic
    }
    guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return "" }
    if keeps(first) && keeps(last) { return String(self) }
    return trimmingCharacters(in: newlines ? .whitespacesAndNewlines : .whitespaces)
  }
}
