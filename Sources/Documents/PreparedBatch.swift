import BeccariaCore
import Foundation

/// A prepared batch: finished with its drafts sealed, one PDF each in the order prepared.
public protocol PreparedBatch: Sendable {
  func finish(_ sealed: [SealedCertificate]) throws -> [Data]
  /// The certificates of the last `finish` that were rendered on their own instead of split
  /// from the batch, each with the reason (slower, and worth a line in the run's log).
  var renderedAlone: [String] { get }
}

extension PreparedBatch {
  public var renderedAlone: [String] { [] }
}
