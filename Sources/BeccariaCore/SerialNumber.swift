import Foundation

/// Serial numbers `BQ-<year>-<6 digits>`.
public enum SerialNumber {
  public static func make(year: Int, number: Int) -> String {
    "BQ-\(Digits.padded(year, 4))-\(Digits.padded(number, 6))"
  }

  public static func parse(_ serial: String) -> (year: Int, number: Int)? {
    let parts = serial.split(separator: "-")
    guard parts.count == 3, parts[0] == "BQ", parts[1].count == 4, parts[2].count == 6,
      let year = Int(parts[1]), let number = Int(parts[2])
    else { return nil }
    return (year, number)
  }
}
