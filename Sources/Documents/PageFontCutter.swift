import Foundation
import PDFAssembly

/// Cuts the fonts of a combined batch document down to what each page shows, so that a
/// certificate's file carries no glyph, width or ToUnicode entry of another holder's text
/// (PDFAssembly reads what a page shows and rewrites the font objects; HarfBuzz cuts the
/// programs). One per batch share, used on one thread: fonts are read once, and a font cut to
/// the same codes for another page (the programme's texts) is reused.
///
/// Digits are the one exception to "only what it shows": a face that prints any digit keeps
/// every digit the batch's subset has. The set of digits a file carried would otherwise tell
/// which digits its holder's birth date and serial contain; and with the digits whole, a face
/// that prints numbers is cut once for all pages instead of once per combination.
struct PageFontCutter {
  let document: PDFPageSplitter
  private var fonts: [Int: PDFPageSplitter.EmbeddedFont] = [:]
  private var shownText = PDFPageSplitter.ShownTextCache()
  /// Fonts cut for earlier pages, by font and codes; `compressed` false while the program is
  /// stored as cut (see `ProgramCuts`).
  private var cuts: [Int: [Set<UInt16>: (objects: [Int: PDFPageSplitter.Replacement], compressed: Bool)]] = [:]
  private var programs: [Int: StoredProgram] = [:]
  private let deflater = Zlib.Deflater()

  init(_ document: PDFPageSplitter) { self.document = document }

  /// The replacement objects for page `index` with `stamp` on top (as `PDFPageSplitter.page`
  /// takes them). Throws for a font this cannot cut; the caller renders that certificate whole.
  mutating func replacements(page index: Int, stamp: PDFPageSplitter.Stamp) throws -> [Int: PDFPageSplitter.Replacement] {
    var replacements: [Int: PDFPageSplitter.Replacement] = [:]
    for (number, shown) in try document.codesShown(onPage: index, stamp: stamp, cache: &shownText) {
      var codes = shown
      let font = try fonts[number] ?? document.embeddedFont(number)
      fonts[number] = font
      if font.kind == .simple, !codes.isDisjoint(with: Self.digits) {
        codes.formUnion(Self.digits.filter { font.text[$0] == [$0] })
      }
      let objects = try cut(font, to: codes)
      try replacements.merge(objects) { first, second in
        guard first == second else { throw RenderError("two fonts of page \(index + 1) share an object") }
        return first
      }
    }
    return replacements
  }

  /// The codes of 0 to 9 in a simple font (WinAnsi codes them as ASCII does).
  static let digits = Set<UInt16>(0x30...0x39)

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

  private mutating func cut(_ font: PDFPageSplitter.EmbeddedFont, to codes: Set<UInt16>) throws -> [Int: PDFPageSplitter
    .Replacement]
  {
    let number = font.object
    if let known = cuts[number]?[codes], known.compressed { return known.objects }
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
    let objects = try document.objects(
      cutting: font, to: codes, program: cut.bytes, compressed: cut.compressed, length1: cut.length)
    cuts[number, default: [:]][codes] = (objects, cut.compressed)
    return objects
  }
}

/// A font program as a combined document stores it (Flate-compressed, `length1` bytes expanded),
/// expanded at most once for all the pages of a share that need it cut.
final class StoredProgram {
  let compressed: Data
  let length1: Int
  /// Tells programs apart in `ProgramCuts` without hashing kilobytes for every lookup.
  let fingerprint: Int
  private(set) lazy var expanded: [UInt8]? = Zlib.inflate([UInt8](compressed)[...], expectedSize: length1)

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
/// program and codes in every batch share, so most fonts of most pages are cut once. A cut is
/// first stored as it is (a font stream without a filter) and compressed when it is asked for a
/// second time: a holder's name is cut for one page only, and compressing its small program
/// cost more than the rest of cutting it, for some hundred bytes of its file. Emptied when
/// full; a hit is checked against the whole program, so two programs with one fingerprint never
/// share a cut.
final class ProgramCuts: @unchecked Sendable {
  private let lock = NSLock()
  private var entries: [ProgramCut: (program: Data, bytes: [UInt8], compressed: Bool, length: Int)] = [:]
  let capacity: Int

  init(capacity: Int) { self.capacity = capacity }

  /// The program cut as `key` says: its bytes, whether they are Flate-compressed, and its length
  /// as cut.
  func cut(_ program: StoredProgram, _ key: ProgramCut, deflater: Zlib.Deflater) -> (
    bytes: [UInt8], compressed: Bool, length: Int
  )? {
    if let known = lock.withLock({ entries[key] }), known.program == program.compressed {
      if known.compressed { return (known.bytes, true, known.length) }
      guard let compressed = deflater.deflate(known.bytes) else { return nil }
      lock.withLock { entries[key] = (program.compressed, compressed, true, known.length) }
      return (compressed, true, known.length)
    }
    guard let expanded = program.expanded, let cut = TrueType.cut(expanded, unicodes: key.unicodes, glyphs: key.glyphs)
    else { return nil }
    lock.withLock {
      if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
      entries[key] = (program.compressed, cut, false, cut.count)
    }
    return (cut, false, cut.count)
  }
}

let cutPrograms = ProgramCuts(capacity: 1024)
