import BeccariaStore
import Foundation
import Postgres
import Signing

/// A new issuing key: its private half written to a file of its own (mode 0600, never over an
/// existing file), its public half registered in the database.
public enum KeyGeneration {
  /// Writes the new key to `path` first, then registers it (one statement). When registering
  /// fails the file is removed again; a process killed between the two leaves a key file that
  /// `keys register` can register later, never a registered key whose private half is lost.
  public static func generate(_ connection: Connection, label: String?, path: String) throws -> SigningKey {
    let key = SigningKey.generate()
    try key.write(to: path)
    do {
      try SigningKeyStore(connection).register(key.publicKey, label: label)
    } catch {
      try? FileManager.default.removeItem(atPath: path)
      throw error
    }
    return key
  }
}
