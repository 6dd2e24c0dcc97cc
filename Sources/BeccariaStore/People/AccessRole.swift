import BeccariaCore
import Foundation
import Postgres

/// The kinds of access, each a group role created by the migrations: the programme office
/// (admin), trainers, the nightly run (issuer), auditors, and the public verification service
/// (verifier: the `verification_*` functions only, no table; schema 0023), and mail delivery
/// (mailer: claims and records messages through the `mail_*` functions, no table; schema 0024).
public enum AccessRole: String, CaseIterable, Codable, Sendable {
  case admin, trainer, issuer, auditor, verifier, mailer

  public var groupRole: String { "beccaria_\(rawValue)" }
}
