import CPangoCairo
import Foundation

extension PDFPageSplitter {
  /// The PDF Cairo wrote, with every embedded TrueType program (`/FontFile2`) stripped of its
  /// hinting by HarfBuzz's subsetter: the glyph instructions and the `fpgm`, `prep` and `cvt `
  /// tables go; outlines, metrics, glyph ids and `cmap` stay as they were, so the content streams,
  /// widths and ToUnicode maps still fit. Hinting only steers rasterisation at small pixel sizes
  /// on screen (print and current viewers do without); in DejaVu's subsets it is more than half
  /// the bytes. A font program HarfBuzz cannot process is kept as it is.
  public static func withoutFontHinting(_ pdf: Data) throws -> Data {
    let document = try PDFPageSplitter(pdf)
    let bytes = document.bytes
    // The font programs, by the descriptors that name them.
    var programs = Set<Int>()
    for object in document.objects.values {
      var cursor = object.range.lowerBound
      while let key = firstRange(of: Array("/FontFile2".utf8), in: bytes, within: cursor..<object.headEnd) {
        if let number = references(in: bytes, from: key.upperBound, to: min(object.headEnd, key.upperBound + 24)).first {
          programs.insert(number)
        }
        cursor = key.upperBound
      }
    }
    guard !programs.isEmpty else { return pdf }
    let ordered = document.objects.sorted { $0.value.range.lowerBound < $1.value.range.lowerBound }
    guard let first = ordered.first,
      let trailer = lastRange(of: Array("trailer".utf8), in: bytes),
      let startxref = lastRange(of: Array("startxref".utf8), in: bytes),
      let size = firstRange(of: Array("/Size".utf8), in: bytes, within: trailer.upperBound..<startxref.lowerBound)
        .flatMap({ integer(in: bytes, from: $0.upperBound) })?.value,
      size > ordered.map(\.key).max() ?? 0
    else { throw RenderError("the PDF's trailer is not as Cairo writes it") }

    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    out += bytes[0..<first.value.range.lowerBound]
    var offsets = [Int?](repeating: nil, count: size)
    for (number, object) in ordered {
      offsets[number] = out.count
      if programs.contains(number), let replaced = document.unhinted(number) {
        out += replaced
      } else {
        out += bytes[object.range]
      }
    }
    let xref = out.count
    out += Array("xref\n0 \(size)\n".utf8)
    for offset in offsets {
      if let offset { appendXrefEntry(offset, to: &out) } else { out += Array("0000000000 65535 f \n".utf8) }
    }
    out += bytes[trailer.lowerBound..<startxref.lowerBound]
    out += Array("startxref\n\(xref)\n%%EOF\n".utf8)
    return Data(out)
  }

  /// Font program object `number` rewritten without hinting, or nil when it cannot be (not
  /// Flate-compressed, not a font HarfBuzz reads, or no smaller).
  func unhinted(_ number: Int) -> [UInt8]? {
    guard let object = objects[number] else { return nil }
    let head = object.range.lowerBound..<object.headEnd
    guard Self.firstRange(of: Array("/FlateDecode".utf8), in: bytes, within: head) != nil,
      let lengthKey = Self.firstRange(of: Array("/Length ".utf8), in: bytes, within: head),
      let declared = Self.integer(in: bytes, from: lengthKey.upperBound),
      let expandedKey = Self.firstRange(of: Array("/Length1".utf8), in: bytes, within: head),
      let expanded = Self.integer(in: bytes, from: expandedKey.upperBound)?.value
    else { return nil }
    var length = declared.value
    if Self.hasPrefix(Array(" 0 R".utf8), in: bytes, at: declared.end) {
      // An indirect length: `N 0 obj <length> endobj`.
      guard let holder = objects[declared.value],
        let value = Self.integer(in: bytes, from: holder.sites[0].digits.upperBound + " 0 obj".utf8.count)
      else { return nil }
      length = value.value
    }
    let start = object.headEnd + "\nstream\n".utf8.count
    guard Self.hasPrefix(Array("\nstream\n".utf8), in: bytes, at: object.headEnd), start + length <= object.range.upperBound
    else { return nil }
    let stream = Data(bytes[start..<start + length])
    guard
      let program = unhintedPrograms.value(
        for: stream,
        computing: { stream in
          guard let program = Zlib.inflate([UInt8](stream)[...], expectedSize: expanded),
            let stripped = TrueType.withoutHinting(program),
            let compressed = Zlib.deflate(stripped), compressed.count < stream.count
          else { return nil }
          return (compressed, stripped.count)
        })
    else { return nil }
    var out = Array(
      "\(number) 0 obj\n<< /Length \(program.compressed.count)\n   /Filter /FlateDecode\n   /Length1 \(program.length)\n>>\nstream\n"
        .utf8)
    out += program.compressed
    out += Array("\nendstream\nendobj\n".utf8)
    return out
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
    program.withUnsafeBufferPointer { buffer -> [UInt8]? in
      guard let base = buffer.baseAddress,
        let blob = hb_blob_create(
          UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), UInt32(buffer.count), HB_MEMORY_MODE_READONLY, nil,
          nil)
      else { return nil }
      defer { hb_blob_destroy(blob) }
      guard let face = hb_face_create(blob, 0) else { return nil }
      defer { hb_face_destroy(face) }
      let glyphs = hb_face_get_glyph_count(face)
      guard glyphs > 0, let input = hb_subset_input_create_or_fail() else { return nil }
      defer { hb_subset_input_destroy(input) }
      hb_set_add_range(hb_subset_input_glyph_set(input), 0, glyphs - 1)
      hb_set_add(hb_subset_input_set(input, HB_SUBSET_SETS_NO_SUBSET_TABLE_TAG), tag("cmap"))
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

/// zlib's one-shot calls, for PDF Flate streams.
enum Zlib {
  static func inflate(_ data: ArraySlice<UInt8>, expectedSize: Int) -> [UInt8]? {
    guard expectedSize > 0 else { return nil }
    var out = [UInt8](repeating: 0, count: expectedSize)
    var size = uLongf(expectedSize)
    let status = data.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { target in
        uncompress(target.baseAddress, &size, source.baseAddress, uLong(source.count))
      }
    }
    return status == Z_OK && Int(size) == expectedSize ? out : nil
  }

  /// zlib's default level: on font programs of a few KB, the best level saved 0.05 % of a
  /// certificate's file and took several times as long, on every batch share.
  static func deflate(_ data: [UInt8]) -> [UInt8]? {
    var size = compressBound(uLong(data.count))
    var out = [UInt8](repeating: 0, count: Int(size))
    let status = data.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { target in
        compress2(target.baseAddress, &size, source.baseAddress, uLong(source.count), Z_DEFAULT_COMPRESSION)
      }
    }
    guard status == Z_OK else { return nil }
    out.removeSubrange(Int(size)...)
    return out
  }
}
