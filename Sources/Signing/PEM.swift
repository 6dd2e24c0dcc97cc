import BeccariaCore
import Crypto
import Foundation

/// PEM armour (RFC 7468).
enum PEM {
  static func encode(label: String, der: Data, comment: String) -> String {
    let body = der.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
    return "# \(comment)\n-----BEGIN \(label)-----\n\(body)\n-----END \(label)-----\n"
  }

  static func decode(label: String, from text: String) throws -> Data {
    guard let begin = text.range(of: "-----BEGIN \(label)-----"), let end = text.range(of: "-----END \(label)-----"),
      begin.upperBound <= end.lowerBound
    else { throw KeyError(tr("no PEM block \"%@\" found", label)) }
    let body = text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
    guard let der = Data(base64Encoded: String(body)) else {
      throw KeyError(tr("the PEM block \"%@\" is not valid base64", label))
    }
    return der
  }
}
