import BeccariaCore
import BeccariaStore
import Files
import Foundation
import Postgres
import Signing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes stored certificate PDFs to `DIR/<year>/<serial>.pdf` — always the stored bytes, never a
/// new rendering — through a temporary file and a rename, so a reader never sees half a file.
/// `DIR` is the folder's real path (symlinks resolved once, when the exporter is made); the
/// year's folder and every file are opened relative to it without following symlinks, and a
/// temporary file is created exclusively under an unpredictable name (mode 0600: certificates
/// are personal data), so nothing planted in the folder redirects a write.
/// Files are not flushed one by one: whoever writes a set of them calls `sync` once at the end
/// (a nightly run before it clears its `export_pending` flag, so that after a power loss the next
/// run still checks and rewrites the files of a run whose exports were not yet on disk).
struct Exporter {
  let connection: Connection
  /// The export folder's real path.
  let directory: String
  static let temporaryMarker = ".beccaria-tmp-"

  /// An exporter for a folder that exists (see `prepare`).
  init(connection: Connection, directory: String) {
    self.connection = connection
    self.directory = directory
  }

  /// Creates the export folder if needed (mode 0700) and returns its real path: what the run
  /// records, so that pending exports are found again whatever spelling of the folder the next
  /// run is given.
  static func prepare(_ directory: String) throws -> String {
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      return try SafeFile.realPath(directory)
    } catch {
      throw StoreError.invalid(tr("cannot use %@ as the export folder: %@", directory, Self.reason(error)))
    }
  }

  /// Exports one certificate by id; returns the path.
  @discardableResult
  func export(id: CertificateID) throws -> String {
    guard let row = try connection.queryOne("SELECT serial, pdf, pdf_sha256 FROM certificate WHERE id = \(id)") else {
      throw StoreError.notFound(tr("certificate %@", id))
    }
    return try write(serial: try row.decode("serial"), pdf: try row.decode("pdf"), sha256: try row.decode("pdf_sha256"))
  }

  /// Writes a stored PDF; `sha256` is checked unless the caller has just computed it from these
  /// very bytes (`hashed`).
  func write(serial: String, pdf: Data, sha256: String, hashed: Bool = false) throws -> String {
    if pdf.isEmpty {
      throw StoreError.conflict(
        tr("the PDF of %@ was deleted when its holder's data was erased on request; only its hash is kept", serial))
    }
    guard hashed || pdf.sha256Hex == sha256 else {
      throw StoreError.corrupt(tr("the stored PDF of %@ does not match its SHA-256", serial))
    }
    let (year, target) = path(of: serial)
    do {
      let folder = try yearFolder(year, create: true)
      defer { close(folder) }
      // The run flushes its exports once at the end (`sync`); starting each file's writeback now
      // lets the disk work while the run goes on, so that little is left to wait for then.
      let temporary = try SafeFile.writeTemporary(
        pdf, in: folder, prefix: "\(Self.temporaryMarker)\(Self.processID)-\(serial)-", mode: SafeFile.privateMode,
        durable: false, beforeClose: startWriteback)
      Failpoint.pass("exporting")
      if renameat(folder, temporary, folder, "\(serial).pdf") != 0 {
        let code = errno
        unlinkat(folder, temporary, 0)
        throw SafeFile.Failure(code: code, what: tr("cannot rename the new file"))
      }
    } catch {
      throw StoreError.invalid(tr("cannot export %@ to %@: %@", serial, target, Self.reason(error)))
    }
    return target
  }

  static let processID = ProcessInfo.processInfo.processIdentifier

  static func reason(_ error: any Error) -> String { String(describing: error) }

  /// Where a certificate's file goes: the year and `DIR/<year>/<serial>.pdf`.
  func path(of serial: String) -> (year: String, file: String) {
    let year = SerialNumber.parse(serial).map { String($0.year) } ?? "unknown"
    return (year, "\(directory)/\(year)/\(serial).pdf")
  }

  /// The year's folder inside the export folder, opened without following a symlink (a planted
  /// `DIR/2026 -> /etc` is refused, not written into); created with mode 0700 when missing.
  func yearFolder(_ year: String, create: Bool) throws -> Int32 {
    try Self.yearFolder(in: directory, year, create: create)
  }

  static func yearFolder(in directory: String, _ year: String, create: Bool) throws -> Int32 {
    let base = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard base >= 0 else { throw SafeFile.Failure(code: errno, what: tr("cannot open %@", directory)) }
    defer { close(base) }
    var folder = openat(base, year, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    if folder < 0 && errno == ENOENT && create {
      if mkdirat(base, year, 0o700) != 0 && errno != EEXIST {
        throw SafeFile.Failure(code: errno, what: tr("cannot create the folder %@/%@", directory, year))
      }
      folder = openat(base, year, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    }
    guard folder >= 0 else {
      let code = errno
      throw SafeFile.Failure(
        code: code,
        what: code == ELOOP || code == ENOTDIR
          ? tr("%@/%@ is a symbolic link or not a folder, and is not written into", directory, year)
          : tr("cannot open %@/%@", directory, year))
    }
    return folder
  }

  /// Finishes the exports that earlier runs into this folder left undone (they were killed,
  /// or an export failed), then marks them done.
  func exportPending(except runID: CertificateRunID) throws -> Int {
    let runs = try connection.query(
      """
      SELECT id FROM certificate_run
      WHERE export_pending AND status <> 'running' AND export_directory = \(directory) AND id <> \(runID)
      """
    ).map { try $0.decode("id", as: CertificateRunID.self) }
    guard !runs.isEmpty else { return 0 }
    let count = try exportMissing(ofRunsIn: runs)
    try Self.sync(directory)
    try connection.execute("UPDATE certificate_run SET export_pending = false WHERE id = ANY(\(PostgresArray(runs)))")
    return count
  }

  /// Exports the certificates of the given runs whose files are missing or differ.
  func exportMissing(ofRunsIn runs: [CertificateRunID]) throws -> Int {
    guard !runs.isEmpty else { return 0 }
    var count = 0
    for row in try connection.query(
      """
      SELECT id, serial, pdf_sha256 FROM certificate WHERE run_id = ANY(\(PostgresArray(runs))) AND holder_erased_at IS NULL
      ORDER BY serial
      """)
    {
      let serial: String = try row.decode("serial")
      if try existing(serial)?.sha256Hex == (try row.decode("pdf_sha256", as: String.self)) { continue }
      try export(id: try row.decode("id"))
      count += 1
    }
    return count
  }

  /// The bytes of a certificate's exported file, if it is there as a regular file.
  func existing(_ serial: String) throws -> Data? {
    let (year, _) = path(of: serial)
    guard let folder = try? yearFolder(year, create: false) else { return nil }
    defer { close(folder) }
    return SafeFile.read("\(serial).pdf", in: folder, limit: 64 << 20)
  }

  /// Flushes everything written to the file system holding `directory` to disk (one `syncfs`).
  static func sync(_ directory: String) throws {
    let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw StoreError.invalid(tr("cannot open %@ to flush the exports: %@", directory, String(cString: strerror(errno))))
    }
    defer { close(descriptor) }
    guard fileSystemSync(descriptor) == 0 else {
      throw StoreError.invalid(tr("cannot flush the exports in %@ to disk: %@", directory, String(cString: strerror(errno))))
    }
  }

  /// Removes temporary files a killed export left behind: those whose process no longer runs.
  /// A run going on at the same time into the same folder keeps its own (its temporary export
  /// files and its probe): removing them failed that run's rename or probe. Year folders that
  /// are symlinks are not entered.
  static func removeStaleTemporaryFiles(in directory: String) throws {
    guard let years = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
    for year in years {
      let folder = "\(directory)/\(year)"
      var status = stat()
      guard lstat(folder, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else { continue }
      for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
      where name.hasPrefix(temporaryMarker) && !writerIsRunning(name) {
        // unlink(2) removes a symlink itself, never what it points to.
        unlink("\(folder)/\(name)")
      }
    }
  }

  /// Whether the process that wrote a temporary file (`.beccaria-tmp-<pid>-…`, or a run's probe
  /// `.beccaria-tmp-probe-<pid>-…`) still runs on this machine (this one included).
  static func writerIsRunning(_ name: String) -> Bool {
    var rest = name.dropFirst(temporaryMarker.count)
    if rest.hasPrefix("probe-") { rest = rest.dropFirst("probe-".count) }
    guard let pid = Int32(rest.prefix(while: { $0.isASCII && $0.isNumber })), pid > 0 else { return false }
    return kill(pid, 0) == 0 || errno == EPERM
  }

  /// Before a run claims anything: this year's export folder can be created and written to (a
  /// probe file is created exclusively, written and removed), so an unwritable target changes
  /// nothing.
  static func probe(_ directory: String, year: Int) throws {
    let folder = try yearFolder(in: directory, String(year), create: true)
    defer { close(folder) }
    let name = try SafeFile.writeTemporary(
      Data("probe".utf8), in: folder, prefix: "\(temporaryMarker)probe-\(processID)-", mode: SafeFile.privateMode,
      durable: false)
    unlinkat(folder, name, 0)
  }
}

/// `syncfs(2)`: flushes the file system holding the open file. Glibc declares it only for
/// _GNU_SOURCE, which Swift's Glibc module does not set, so it is looked up by name; elsewhere
/// `sync(2)` flushes every file system.
private func fileSystemSync(_ descriptor: Int32) -> Int32 {
  typealias SyncFS = @convention(c) (Int32) -> Int32
  #if os(Linux)
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") {
      return unsafeBitCast(symbol, to: SyncFS.self)(descriptor)
    }
  #endif
  sync()
  return 0
}

