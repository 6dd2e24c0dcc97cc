import Foundation

/// What a certificate's QR code holds: `BQ1.<claim>.<signature>` (both base64url without
/// padding), behind the configurable verification URL prefix as the query parameter `c`.
public struct VerificationPayload: Sendable, Equatable {
  public static let marker = "BQ1"

  public var claimBytes: Data
  public var signature: Data

  public init(claimBytes: Data, signature: Data) {
    self.claimBytes = claimBytes
    self.signature = signature
  }

  /// The token alone.
  public var token: String { "\(Self.marker).\(Base64URL.encode(claimBytes)).\(Base64URL.encode(signature))" }

  /// The token behind a verification URL prefix (`https://example.org/pruefen` becomes
  /// `https://example.org/pruefen?c=BQ1....`).
  public func url(prefix: String) -> String {
    prefix + (prefix.contains("?") ? "&" : "?") + "c=" + token
  }

  /// Parses a payload as scanned: a URL with `c=BQ1....` or the bare token.
  public static func parse(_ text: String) throws -> VerificationPayload {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard let start = trimmed.range(of: marker + ".") else {
      throw MalformedPayload("this is not a certificate code: it holds no \(marker) token")
    }
    var token = trimmed[start.lowerBound...]
    if let end = token.firstIndex(where: { $0 == "&" || $0 == "#" || $0.isWhitespace }) { token = token[..<end] }
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let claim = Base64URL.decode(String(parts[1])), let signature = Base64URL.decode(String(parts[2])),
      !claim.isEmpty, signature.count == 64
    else { throw MalformedPayload("the certificate code is damaged: its token cannot be read (\(token.prefix(40))…)") }
    return VerificationPayload(claimBytes: claim, signature: signature)
  }
}
