import BeccariaCore
import Crypto
import Foundation

/// The public half of an issuing key: what verifiers hold.
public struct PublicSigningKey: Sendable, Equatable {
  public let keyID: String
  public let rawRepresentation: Data
  /// The German day the key was retired, if it was: it signs nothing dated later. Travels with
  /// the exported PEM (its comment line), so that offline verification knows it too.
  public var retiredOn: CalendarDate?

  public init(rawRepresentation: Data, retiredOn: CalendarDate? = nil) throws {
    guard rawRepresentation.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation)) != nil else {
      throw KeyError(tr("an Ed25519 public key has 32 bytes"))
    }
    self.rawRepresentation = rawRepresentation
    self.keyID = Self.keyID(for: rawRepresentation)
    self.retiredOn = retiredOn
  }

  /// A key whose bytes come from a private key just derived (always 32 valid bytes).
  init(derived rawRepresentation: Data) {
    self.rawRepresentation = rawRepresentation
    self.keyID = Self.keyID(for: rawRepresentation)
  }

  /// A key's id is derived from the key itself (`k-` and 16 hex digits of its SHA-256), so an id
  /// can never name two keys.
  public static func keyID(for raw: Data) -> String {
    "k-" + Digits.hex(SHA256.hash(data: raw).prefix(8))
  }

  /// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410).
  static let spkiPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]

  /// The key as a PEM "PUBLIC KEY" (readable by OpenSSL), with its id (and its retirement day,
  /// `retired YYYY-MM-DD`) as a comment line.
  public var pem: String {
    PEM.encode(
      label: "PUBLIC KEY", der: Data(Self.spkiPrefix) + rawRepresentation,
      comment: "beccaria key id \(keyID)" + (retiredOn.map { " retired \($0)" } ?? ""))
  }

  /// Every public key in a PEM text (`keys export-public` writes several into one file).
  public static func all(pem text: String) throws -> [PublicSigningKey] {
    let blocks = text.components(separatedBy: "-----END PUBLIC KEY-----").dropLast()
    guard !blocks.isEmpty else { throw KeyError(tr("no PEM public key found")) }
    return try blocks.map { try PublicSigningKey(pem: $0 + "-----END PUBLIC KEY-----") }
  }

  /// One PEM block; a comment line before it may name the key's retirement day.
  public init(pem text: String) throws {
    let der = try PEM.decode(label: "PUBLIC KEY", from: text)
    guard der.count == Self.spkiPrefix.count + 32, der.prefix(Self.spkiPrefix.count).elementsEqual(Self.spkiPrefix) else {
      throw KeyError(tr("the PEM block is not an Ed25519 public key"))
    }
    let header = text.components(separatedBy: "-----BEGIN PUBLIC KEY-----").first ?? ""
    var retired: CalendarDate?
    if let range = header.range(of: #"retired [0-9]{4}-[0-9]{2}-[0-9]{2}"#, options: .regularExpression) {
      retired = CalendarDate(iso: String(header[range].dropFirst("retired ".count)))
    }
    try self.init(rawRepresentation: der.suffix(32), retiredOn: retired)
  }

  /// Whether `signature` is this key's signature over `message`.
  public func isValidSignature(_ signature: Data, for message: Data) -> Bool {
    guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation) else { return false }
    return key.isValidSignature(signature, for: message)
  }
}
