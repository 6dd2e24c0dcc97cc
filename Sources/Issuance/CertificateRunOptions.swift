import BeccariaCore
import BeccariaStore
import Documents
import Files
import Foundation
import Logging
import Postgres
import Signing

/// How a certificate run goes about its work.
public struct CertificateRunOptions: Sendable {
  public var workers: Int
  /// Where to export issued PDFs (`DIR/<year>/<serial>.pdf`); nil exports nothing.
  public var outputDirectory: String?
  public var dryRun: Bool
  /// Participants claimed per transaction, at most: a run with fewer due than workers times
  /// this shares them evenly, so that every worker has a batch.
  public var batchSize: Int
  public var host: String
  public var pid: Int32

  public init(
    workers: Int = 2, outputDirectory: String? = nil, dryRun: Bool = false, batchSize: Int = 100,
    host: String = ProcessInfo.processInfo.hostName, pid: Int32 = ProcessInfo.processInfo.processIdentifier
  ) {
    self.workers = workers
    self.outputDirectory = outputDirectory
    self.dryRun = dryRun
    self.batchSize = batchSize
    self.host = host
    self.pid = pid
  }
}
