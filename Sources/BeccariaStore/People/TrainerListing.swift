import BeccariaCore
import Foundation
import Postgres

/// A trainer as listed.
public struct TrainerListing: Codable, Sendable, Equatable {
  public var id: TrainerID
  public var name: String
  public var email: String
  public var login: String?
  public var active: Bool
  public var sessions: Int
}
