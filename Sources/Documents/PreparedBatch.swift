import BeccariaCore
import Foundation

/// A prepared batch: finished with its drafts sealed, one PDF each in the order prepared.
public protocol PreparedBatch: Sendable {
  func finish(_ sealed: [SealedCertificate]) throws -> [Data]
}
