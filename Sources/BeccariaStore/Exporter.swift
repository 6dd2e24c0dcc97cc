import BeccariaCore
import Foundation
import Postgres

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes stored certificate PDFs to `DIR/<year>/<serial>.pdf` — always the stored bytes, never a
/// new rendering — through a temporary file and a rename, so a reader never sees half a file.
/// Files are not flushed one by one: whoever writes a set of them calls `sync` once at the end
/// (a nightly run before it clears its `export_pending` flag, so that after a power loss the next
/// run still checks and rewrites the files of a run whose exports were not yet on disk).
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
    let (folder, target) = path(of: serial)
    let temporary = "\(folder)/\(Self.temporaryMarker)\(Self.processID)-\(serial).pdf"
    do {
      // The year's folder is created only when the first file cannot be created for want of it.
      do {
        try Self.write(pdf, to: temporary)
      } catch let error as WriteError where error.code == ENOENT {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Self.write(pdf, to: temporary)
      }
      Failpoint.pass("exporting")
      if rename(temporary, target) != 0 {
        throw StoreError.invalid("cannot rename \(temporary) to \(target): \(String(cString: strerror(errno)))")
      }
    } catch {
      unlink(temporary)
      let reason = (error as? any CustomStringConvertible)?.description ?? error.localizedDescription
      throw StoreError.invalid("cannot export \(serial) to \(target): \(reason)")
    }
    return target
  }

  static let processID = ProcessInfo.processInfo.processIdentifier

  /// Where a certificate's file goes: `DIR/<year>/<serial>.pdf`, as an absolute path (plain
  /// strings: a run writes thousands of files).
  func path(of serial: String) -> (folder: String, file: String) {
    let year = SerialNumber.parse(serial).map { String($0.year) } ?? "unknown"
    let base = directory.hasPrefix("/") ? directory : "\(FileManager.default.currentDirectoryPath)/\(directory)"
    let folder = "\(base.hasSuffix("/") ? String(base.dropLast()) : base)/\(year)"
    return (folder, "\(folder)/\(serial).pdf")
  }

  /// A failed `open`, `write` or `close`, with its `errno`.
  struct WriteError: Error, CustomStringConvertible {
    var code: Int32
    var description: String { String(cString: strerror(code)).lowercased() }
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
    try Self.sync(directory)
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
      if let data = FileManager.default.contents(atPath: path(of: try row.decode("serial")).file),
        data.sha256Hex == (try row.decode("pdf_sha256", as: String.self))
      {
        continue
      }
      try export(id: try row.decode("id"))
      count += 1
    }
    return count
  }

  /// Writes a file (created or truncated) and starts writing it to disk, without waiting.
  static func write(_ data: Data, to path: String) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw WriteError(code: errno) }
    var failure: Int32 = 0
    data.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = systemWrite(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        offset += written
      }
    }
    // The run flushes its exports once at the end (`sync`); starting each file's writeback now
    // lets the disk work while the run goes on, so that little is left to wait for then.
    if failure == 0 { startWriteback(descriptor) }
    if close(descriptor) != 0, failure == 0 { failure = errno }
    if failure != 0 { throw WriteError(code: failure) }
  }

  /// Flushes everything written to the file system holding `directory` to disk (one `syncfs`).
  static func sync(_ directory: String) throws {
    let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw StoreError.invalid("cannot open \(directory) to flush the exports: \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    guard fileSystemSync(descriptor) == 0 else {
      throw StoreError.invalid("cannot flush the exports in \(directory) to disk: \(String(cString: strerror(errno)))")
    }
  }

  /// Removes temporary files a killed export left behind: those whose process no longer runs.
  /// A run going on at the same time into the same directory keeps its own (its temporary export
  /// files and its probe): removing them failed that run's rename or probe.
  static func removeStaleTemporaryFiles(in directory: String) throws {
    let root = URL(fileURLWithPath: directory)
    guard let years = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return }
    for year in years {
      let folder = root.appending(path: year)
      for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
      where name.hasPrefix(temporaryMarker) && !writerIsRunning(name) {
        try? FileManager.default.removeItem(at: folder.appending(path: name))
      }
    }
  }

  /// Whether the process that wrote a temporary file (`.beccaria-tmp-<pid>-<serial>.pdf`, or a
  /// run's probe `.beccaria-tmp-probe-<pid>`) still runs on this machine (this one included).
  static func writerIsRunning(_ name: String) -> Bool {
    var rest = name.dropFirst(temporaryMarker.count)
    if rest.hasPrefix("probe-") { rest = rest.dropFirst("probe-".count) }
    guard let pid = Int32(rest.prefix(while: { $0.isASCII && $0.isNumber })), pid > 0 else { return false }
    return kill(pid, 0) == 0 || errno == EPERM
  }
}

/// POSIX `write(2)` (the exporter has a `write` of its own).
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
  write(descriptor, buffer, count)
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

/// `sync_file_range(2)` with `SYNC_FILE_RANGE_WRITE`: starts writing the file's dirty pages to
/// disk and returns at once (nothing is waited for, nothing is promised: `syncfs` still is what
/// makes the exports durable). Looked up by name like `syncfs`; where it is missing, nothing.
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
