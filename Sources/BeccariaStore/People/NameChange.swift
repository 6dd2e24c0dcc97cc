import BeccariaCore
import Foundation
import Postgres

/// One change of a participant's name.
public struct NameChange: Codable, Sendable, Equatable {
  public var from: String
  public var to: String
  public var reason: String
  public var changedAt: Date
}
