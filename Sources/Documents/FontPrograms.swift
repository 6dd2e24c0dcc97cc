import CPangoCairo
import Foundation
import PDFAssembly

extension PDFPageSplitter {
  /// The PDF Cairo wrote, with every embedded TrueType program (`/FontFile2`) stripped of its
  /// hinting by HarfBuzz's subsetter: the glyph instructions and the `fpgm`, `prep` and `cvt `
  /// tables go; outlines, metrics, glyph ids and `cmap` stay as they were, so the content streams,
  /// widths and ToUnicode maps still fit. Hinting only steers rasterisation at small pixel sizes
  /// on screen (print and current viewers do without); in DejaVu's subsets it is more than half
  /// the bytes. A font program HarfBuzz cannot process is kept as it is.
  public static func withoutFontHinting(_ pdf: Data) throws -> Data {
    let document = try PDFPageSplitter(pdf)
    let programs = document.objects(namedBy: "/FontFile2")
    guard !programs.isEmpty else { return pdf }
    return try document.replacing(programs) { number in
      guard let stream = document.flateStream(number),
        let program = unhintedPrograms.value(
          for: stream.compressed,
          computing: { compressed in
            guard let program = Zlib.inflate([UInt8](compressed)[...], expectedSize: stream.length1),
              let stripped = TrueType.withoutHinting(program),
              let smaller = Zlib.deflate(stripped), smaller.count < compressed.count
            else { return nil }
            return (smaller, stripped.count)
          })
      else { return nil }
      return PDFPageSplitter.flateStreamObject(number: number, compressed: program.compressed, length1: program.length)
    }
  }
}

/// Font programs already stripped, by their compressed stream as Cairo wrote it: the faces of
/// the fixed text give the same subset in every batch, so most are stripped once per process.
let unhintedPrograms = Memo<Data, (compressed: [UInt8], length: Int)?>(capacity: 64)

/// A small thread-safe memo, emptied when full.
final class Memo<Key: Hashable, Value>: @unchecked Sendable {
  private let lock = NSLock()
  private var entries: [Key: Value] = [:]
  let capacity: Int

  init(capacity: Int) { self.capacity = capacity }

  func value(for key: Key, computing compute: (Key) -> Value) -> Value {
    if let known = lock.withLock({ entries[key] }) { return known }
    let value = compute(key)
    lock.withLock {
      if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
      entries[key] = value
    }
    return value
  }
}

/// HarfBuzz's subsetter on one TrueType program.
enum TrueType {
  /// The program without hinting: every glyph kept under its id, `cmap` passed through.
  static func withoutHinting(_ program: [UInt8]) -> [UInt8]? {
    subset(program) { face, input in
      let glyphs = hb_face_get_glyph_count(face)
      guard glyphs > 0 else { return false }
      hb_set_add_range(hb_subset_input_glyph_set(input), 0, glyphs - 1)
      hb_set_add(hb_subset_input_set(input, HB_SUBSET_SETS_NO_SUBSET_TABLE_TAG), tag("cmap"))
      return true
    }
  }

  /// The program with only the glyphs of `unicodes` (through its `cmap`, which keeps only
  /// them) and of `glyphs` (by id), their components and `.notdef`; every other glyph emptied
  /// under its id, so the codes of the content streams still fit. Without hinting.
  static func cut(_ program: [UInt8], unicodes: [UInt32], glyphs: [UInt32]) -> [UInt8]? {
    subset(program) { face, input in
      guard hb_face_get_glyph_count(face) > 0 else { return false }
      let unicodeSet = hb_subset_input_unicode_set(input)
      for unicode in unicodes { hb_set_add(unicodeSet, unicode) }
      let glyphSet = hb_subset_input_glyph_set(input)
      for glyph in glyphs { hb_set_add(glyphSet, glyph) }
      return true
    }
  }

  /// The program subset as `select` sets up the input (false: leave the program alone), glyph
  /// ids retained, hinting dropped, `.notdef` keeping its outline.
  private static func subset(
    _ program: [UInt8], select: (_ face: OpaquePointer, _ input: OpaquePointer) -> Bool
  ) -> [UInt8]? {
    program.withUnsafeBufferPointer { buffer -> [UInt8]? in
      guard let base = buffer.baseAddress,
        let blob = hb_blob_create(
          UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), UInt32(buffer.count), HB_MEMORY_MODE_READONLY, nil,
          nil)
      else { return nil }
      defer { hb_blob_destroy(blob) }
      guard let face = hb_face_create(blob, 0) else { return nil }
      defer { hb_face_destroy(face) }
      guard let input = hb_subset_input_create_or_fail() else { return nil }
      defer { hb_subset_input_destroy(input) }
      guard select(face, input) else { return nil }
      hb_subset_input_set_flags(
        input,
        HB_SUBSET_FLAGS_NO_HINTING.rawValue | HB_SUBSET_FLAGS_RETAIN_GIDS.rawValue
          | HB_SUBSET_FLAGS_NOTDEF_OUTLINE.rawValue)
      guard let subset = hb_subset_or_fail(face, input) else { return nil }
      defer { hb_face_destroy(subset) }
      guard let result = hb_face_reference_blob(subset) else { return nil }
      defer { hb_blob_destroy(result) }
      var length: UInt32 = 0
      guard let data = hb_blob_get_data(result, &length), length > 0 else { return nil }
      return [UInt8](UnsafeRawBufferPointer(start: data, count: Int(length)))
    }
  }

  static func tag(_ name: String) -> hb_tag_t {
    name.utf8.reduce(0) { ($0 << 8) | hb_tag_t($1) }
  }
}
