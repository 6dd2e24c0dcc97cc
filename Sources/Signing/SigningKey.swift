import BeccariaCore
import Crypto
import Foundation

/// The private issuing key (Ed25519). It lives in a file outside the database, readable only by
/// its owner; the database knows only the public half.
public struct SigningKey: Sendable {
  let privateKey: Curve25519.Signing.PrivateKey
  public let publicKey: PublicSigningKey

  public var keyID: String { publicKey.keyID }

  /// The encoding `seal` signs claims in: the compact one (BQ2). Tests set `.json` to issue
  /// certificates as they were printed before schema 0023, whose codes must stay verifiable.
  public var claimEncoding: CertificateClaim.Encoding = .current

  init(_ privateKey: Curve25519.Signing.PrivateKey) {
    self.privateKey = privateKey
    self.publicKey = PublicSigningKey(derived: privateKey.publicKey.rawRepresentation)
  }

  public static func generate() -> SigningKey { SigningKey(Curve25519.Signing.PrivateKey()) }

  /// DER prefix of an Ed25519 PKCS #8 PrivateKeyInfo (RFC 8410).
  static let pkcs8Prefix: [UInt8] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
  ]

  /// PKCS #8 PEM (readable by OpenSSL).
  public var pem: String {
    PEM.encode(
      label: "PRIVATE KEY", der: Data(Self.pkcs8Prefix) + privateKey.rawRepresentation, comment: "beccaria key id \(keyID)")
  }

  public init(pem text: String) throws {
    let der = try PEM.decode(label: "PRIVATE KEY", from: text)
    guard der.count == Self.pkcs8Prefix.count + 32, der.prefix(Self.pkcs8Prefix.count).elementsEqual(Self.pkcs8Prefix),
      let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32))
    else { throw KeyError(tr("the PEM block is not an Ed25519 private key")) }
    self.init(key)
  }

  /// Reads a private key file; refuses one that others than its owner can read.
  public static func load(path: String) throws -> SigningKey {
    let attributes: [FileAttributeKey: Any]
    do {
      attributes = try FileManager.default.attributesOfItem(atPath: path)
    } catch {
      throw KeyError(
        tr(
          "the signing key %@ does not exist: give the registered key's file with --signing-key FILE or BECCARIA_SIGNING_KEY (`beccaria keys list` shows the registered keys; `beccaria keys generate --output FILE` makes a new one)",
          path))
    }
    if let permissions = (attributes[.posixPermissions] as? NSNumber)?.intValue, permissions & 0o077 != 0 {
      throw KeyError(
        tr(
          "the signing key %@ is readable by others (mode %@); run `chmod 600 %@`", path, String(permissions & 0o777, radix: 8),
          path))
    }
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw KeyError(tr("the signing key %@ cannot be read", path))
    }
    do {
      return try SigningKey(pem: text)
    } catch let error as KeyError {
      throw KeyError("\(path): \(error.description)")
    }
  }

  /// Writes the key to a new file with mode 0600; an existing file is never overwritten.
  public func write(to path: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else {
      let reason = errno == EEXIST ? tr("it already exists (a key is never overwritten)") : String(cString: strerror(errno))
      throw KeyError(tr("cannot create %@: %@", path, reason))
    }
    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    try handle.write(contentsOf: Data(pem.utf8))
    try handle.synchronize()
    _ = fchmod(descriptor, 0o600)
  }

  public func sign(_ message: Data) throws -> Data { try privateKey.signature(for: message) }

  /// Seals `draft` with `serial`, signed by this key. Throws `KeyError` when the draft was made
  /// for another key (its key id is printed).
  public func seal(_ draft: CertificateDraft, serial: String) throws -> SealedCertificate {
    guard draft.fields.keyID == keyID else {
      throw KeyError(tr("the draft names key %@, not %@", draft.fields.keyID ?? "none", keyID))
    }
    return try draft.sealed(serial: serial) { try sign($0, encoding: claimEncoding) }
  }

  /// Signs a certificate's claim in `encoding` (new certificates: the compact one): the payload
  /// its QR code carries.
  public func sign(_ claim: CertificateClaim, encoding: CertificateClaim.Encoding = .current) throws -> VerificationPayload {
    let bytes = try claim.bytes(encoding)
    return VerificationPayload(claimBytes: bytes, signature: try sign(bytes), encoding: encoding)
  }
}
