import Foundation

/// What a certificate's QR code holds, behind the programme's verification URL:
///
/// - `BQ2.<signature><claim>`, both as decimal digits (`DecimalBytes`; the 64-byte signature is
///   always 156 digits, so no separator is needed and the digits form one QR segment), the claim
///   in its compact encoding, after `#c=`: `https://…/pruefen#c=BQ2.…`. A URL's fragment is never sent to a
///   server, so the holder's name and birth date reach no log, proxy or Referer header; and
///   digits fill a QR symbol's numeric mode, which office scanners read at 150 dpi.
/// - `BQ1.<claim>.<signature>`, both base64url without padding, the claim as JSON, after `?c=`:
///   certificates printed before schema 0023. They stay verifiable.
public struct VerificationPayload: Sendable, Equatable {
  /// The marker of JSON tokens (certificates printed before schema 0023).
  public static let marker = "BQ1"
  /// The marker of compact tokens.
  public static let compactMarker = "BQ2"

  /// The encoding of `claimBytes`, which the token's marker names.
  public var encoding: CertificateClaim.Encoding
  public var claimBytes: Data
  /// The Ed25519 signature of `claimBytes` (64 bytes).
  public var signature: Data

  public init(claimBytes: Data, signature: Data, encoding: CertificateClaim.Encoding = .json) {
    self.encoding = encoding
    self.claimBytes = claimBytes
    self.signature = signature
  }

  /// The token alone.
  public var token: String {
    switch encoding {
    case .json: "\(Self.marker).\(Base64URL.encode(claimBytes)).\(Base64URL.encode(signature))"
    case .compact: "\(Self.compactMarker).\(DecimalBytes.encode(signature))\(DecimalBytes.encode(claimBytes))"
    }
  }

  /// The claim the token carries, decoded in its encoding.
  public func claim() throws -> CertificateClaim { try CertificateClaim.decode(claimBytes, encoding: encoding) }

  /// The token behind a verification URL prefix: `https://example.org/pruefen#c=BQ2....` for a
  /// compact token (a prefix's own fragment is replaced), `https://example.org/pruefen?c=BQ1....`
  /// for a JSON one.
  public func url(prefix: String) -> String {
    switch encoding {
    case .json: prefix + (prefix.contains("?") ? "&" : "?") + "c=" + token
    case .compact: String(prefix.prefix { $0 != "#" }) + "#c=" + token
    }
  }

  /// Parses a payload as scanned or typed: a URL with `c=BQ2.…` or `c=BQ1.…` (in its query or
  /// fragment) or the bare token. Throws `MalformedPayload` when no token is there or it cannot
  /// be read.
  public static func parse(_ text: String) throws -> VerificationPayload {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    let found = [(compactMarker, CertificateClaim.Encoding.compact), (marker, .json)].compactMap { marker, encoding in
      trimmed.range(of: marker + ".").map { ($0, encoding) }
    }.min { $0.0.lowerBound < $1.0.lowerBound }
    guard let (start, encoding) = found else {
      throw MalformedPayload(tr("this is not a certificate code: it holds no %@ or %@ token", compactMarker, marker))
    }
    var token = trimmed[start.lowerBound...]
    if let end = token.firstIndex(where: { $0 == "&" || $0 == "#" || $0.isWhitespace }) { token = token[..<end] }
    let damaged = MalformedPayload(
      tr("the certificate code is damaged: its token cannot be read (%@…)", String(token.prefix(40))))
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    switch encoding {
    case .json:
      guard parts.count == 3, let claim = Base64URL.decode(String(parts[1])), let signature = Base64URL.decode(String(parts[2])),
        !claim.isEmpty, signature.count == 64
      else { throw damaged }
      return VerificationPayload(claimBytes: claim, signature: signature, encoding: .json)
    case .compact:
      let digits = parts.count == 2 ? parts[1] : ""
      guard digits.utf8.count > Self.signatureDigits, let signature = DecimalBytes.decode(digits.prefix(Self.signatureDigits)),
        let claim = DecimalBytes.decode(digits.dropFirst(Self.signatureDigits)), signature.count == 64
      else { throw damaged }
      return VerificationPayload(claimBytes: claim, signature: signature, encoding: .compact)
    }
  }

  /// Digits of a 64-byte signature in a BQ2 token.
  static let signatureDigits = 156
}