/// `sync_file_range(2)` with `SYNC_FILE_RANGE_WRITE` on a file just written: starts writing its
/// dirty pages to disk and returns at once (nothing is waited for, nothing is promised: `syncfs`
/// still is what makes the exports durable). Looked up by name like `syncfs`; where it is
/// missing, nothing.
private func startWriteback(_ descriptor: Int32) {
  typealias SyncFileRange = @convention(c) (Int32, Int64, Int64, UInt32) -> Int32
  #if os(Linux)
    if let symbol = syncFileRange {
      _ = unsafeBitCast(symbol, to: SyncFileRange.self)(descriptor, 0, 0, 2)  // SYNC_FILE_RANGE_WRITE
    }
  #endif
}

#if os(Linux)
  nonisolated(unsafe) private let syncFileRange = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range")
#endif

/// Flushes a run's exports to disk in the background while the run goes on: one `syncfs`
/// whenever files were written since the last one, so that the flush that ends the run (which
/// is what makes them durable, and reports errors) finds little left to wait for.
final class BackgroundFlush: @unchecked Sendable {
  private let directory: String
  private let condition = NSCondition()
  private var pending = false
  private var stopping = false
  private var running = false

  /// Starts the flushing thread.
  init(directory: String) {
    self.directory = directory
    running = true
    Thread.detachNewThread { [self] in loop() }
  }

