import BeccariaCore
import Foundation
import Postgres
import Signing

/// The public keys the database knows: certificates may only be signed with a registered, not
/// retired key, and verification finds keys here.
public struct SigningKeyStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// Registers the key; false when it was registered already (then nothing changes). The key
  /// id is derived from the public key, so the same id is the same key.
  @discardableResult
  public func register(_ key: PublicSigningKey, label: String?) throws -> Bool {
    try connection.queryOne(
      """
      INSERT INTO signing_key (key_id, public_key, label) VALUES (\(key.keyID), \(key.rawRepresentation), \(label))
      ON CONFLICT (key_id) DO NOTHING RETURNING key_id
      """) != nil
  }

  public func list() throws -> [SigningKeyListing] {
    try connection.query(
      """
      SELECT k.key_id, k.algorithm, k.label, k.created_at, k.created_by, k.retired_at,
             (SELECT count(*)::integer FROM certificate c WHERE c.key_id = k.key_id) AS certificates
      FROM signing_key k ORDER BY k.created_at, k.key_id
      """
    ).map {
      SigningKeyListing(
        keyID: try $0.decode("key_id"), algorithm: try $0.decode("algorithm"), label: try $0.decode("label"),
        createdAt: try $0.decode("created_at"), createdBy: try $0.decode("created_by"), retiredAt: try $0.decode("retired_at"),
        certificates: try $0.decode("certificates"))
    }
  }

  /// A registered key with its retirement day (German), if retired.
  public func find(_ keyID: String) throws -> PublicSigningKey? {
    guard
      let row = try connection.queryOne(
        """
        SELECT public_key, (retired_at AT TIME ZONE 'Europe/Berlin')::date AS retired_on FROM signing_key WHERE key_id = \(keyID)
        """)
    else { return nil }
    return try PublicSigningKey(rawRepresentation: try row.decode("public_key"), retiredOn: try row.optionalDate("retired_on"))
  }

  /// Keys stop signing from now on; what they signed stays verifiable.
  public func retire(_ keyID: String) throws {
    guard
      try connection.queryOne(
        "UPDATE signing_key SET retired_at = now() WHERE key_id = \(keyID) AND retired_at IS NULL RETURNING key_id") != nil
    else {
      if try find(keyID) == nil { throw StoreError.notFound(tr("signing key %@", keyID)) }
      throw StoreError.conflict(tr("signing key %@ is already retired", keyID))
    }
  }

  /// Checks before a run or re-issue that the key may sign.
  public func requireUsable(_ key: SigningKey) throws {
    guard
      let row = try connection.queryOne(
        "SELECT public_key, retired_at IS NOT NULL AS retired FROM signing_key WHERE key_id = \(key.keyID)")
    else {
      throw KeyError(
        tr(
          "signing key %@ is not registered in this database; register it with `beccaria keys generate` or `beccaria keys register`",
          key.keyID)
      )
    }
    if try row.decode("retired", as: Bool.self) { throw KeyError(tr("signing key %@ is retired; generate a new one", key.keyID)) }
    guard try row.decode("public_key", as: Data.self) == key.publicKey.rawRepresentation else {
      throw KeyError(tr("signing key %@ does not match the registered public key", key.keyID))
    }
  }
}
