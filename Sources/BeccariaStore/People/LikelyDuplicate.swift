import BeccariaCore
import Foundation
import Postgres

/// An existing participant that looks like the same person as a new one.
public struct LikelyDuplicate: Sendable, Equatable, CustomStringConvertible {
  public var existing: ParticipantListing
  public var reason: String
  public var description: String {
    "participant \(existing.id) \(existing.displayName) (born \(existing.birthDate?.description ?? "?"), \(existing.email ?? "no e-mail")) has \(reason)"
  }
}
