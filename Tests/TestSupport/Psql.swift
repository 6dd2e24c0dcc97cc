import Foundation

/// Runs `psql` as a real client would: the attacks of the security suite are typed into psql by
/// a login, not made through beccaria's own code.
public enum Psql {
  public struct Result: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// The script ran to its end without an error.
    public var succeeded: Bool { status == 0 }
  }

  /// Runs `script` in one session (`-1`: one transaction unless the script manages its own;
  /// `ON_ERROR_STOP`: the first error ends it with a non-zero status). Output is unaligned
  /// tuples only.
  @discardableResult
  public static func run(_ url: String, _ script: String, singleTransaction: Bool = false) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["psql", url, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"] + (singleTransaction ? ["-1"] : [])
    var environment = ProcessInfo.processInfo.environment
    environment["PGOPTIONS"] = "-c client_min_messages=warning"
    for key in ["PGHOST", "PGDATABASE", "PGSERVICE", "PGUSER", "PGPORT"] { environment[key] = nil }
    process.environment = environment
    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    input.fileHandleForWriting.write(Data(script.utf8))
    try input.fileHandleForWriting.close()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
      stderr: String(decoding: err, as: UTF8.self))
  }
}