  /// Files were written: flush them soon.
  func written() {
    condition.lock()
    pending = true
    condition.signal()
    condition.unlock()
  }

  /// Stops, after the flush in progress (if any) has returned.
  func stop() {
    condition.lock()
    stopping = true
    condition.broadcast()
    while running { condition.wait() }
    condition.unlock()
  }

  private func loop() {
    condition.lock()
    while true {
      while !pending && !stopping { condition.wait() }
      if stopping { break }
      pending = false
      condition.unlock()
      // Best effort: the run's own flush at the end reports what fails.
      try? Exporter.sync(directory)
      condition.lock()
    }
    running = false
    condition.broadcast()
    condition.unlock()
  }
}

/// The export folder as commands see it.
public enum ExportFolder {
  /// Creates the folder if needed and returns its real path (see `Exporter.prepare`).
  public static func prepare(_ directory: String) throws -> String { try Exporter.prepare(directory) }

  /// Checks that certificates of `year` can be written into `directory` (see `Exporter.probe`).
  public static func probe(_ directory: String, year: Int) throws { try Exporter.probe(directory, year: year) }

  /// A folder ready for this year's certificates: created if needed, probed by writing, and
  /// returned by its real path (what the run records, so that a later run given another spelling
  /// of it finds its pending exports). Throws `ExportFolderError` naming the path.
  public static func ready(_ directory: String, year: Int) throws -> String {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
      throw ExportFolderError(path: directory, reason: nil)
    }
    do {
      let real = try prepare(directory)
      try probe(real, year: year)
      return real
    } catch {
      throw ExportFolderError(path: directory, reason: error)
    }
  }
}

/// An export folder that cannot take certificates: a file of that name, or a failed write.
public struct ExportFolderError: Error, CustomStringConvertible {
  public var path: String
  /// Why writing failed; nil when the path is a file.
  public var reason: (any Error)?
  public var description: String {
    reason.map { tr("cannot write certificates to %@ (%@)", path, "\($0)") } ?? tr("%@ is a file, not a folder", path)
  }
}
