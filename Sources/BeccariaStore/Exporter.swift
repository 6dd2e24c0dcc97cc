import BeccariaCore
import Foundation
import Postgres

/// Writes stored certificate PDFs to `DIR/<year>/<serial>.pdf` — always the stored bytes, never a
/// new rendering — through a temporary file and a rename, so a reader never sees half a file.
struct Exporter {
  let connection: Connection
  let directory: String
  static let temporaryMarker = ".beccaria-tmp-"

  /// Exports one certificate by id; returns the path.
  @discardableResult
  func export(id: Int64) throws -> String {
    guard let row = try connection.queryOne("SELECT serial, pdf, pdf_sha256 FROM certificate WHERE id = \(id)") else {
      throw StoreError.notFound("certificate \(id)")
    }
    return try write(serial: try row.decode("serial"), pdf: try row.decode("pdf"), sha256: try row.decode("pdf_sha256"))
  }

  /// Writes a stored PDF; `sha256` is checked unless the caller has just computed it from these
  /// very bytes (`hashed`).
  func write(serial: String, pdf: Data, sha256: String, hashed: Bool = false) throws -> String {
    if pdf.isEmpty {
      throw StoreError.conflict(
        "the PDF of \(serial) was deleted when its holder's data was erased on request; only its hash is kept")
    }
    guard hashed || pdf.sha256Hex == sha256 else {
      throw StoreError.corrupt("the stored PDF of \(serial) does not match its SHA-256")
    }
    let year = SerialNumber.parse(serial).map { String($0.year) } ?? "unknown"
    let folder = URL(fileURLWithPath: directory).appending(path: year)
    let target = folder.appending(path: "\(serial).pdf")
    let temporary = folder.appending(path: "\(Self.temporaryMarker)\(ProcessInfo.processInfo.processIdentifier)-\(serial).pdf")
    do {
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try pdf.write(to: temporary)
      Failpoint.pass("exporting")
      if rename(temporary.path, target.path) != 0 {
        throw StoreError.invalid("cannot rename \(temporary.path) to \(target.path): \(String(cString: strerror(errno)))")
      }
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw StoreError.invalid("cannot export \(serial) to \(target.path): \(error.localizedDescription)")
    }
    return target.path
  }

  /// Finishes the exports that earlier runs into this directory left undone (they were killed,
  /// or an export failed), then marks them done.
  func exportPending(except runID: Int64) throws -> Int {
    let runs = try connection.query(
      """
      SELECT id FROM certificate_run
      WHERE export_pending AND status <> 'running' AND export_directory = \(directory) AND id <> \(runID)
      """
    ).map { try $0.decode("id", as: Int64.self) }
    guard !runs.isEmpty else { return 0 }
    let count = try exportMissing(ofRunsIn: runs)
    try connection.execute("UPDATE certificate_run SET export_pending = false WHERE id = ANY(\(PostgresArray(runs)))")
    return count
  }

  /// Exports the certificates of the given runs whose files are missing or differ.
  func exportMissing(ofRunsIn runs: [Int64]) throws -> Int {
    guard !runs.isEmpty else { return 0 }
    var count = 0
    for row in try connection.query(
      """
      SELECT id, serial, pdf_sha256 FROM certificate WHERE run_id = ANY(\(PostgresArray(runs))) AND holder_erased_at IS NULL
      ORDER BY serial
      """)
    {
      let serial: String = try row.decode("serial")
      let year = SerialNumber.parse(serial).map { String($0.year) } ?? "unknown"
      let path = URL(fileURLWithPath: directory).appending(path: year).appending(path: "\(serial).pdf").path
      if let data = FileManager.default.contents(atPath: path),
        data.sha256Hex == (try row.decode("pdf_sha256", as: String.self))
      {
        continue
      }
      try export(id: try row.decode("id"))
      count += 1
    }
    return count
  }

  /// Removes temporary files a killed export left behind.
  static func removeStaleTemporaryFiles(in directory: String) throws {
    let root = URL(fileURLWithPath: directory)
    guard let years = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return }
    for year in years {
      let folder = root.appending(path: year)
      for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasPrefix(temporaryMarker)
      {
        try? FileManager.default.removeItem(at: folder.appending(path: name))
      }
    }
  }
}
