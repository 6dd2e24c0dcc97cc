import CLibPQ
import Foundation
import Localisation

/// Connection strings as libpq reads them (conninfo `key=value` or URI), parsed by libpq itself.
public enum ConnectionString {
  /// The parameters that `conninfo` sets, as libpq parses them; throws with libpq's message when
  /// it is malformed.
  public static func parse(_ conninfo: String) throws -> [String: String] {
    var errorMessage: UnsafeMutablePointer<CChar>?
    guard let options = PQconninfoParse(conninfo, &errorMessage) else {
      let message = errorMessage.map { String(cString: $0) } ?? "malformed connection string"
      if let errorMessage { PQfreemem(errorMessage) }
      throw PostgresError(
        .usage,
        tr(
          "invalid connection string: %@ (the string itself is not shown: it may hold a password)",
          redactQuoted(message.trimmingCharacters(in: .whitespacesAndNewlines))))
    }
    defer { PQconninfoFree(options) }
    var parameters: [String: String] = [:]
    var option = options
    while let keyword = option.pointee.keyword {
      if let value = option.pointee.val {
        parameters[String(cString: keyword)] = String(cString: value)
      }
      option += 1
    }
    return parameters
  }

  /// A `key=value` conninfo with the same parameters as `conninfo` except those in `overrides`.
  public static func replacing(_ overrides: [String: String], in conninfo: String) throws -> String {
    var parameters = try parse(conninfo)
    for (key, value) in overrides { parameters[key] = value }
    return parameters.sorted { $0.key < $1.key }
      .map { "\($0.key)='\($0.value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'"))'" }
      .joined(separator: " ")
  }

  /// libpq quotes the part of a malformed string it stumbled over, which may be a password:
  /// quoted text is replaced by `"…"` unless it is a connection keyword (`"port"`) or one
  /// character (`"="`).
  static func redactQuoted(_ message: String) -> String {
    let parts = message.components(separatedBy: "\"")
    guard parts.count >= 3 else { return message }
    return parts.enumerated().map { index, part in
      index % 2 == 1 && part.count > 1 && !keywords.contains(part) ? "…" : part
    }.joined(separator: "\"")
  }

  /// The connection keywords libpq knows (`host`, `port`, `sslmode`, …).
  static let keywords: Set<String> = {
    var names: Set<String> = []
    guard let defaults = PQconndefaults() else { return names }
    defer { PQconninfoFree(defaults) }
    var option = defaults
    while let keyword = option.pointee.keyword {
      names.insert(String(cString: keyword))
      option += 1
    }
    return names
  }()

  /// The same string with any password replaced by `***`, for messages and logs.
  public static func redacted(_ conninfo: String) -> String {
    guard var parameters = try? parse(conninfo) else { return "(unreadable connection string)" }
    if parameters["password"] != nil { parameters["password"] = "***" }
    return parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
      .joined(separator: " ")
  }
}
