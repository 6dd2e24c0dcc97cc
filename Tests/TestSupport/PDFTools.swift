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

  /// One embedded font of a PDF as the reader's tools see it: its face (the `pdffonts` name
  /// without the subset tag, "CID" added for a Type0 font), the characters its ToUnicode CMap
  /// maps to (read with qpdf), and the glyphs of its program that have an outline (counted by
  /// fontTools' `ttx` in the `glyf` table; a glyph emptied by subsetting has none).
  public struct EmbeddedFont: Equatable, CustomStringConvertible {
    public var face: String
    /// The subset tag (the six letters before the `+` of its name); not compared.
    public var tag: String
    public var characters: Set<Character>
    public var outlines: Int
    public var description: String { "\(tag)+\(face): \(outlines) outlines, \(String(characters.sorted()))" }

    public static func == (left: EmbeddedFont, right: EmbeddedFont) -> Bool {
      left.face == right.face && left.characters == right.characters && left.outlines == right.outlines
    }

    /// The fonts of one face taken together (a layout may give a face several subsets): their
    /// characters and outlines added up, their tags joined.
    public static func byFace(_ fonts: [EmbeddedFont]) -> [String: EmbeddedFont] {
      fonts.reduce(into: [:]) { faces, font in
        guard var known = faces[font.face] else { return faces[font.face] = font }
        known.characters.formUnion(font.characters)
        known.outlines += font.outlines
        known.tag = [known.tag, font.tag].sorted().joined(separator: ",")
        faces[font.face] = known
      }
    }
  }

  /// The embedded fonts of each file; one `ttx` run for all their programs.
  public static func embeddedFonts(_ paths: [String]) throws -> [[EmbeddedFont]] {
    let folder = FileManager.default.temporaryDirectory.appending(path: "beccaria-fonts-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    var found: [[(font: EmbeddedFont, program: String)]] = []
    var programs: [String] = []
    for (fileIndex, path) in paths.enumerated() {
      var fonts: [(font: EmbeddedFont, program: String)] = []
      for (line, _) in try PDFTools.fonts(path) {
        let columns = line.split(separator: " ", omittingEmptySubsequences: true)
        guard columns.count >= 7, let name = columns.first?.split(separator: "+").last,
          let tag = columns.first?.split(separator: "+").first
        else { continue }
        let object = String(columns[columns.count - 2])
        let face = String(name) + (line.contains("CID") ? " CID" : "")
        let dictionary = try run("qpdf", ["--show-object=\(object)", path])
        let toUnicode = try reference("/ToUnicode", in: dictionary)
        var descriptorHolder = dictionary
        if let descendant = try? reference("/DescendantFonts [", in: dictionary) {
          descriptorHolder = try run("qpdf", ["--show-object=\(descendant)", path])
        }
        let descriptor = try run("qpdf", ["--show-object=\(try reference("/FontDescriptor", in: descriptorHolder))", path])
        let programFile = folder.appending(path: "f\(fileIndex)-\(object).ttf").path
        try runData("qpdf", ["--show-object=\(try reference("/FontFile2", in: descriptor))", "--filtered-stream-data", path])
          .write(to: URL(fileURLWithPath: programFile))
        programs.append(programFile)
        let cmap = try run("qpdf", ["--show-object=\(toUnicode)", "--filtered-stream-data", path])
        fonts.append(
          (EmbeddedFont(face: face, tag: String(tag), characters: characters(inToUnicode: cmap), outlines: 0), programFile))
      }
      found.append(fonts)
    }
    _ = try run("ttx", ["-q", "-t", "glyf", "-d", folder.path] + programs)
    return try found.map { fonts in
      try fonts.map { entry in
        let xml = try String(contentsOfFile: entry.program.replacingOccurrences(of: ".ttf", with: ".ttx"), encoding: .utf8)
        var font = entry.font
        font.outlines = xml.split(separator: "\n").filter { $0.contains("<TTGlyph ") && !$0.contains("/>") }.count
        return font
      }
    }
  }

  /// The number of the indirect reference after `key` in a dictionary as qpdf prints it.
  static func reference(_ key: String, in dictionary: String) throws -> String {
    guard let range = dictionary.range(of: key),
      let number = dictionary[range.upperBound...].split(separator: " ", omittingEmptySubsequences: true).first
    else { throw Failure(description: "no \(key) in \(dictionary)") }
    return String(number)
  }

  /// The characters a ToUnicode CMap maps codes to (its `bfchar` pairs and `bfrange` triples).
  static func characters(inToUnicode cmap: String) -> Set<Character> {
    var characters = Set<Character>()
    func text(_ hex: Substring) -> String {
      let units = stride(from: 0, to: hex.count - 3, by: 4).compactMap { offset -> UInt16? in
        let start = hex.index(hex.startIndex, offsetBy: offset)
        return UInt16(hex[start..<hex.index(start, offsetBy: 4)], radix: 16)
      }
      return String(decoding: units, as: UTF16.self)
    }
    var section = ""
    for line in cmap.split(separator: "\n") {
      if line.hasSuffix("beginbfchar") { section = "char" } else if line.hasSuffix("beginbfrange") { section = "range" }
      if line.hasPrefix("end") { section = "" }
      let strings = line.matches(of: /<([0-9a-fA-F]+)>/).map { $0.output.1 }
      if section == "char", strings.count == 2 {
        characters.formUnion(text(strings[1]))
      } else if section == "range", strings.count == 3, let low = Int(strings[0], radix: 16),
        let high = Int(strings[1], radix: 16), let first = UInt32(strings[2], radix: 16)
      {
        for offset in 0...max(0, high - low) {
          if let scalar = Unicode.Scalar(first + UInt32(offset)) { characters.insert(Character(scalar)) }
        }
      }
    }
    return characters
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
