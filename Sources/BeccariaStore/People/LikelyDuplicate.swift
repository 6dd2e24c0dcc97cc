import BeccariaCore
import Foundation
import Postgres

/// An existing participant that looks like the same person as a new one.
public struct LikelyDuplicate: Sendable, Equatable, CustomStringConvertible {
  public var existing: ParticipantListing
  public var reason: String
  public var description: String {
    tr(
      "participant %@ %@ (born %@, %@) has %@", existing.id, existing.displayName, existing.birthDate?.description ?? "?",
      existing.email ?? tr("no e-mail"), reason)
  }
}
