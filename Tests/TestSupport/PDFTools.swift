import Foundation

/// Poppler, qpdf and zbar, run on generated PDFs: the tests read documents back with the tools a
/// reader would use, never with our own parser.
public enum PDFTools {
  public struct Failure: Error, CustomStringConvertible { public var description: String }

  /// Runs a command-line tool and returns its stdout; throws on a non-zero exit.
  public static func run(_ tool: String, _ arguments: [String]) throws -> String {
    String(decoding: try runData(tool, arguments), as: UTF8.self)
  }

  /// Runs a command-line tool and returns its stdout as bytes; throws on a non-zero exit.
  public static func runData(_ tool: String, _ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw Failure(description: "\(tool) exited with \(process.terminationStatus)")
    }
    return data
  }

  /// Writes `data` to a new file in a folder of its own; returns its path.
  public static func temporaryFile(_ data: Data, suffix: String) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appending(path: "beccaria-doc-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let url = directory.appending(path: "document\(suffix)")
    try data.write(to: url)
    return url.path
  }

  /// The text of each page.
  public static func pages(_ path: String) throws -> [String] {
    try run("pdftotext", ["-enc", "UTF-8", "-layout", path, "-"]).components(separatedBy: "\u{0C}").filter {
      !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }
  }

  /// The fonts `pdffonts` lists, each with whether it is embedded (columns: name type encoding
  /// emb sub uni object ID; "emb" must be yes).
  public static func fonts(_ path: String) throws -> [(line: Substring, embedded: Bool)] {
    try run("pdffonts", [path]).split(separator: "\n").dropFirst(2).map { line in
      let columns = line.split(separator: " ", omittingEmptySubsequences: true)
      return (line, columns.count >= 7 && columns[columns.count - 5] == "yes")
    }
  }

  /// Whether the file uses fonts and embeds every one.
  public static func fontsEmbedded(_ path: String) throws -> Bool {
    let fonts = try fonts(path)
    return !fonts.isEmpty && fonts.allSatisfy(\.embedded)
  }

  /// QR payloads found on one page rendered at `dpi` (a sign-in sheet is read at 150, a
  /// certificate, whose code carries its signed data, at 300 like a document scan).
  public static func qrCodes(_ path: String, page: Int, dpi: Int = 150) throws -> [String] {
    let prefix = FileManager.default.temporaryDirectory.appending(path: "qr-\(UUID().uuidString)").path
    _ = try run("pdftoppm", ["-r", String(dpi), "-f", String(page), "-l", String(page), "-png", "-singlefile", path, prefix])
    defer { try? FileManager.default.removeItem(atPath: prefix + ".png") }
    return try run("zbarimg", ["--quiet", "--raw", prefix + ".png"]).split(separator: "\n").map(String.init)
  }
}
