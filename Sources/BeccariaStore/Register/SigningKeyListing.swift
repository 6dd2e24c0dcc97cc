import BeccariaCore
import Foundation
import Postgres
import Signing

/// A registered issuing key as listed.
public struct SigningKeyListing: Codable, Sendable, Equatable {
  public var keyID: String
  public var algorithm: String
  public var label: String?
  public var createdAt: Date
  public var createdBy: String?
  public var retiredAt: Date?
  public var certificates: Int
}
