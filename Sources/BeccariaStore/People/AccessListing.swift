import BeccariaCore
import Foundation
import Postgres

/// A database login and what it may do here.
public struct AccessListing: Codable, Sendable, Equatable {
  public var login: String
  public var roles: [String]
  public var canLogIn: Bool
  public var trainerEmail: String?
}
