import Foundation

/// Runs the built `beccaria` executable as a user would, capturing its output and exit status.
public struct CommandResult: Sendable {
  public var status: Int32
  public var stdout: String
  public var stderr: String
}

public enum Beccaria {
  /// The `beccaria` binary next to the test bundle (or `BECCARIA_BIN`).
  public static var executable: URL {
    if let path = ProcessInfo.processInfo.environment["BECCARIA_BIN"] { return URL(fileURLWithPath: path) }
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = testBinary.deletingLastPathComponent()
    // Inside an .xctest bundle on macOS the binary sits deeper; walk up to the build folder.
    while !FileManager.default.isExecutableFile(atPath: directory.appending(path: "beccaria").path),
      directory.pathComponents.count > 2
    {
      directory = directory.deletingLastPathComponent()
    }
    return directory.appending(path: "beccaria")
  }

  /// Runs `beccaria` with `arguments`; `database` is passed as `--database` via DATABASE_URL.
  @discardableResult
  public static func run(
    _ arguments: [String], database: TestDatabase? = nil, stdin: String? = nil,
    environment: [String: String] = [:], currentDirectory: URL? = nil
  ) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["DATABASE_URL"] = database?.conninfo ?? ""
    for key in ["PGHOST", "PGDATABASE", "PGSERVICE", "PGUSER", "PGPORT"] { env[key] = nil }
    env["BECCARIA_ACTOR"] = "cli-test"
    env["XDG_STATE_HOME"] = FileManager.default.temporaryDirectory.appending(path: "beccaria-no-state").path
    // English and ISO unless a test asks for a locale: whatever the machine's own settings.
    for key in ["LC_ALL", "LC_MESSAGES", "LC_TIME", "LC_NUMERIC", "LANGUAGE"] { env[key] = nil }
    env["LANG"] = "C.UTF-8"
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let directory = FileManager.default.temporaryDirectory.appending(path: "beccaria-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let outURL = directory.appending(path: "out")
    let errURL = directory.appending(path: "err")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    process.standardOutput = out
    process.standardError = err
    if let stdin {
      let inURL = directory.appending(path: "in")
      try Data(stdin.utf8).write(to: inURL)
      process.standardInput = try FileHandle(forReadingFrom: inURL)
    } else {
      process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    return CommandResult(
      status: process.terminationStatus,
      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
  }
}

/// Paths in the checkout (for shipped files such as `courses/`).
public enum Checkout {
  /// The checkout's root folder (this file is Tests/TestSupport/CommandRunner.swift).
  public static func root() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }

  public static var programmeFile: String {
    root().appending(path: "courses/beccaria-fachkraft.yaml").path
  }
}
