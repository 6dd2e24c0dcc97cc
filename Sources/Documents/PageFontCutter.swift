import Foundation
import PDFAssembly

/// Cuts the fonts of a combined batch document down to what each page shows, so that a
/// certificate's file carries no glyph, width or ToUnicode entry of another holder's text
/// (PDFAssembly reads what a page shows and rewrites the font objects; HarfBuzz cuts the
/// programs). One per batch share, used on one thread: fonts are read once, and a font cut to
/// the same codes for another page (the programme's texts, the same serial digits) is reused.
struct PageFontCutter {
  let document: PDFPageSplitter
  private var fonts: [Int: PDFPageSplitter.EmbeddedFont] = [:]
  private var shownText = PDFPageSplitter.ShownTextCache()
  private var cuts: [Int: [Set<UInt16>: [Int: PDFPageSplitter.Replacement]]] = [:]
  private var programs: [Int: StoredProgram] = [:]
  private let deflater = Zlib.Deflater()

  init(_ document: PDFPageSplitter) { self.document = document }

  /// The replacement objects for page `index` with `stamp` on top (as `PDFPageSplitter.page`
  /// takes them). Throws for a font this cannot cut; the caller renders that certificate whole.
  mutating func replacements(page index: Int, stamp: PDFPageSplitter.Stamp) throws -> [Int: PDFPageSplitter.Replacement] {
    var replacements: [Int: PDFPageSplitter.Replacement] = [:]
    for (number, codes) in try document.codesShown(onPage: index, stamp: stamp, cache: &shownText) {
      let objects = try cut(number, to: codes)
      try replacements.merge(objects) { first, second in
        guard first == second else { throw RenderError("two fonts of page \(index + 1) share an object") }
        return first
      }
    }
    return replacements
  }

  /// The one Unicode scalar that UTF-16 `units` spell, if they spell one.
  static func scalar(_ units: [UInt16]) -> UInt32? {
    switch units.count {
    case 1 where !UTF16.isLeadSurrogate(units[0]) && !UTF16.isTrailSurrogate(units[0]):
      return UInt32(units[0])
    case 2 where UTF16.isLeadSurrogate(units[0]) && UTF16.isTrailSurrogate(units[1]):
      return 0x10000 + (UInt32(units[0]) - 0xD800) << 10 + (UInt32(units[1]) - 0xDC00)
    default:
      return nil
    }
  }

  private mutating func cut(_ number: Int, to codes: Set<UInt16>) throws -> [Int: PDFPageSplitter.Replacement] {
    if let known = cuts[number]?[codes] { return known }
    let font = try fonts[number] ?? document.embeddedFont(number)
    fonts[number] = font
    let program: StoredProgram
    if let known = programs[font.program] {
      program = known
    } else {
      guard let stored = document.flateStream(font.program) else {
        throw RenderError("the program of font \(number) is no Flate stream with a /Length1")
      }
      program = StoredProgram(compressed: stored.compressed, length1: stored.length1)
      programs[font.program] = program
    }
    var key = ProgramCut(fingerprint: program.fingerprint, length1: program.length1, unicodes: [], glyphs: [])
    switch font.kind {
    case .simple:
      // One scalar per code (WinAnsi codes stand for single characters).
      for code in codes.sorted() {
        guard let units = font.text[code], let scalar = Self.scalar(units) else {
          throw RenderError("code \(code) of font \(number) stands for no single character")
        }
        key.unicodes.append(scalar)
      }
    case .composite:
      key.glyphs = codes.sorted().map(UInt32.init)
    }
    guard let cut = cutPrograms.cut(program, key, deflater: deflater) else {
      throw RenderError("the program of font \(number) could not be cut")
    }
    let objects = try document.objects(cutting: font, to: codes, program: cut.compressed, length1: cut.length)
    cuts[number, default: [:]][codes] = objects
    return objects
  }
}

/// A font program as a combined document stores it (Flate-compressed, `length1` bytes expanded).
struct StoredProgram {
  let compressed: Data
  let length1: Int
  /// Tells programs apart in `ProgramCuts` without hashing kilobytes for every lookup.
  let fingerprint: Int

  init(compressed: Data, length1: Int) {
    self.compressed = compressed
    self.length1 = length1
    var hasher = Hasher()
    compressed.withUnsafeBytes { hasher.combine(bytes: $0) }
    fingerprint = hasher.finalize()
  }
}

/// What to keep of a program: the glyphs of `unicodes` (simple fonts) or `glyphs` (by id).
struct ProgramCut: Hashable {
  var fingerprint: Int
  var length1: Int
  var unicodes: [UInt32]
  var glyphs: [UInt32]
}

/// Programs already cut, shared by the threads of a process: a programme's texts give the same
/// program and codes in every batch share (and serial numbers and birth dates the same digits),
/// so most fonts of most pages are cut once. Emptied when full; a hit is checked against the
/// whole program, so two programs with one fingerprint never share a cut.
final class ProgramCuts: @unchecked Sendable {
  private let lock = NSLock()
  private var entries: [ProgramCut: (program: Data, compressed: [UInt8], length: Int)] = [:]
  let capacity: Int

  init(capacity: Int) { self.capacity = capacity }

  func cut(_ program: StoredProgram, _ key: ProgramCut, deflater: Zlib.Deflater) -> (compressed: [UInt8], length: Int)? {
    if let known = lock.withLock({ entries[key] }), known.program == program.compressed {
      return (known.compressed, known.length)
    }
    guard let expanded = Zlib.inflate([UInt8](program.compressed)[...], expectedSize: program.length1),
      let cut = TrueType.cut(expanded, unicodes: key.unicodes, glyphs: key.glyphs),
      let compressed = deflater.deflate(cut)
    else { return nil }
    lock.withLock {
      if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
      entries[key] = (program.compressed, compressed, cut.count)
    }
    return (compressed, cut.count)
  }
}

let cutPrograms = ProgramCuts(capacity: 1024)
