/// The states and kinds the schema's CHECK constraints name, as Swift enums with the same
/// spellings (schema 0001 and later): a value outside them is a decoding error, not a string that
/// happens to compare unequal.

/// A certificate's status (`certificate_status_known`).
public enum CertificateStatus: String, Codable, Sendable, CaseIterable {
  case valid, revoked, superseded
}
