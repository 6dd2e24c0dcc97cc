import CLibPQ
import Foundation

/// Streams rows to the server during `COPY ... FROM STDIN`, in chunks of about 256 KiB.
public final class CopyWriter {
  private let connection: Connection
  private var buffer: [UInt8] = []
  private let chunkSize = 256 * 1024
  /// Rows written with `writeRow`.
  public private(set) var rowsWritten = 0

  init(connection: Connection) {
    self.connection = connection
    buffer.reserveCapacity(chunkSize + 4096)
  }

  /// Sends raw bytes in the COPY format the statement named (text, csv).
  public func write(_ bytes: some Sequence<UInt8>) throws {
    buffer.append(contentsOf: bytes)
    if buffer.count >= chunkSize { try flush() }
  }

  /// Sends one row in COPY's text format: tab-separated, `\N` for NULL, escapes for backslash,
  /// tab, newline and carriage return.
  public func writeRow(_ fields: [String?]) throws {
    for (index, field) in fields.enumerated() {
      if index > 0 { buffer.append(9) }
      guard let field else {
        buffer.append(contentsOf: [92, 78])  // \N
        continue
      }
      for byte in field.utf8 {
        switch byte {
        case 92: buffer.append(contentsOf: [92, 92])
        case 9: buffer.append(contentsOf: [92, 116])
        case 10: buffer.append(contentsOf: [92, 110])
        case 13: buffer.append(contentsOf: [92, 114])
        default: buffer.append(byte)
        }
      }
    }
    buffer.append(10)
    rowsWritten += 1
    if buffer.count >= chunkSize { try flush() }
  }

  func flush() throws {
    guard !buffer.isEmpty else { return }
    let status = buffer.withUnsafeBufferPointer { bytes in
      bytes.withMemoryRebound(to: CChar.self) {
        PQputCopyData(connection.rawHandle, $0.baseAddress, Int32($0.count))
      }
    }
    buffer.removeAll(keepingCapacity: true)
    if status != 1 {
      throw PostgresError(.connection, "COPY failed while sending data: \(connection.lastErrorMessage)")
    }
  }
}

extension Connection {
  /// Runs `COPY ... FROM STDIN` and lets `feed` stream the data; returns the rows the server
  /// loaded. If `feed` throws, the COPY is aborted (nothing is loaded) and the error rethrown.
  @discardableResult
  public func copyIn(_ statement: SQL, _ feed: (CopyWriter) throws -> Void) throws -> Int {
    let (text, binds) = statement.rendered()
    guard binds.isEmpty else {
      throw PostgresError(.usage, "COPY takes no bind parameters; load into a staging table instead")
    }
    let start = PQexec(rawHandle, text)
    guard let start, PQresultStatus(start) == PGRES_COPY_IN else {
      _ = try check(start, statement: text)
      throw PostgresError(.usage, "the statement is not COPY ... FROM STDIN")
    }
    PQclear(start)
    let writer = CopyWriter(connection: self)
    var feedError: (any Error)?
    do {
      try feed(writer)
      try writer.flush()
    } catch {
      feedError = error
    }
    let endStatus =
      feedError == nil ? PQputCopyEnd(rawHandle, nil) : PQputCopyEnd(rawHandle, "aborted by the client")
    if endStatus != 1 && feedError == nil {
      feedError = PostgresError(.connection, "COPY could not be finished: \(lastErrorMessage)")
    }
    // Drain every result so the connection is ready for the next statement.
    var failure: (any Error)?
    var loaded = 0
    while let result = PQgetResult(rawHandle) {
      if PQresultStatus(result) == PGRES_COMMAND_OK {
        loaded = PQcmdTuples(result).flatMap { Int(String(cString: $0)) } ?? 0
        PQclear(result)
      } else if failure == nil {
        failure = serverError(result)
        PQclear(result)
      } else {
        PQclear(result)
      }
    }
    if let feedError { throw feedError }
    if let failure { throw failure }
    return loaded
  }
}
