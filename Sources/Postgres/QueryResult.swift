import CLibPQ
import Foundation

/// The rows of one statement's result. Owns the libpq `PGresult` and frees it when released.
public final class QueryResult: RandomAccessCollection {
  let handle: OpaquePointer?
  /// Column names in order.
  public let columns: [String]
  private let columnTypes: [PostgresType]
  /// Rows changed by INSERT/UPDATE/DELETE/COPY (from the command tag), 0 otherwise.
  public let affectedRows: Int
  /// The command tag the server sent (`INSERT 0 1`, `COMMIT`, `ROLLBACK`).
  public let commandTag: String
  public let startIndex = 0
  public let endIndex: Int

  init(_ handle: OpaquePointer?) {
    self.handle = handle
    let columnCount = handle.map { PQnfields($0) } ?? 0
    var names: [String] = []
    var types: [PostgresType] = []
    for column in 0..<columnCount {
      names.append(PQfname(handle, column).map { String(cString: $0) } ?? "?column?")
      types.append(PostgresType(rawValue: PQftype(handle, column)))
    }
    columns = names
    columnTypes = types
    endIndex = Int(handle.map { PQntuples($0) } ?? 0)
    commandTag = handle.flatMap { PQcmdStatus($0) }.map { String(cString: $0) } ?? ""
    affectedRows = handle.flatMap { PQcmdTuples($0) }.flatMap { Int(String(cString: $0)) } ?? 0
  }

  deinit {
    if let handle { PQclear(handle) }
  }

  public subscript(position: Int) -> Row { Row(result: self, index: Int32(position)) }

  /// The first column of that name. A result has a handful of columns, and names are short:
  /// comparing them is cheaper than hashing the name for a lookup, which showed in the nightly
  /// run's profile (a decode for every value of every row).
  func column(named name: String) throws -> Int32 {
    guard let column = columns.firstIndex(of: name).map(Int32.init) else {
      throw PostgresError(
        .decoding, "no column \"\(name)\" in result (columns: \(columns.joined(separator: ", ")))")
    }
    return column
  }

  func decode<T: PostgresDecodable>(row: Int32, column: Int32, as: T.Type) throws -> T {
    let name = columns[Int(column)]
    if PQgetisnull(handle, row, column) == 1 { return try T.decodeNull(column: name) }
    let length = Int(PQgetlength(handle, row, column))
    guard let pointer = PQgetvalue(handle, row, column) else { return try T.decodeNull(column: name) }
    let text = pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
      String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    return try T.decode(text: text[...], type: columnTypes[Int(column)], column: name)
  }

  func isNull(row: Int32, column: Int32) -> Bool { PQgetisnull(handle, row, column) == 1 }
}

/// One row of a `QueryResult`; decodes columns by name or position into Swift types.
public struct Row {
  let result: QueryResult
  let index: Int32

  /// Decodes the named column. NULL into a non-optional type, or a value of another SQL type, is
  /// a thrown `PostgresError` naming the column.
  public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
    try result.decode(row: index, column: try result.column(named: column), as: type)
  }

  /// Decodes the column at `position` (0-based).
  public func decode<T: PostgresDecodable>(_ position: Int, as type: T.Type = T.self) throws -> T {
    guard position >= 0, position < result.columns.count else {
      throw PostgresError(.decoding, "no column at position \(position)")
    }
    return try result.decode(row: index, column: Int32(position), as: type)
  }

  /// Decodes a json/jsonb column into a Codable value.
  public func decodeJSON<T: Codable>(_ column: String, as type: T.Type = T.self) throws -> T {
    try decode(column, as: JSONB<T>.self).value
  }

  /// True when the named column is SQL NULL.
  public func isNull(_ column: String) throws -> Bool {
    result.isNull(row: index, column: try result.column(named: column))
  }
}
