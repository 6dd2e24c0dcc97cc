import BeccariaCore
import Foundation
import Postgres

/// What an upsert did.
public struct UpsertCounts: Sendable, Equatable {
  public var inserted: Int
  public var updated: Int
  public var unchanged: Int
  /// For each updated record, what changed: `14612000 Dresden: district "A" → "B"`.
  public var changes: [String] = []
}
