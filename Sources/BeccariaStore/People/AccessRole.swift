import BeccariaCore
import Foundation
import Postgres

/// The four kinds of access, each a group role created by the migrations.
public enum AccessRole: String, CaseIterable, Codable, Sendable {
  case admin, trainer, issuer, auditor

  public var groupRole: String { "beccaria_\(rawValue)" }
}
