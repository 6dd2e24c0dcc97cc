import BeccariaCore
import Foundation
import Postgres
import Signing

/// What `programme load` did.
public enum ProgrammeLoadOutcome: Sendable, Equatable {
  case created(version: Int)
  case unchanged(version: Int)
}
