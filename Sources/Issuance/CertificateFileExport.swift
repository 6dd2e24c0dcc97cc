import BeccariaCore
import BeccariaStore
import Foundation
import Postgres

/// Stored certificates written out as files, each registered so that erasure finds it again.
public struct CertificateFileExport {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// What `export` wrote and what it left out.
  public struct ExportOutcome: Sendable {
    public var paths: [String] = []
    /// Certificates whose PDF was removed when their holder was erased on request.
    public var erased: [String] = []
  }

  /// Writes the stored PDFs of the listed certificates to `DIR/<year>/<serial>.pdf` and registers
  /// each file (erasure finds them again). Certificates of erased holders have no PDF any more:
  /// they are skipped and named.
  public func export(_ serials: [String], to directory: String) throws -> ExportOutcome {
    let directory = try Exporter.prepare(directory)
    let exporter = Exporter(connection: connection, directory: directory)
    try Exporter.removeStaleTemporaryFiles(in: directory)
    var outcome = ExportOutcome()
    let host = ProcessInfo.processInfo.hostName
    for serial in serials {
      guard
        let row = try connection.queryOne(
          "SELECT pdf, pdf_sha256, holder_erased_at IS NOT NULL AS erased FROM certificate WHERE serial = \(serial)")
      else { throw StoreError.notFound(tr("certificate %@", serial)) }
      if try row.decode("erased", as: Bool.self) {
        outcome.erased.append(serial)
        continue
      }
      let sha: String = try row.decode("pdf_sha256")
      let path = try exporter.write(serial: serial, pdf: try row.decode("pdf"), sha256: sha)
      try connection.execute(
        "SELECT export_file_record('certificate', NULL, \(serial), \(host), \(path), \(sha))")
      outcome.paths.append(path)
    }
    if !outcome.paths.isEmpty { try Exporter.sync(directory) }
    return outcome
  }
}
