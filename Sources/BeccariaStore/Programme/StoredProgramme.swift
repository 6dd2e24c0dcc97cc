import BeccariaCore
import Foundation
import Postgres
import Signing

/// A stored programme version with its full definition.
public struct StoredProgramme: Sendable, Equatable {
  public var id: ProgrammeID
  public var versionID: ProgrammeVersionID
  public var definition: ProgrammeDefinition
  public var loadedAt: Date
  public var checksum: String
}
