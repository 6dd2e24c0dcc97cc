import Foundation
import Testing

@testable import Documents

/// Numbers in stamped content streams: what `%.3f` prints, without trailing zeros.
@Suite struct ContentNumberTests {
  @Test func numbersReadAsPrintfWouldWriteThem() {
    var generator = SystemRandomNumberGenerator()
    let samples =
      [0, 1, -1, 0.5, 0.05, 0.005, -0.0004, 12.3456, 841.8898, 595.2756, -73.25, 100, 0.1 + 0.2]
      + (0..<500).map { _ in Double.random(in: -1000...1000, using: &generator) }
    for value in samples {
      var out: [UInt8] = []
      PreparedCertificates.appendNumber(value, to: &out)
      var expected = String(format: "%.3f", value)
      while expected.contains("."), expected.hasSuffix("0") { expected.removeLast() }
      if expected.hasSuffix(".") { expected.removeLast() }
      if expected == "-0" { expected = "0" }
      #expect(String(decoding: out, as: UTF8.self) == expected, "\(value)")
    }
  }
}
