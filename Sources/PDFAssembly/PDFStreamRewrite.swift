import Foundation

/// Rewriting whole objects of a PDF this target reads (ACCEPTS.md), for transformations of
/// stream data that belong to other targets (Documents strips the hinting from font programs).
extension PDFPageSplitter {
  /// The objects that `key` names in any dictionary (`/FontFile2` names the TrueType programs).
  public func objects(namedBy key: String) -> Set<Int> {
    var found = Set<Int>()
    let needle = Array(key.utf8)
    for object in objects.values {
      var cursor = object.range.lowerBound
      while let match = Self.firstRange(of: needle, in: bytes, within: cursor..<object.headEnd) {
        if let number = Self.references(in: bytes, from: match.upperBound, to: min(object.headEnd, match.upperBound + 24)).first {
          found.insert(number)
        }
        cursor = match.upperBound
      }
    }
    return found
  }

  /// The data of object `number` when it is a Flate-compressed stream with a `/Length1` (a font
  /// program), as stored (still compressed), with its `/Length1`; nil for any other object.
  public func flateStream(_ number: Int) -> (compressed: Data, length1: Int)? {
    guard let stream = streamExtent(number),
      Self.firstRange(of: Array("/FlateDecode".utf8), in: bytes, within: stream.head) != nil,
      let expandedKey = Self.firstRange(of: Array("/Length1".utf8), in: bytes, within: stream.head),
      let expanded = Self.integer(in: bytes, from: expandedKey.upperBound)?.value
    else { return nil }
    return (Data(bytes[stream.data]), expanded)
  }

  /// Where stream object `number`'s dictionary and data stand, its `/Length` direct or an
  /// indirect `N 0 obj <length> endobj`; nil for an object that is no such stream or whose data
  /// would run past it.
  func streamExtent(_ number: Int) -> (head: Range<Int>, data: Range<Int>)? {
    guard let object = objects[number] else { return nil }
    let head = object.range.lowerBound..<object.headEnd
    guard Self.hasPrefix(Array("\nstream\n".utf8), in: bytes, at: object.headEnd),
      let lengthKey = Self.firstRange(of: Array("/Length ".utf8), in: bytes, within: head),
      let declared = Self.integer(in: bytes, from: lengthKey.upperBound)
    else { return nil }
    var length = declared.value
    if Self.hasPrefix(Array(" 0 R".utf8), in: bytes, at: declared.end) {
      guard let holder = objects[declared.value],
        let value = Self.integer(in: bytes, from: holder.sites[0].digits.upperBound + " 0 obj".utf8.count)
      else { return nil }
      length = value.value
    }
    let start = object.headEnd + "\nstream\n".utf8.count
    guard length >= 0, start + length <= object.range.upperBound else { return nil }
    return (head, start..<start + length)
  }

  /// A stream object `number` holding Flate-compressed `compressed` (`length1` bytes expanded),
  /// as `replacing` takes it.
  public static func flateStreamObject(number: Int, compressed: [UInt8], length1: Int) -> [UInt8] {
    var out = Array(
      "\(number) 0 obj\n<< /Length \(compressed.count)\n   /Filter /FlateDecode\n   /Length1 \(length1)\n>>\nstream\n".utf8)
    out += compressed
    out += Array("\nendstream\nendobj\n".utf8)
    return out
  }

  /// A stream object `number` holding a font program without a filter (`/Length1` its length).
  public static func plainStreamObject(number: Int, _ program: [UInt8]) -> [UInt8] {
    var out = Array("\(number) 0 obj\n<< /Length \(program.count)\n   /Length1 \(program.count)\n>>\nstream\n".utf8)
    out += program
    out += Array("\nendstream\nendobj\n".utf8)
    return out
  }

  /// The whole PDF with every object in `numbers` for which `replacement` gives bytes (a complete
  /// `N 0 obj … endobj`) replaced by them, and its cross-reference table written anew.
  public func replacing(_ numbers: Set<Int>, with replacement: (Int) -> [UInt8]?) throws -> Data {
    let ordered = objects.sorted { $0.value.range.lowerBound < $1.value.range.lowerBound }
    guard let first = ordered.first,
      let trailer = Self.lastRange(of: Array("trailer".utf8), in: bytes),
      let startxref = Self.lastRange(of: Array("startxref".utf8), in: bytes),
      trailer.upperBound <= startxref.lowerBound,
      let size = Self.firstRange(of: Array("/Size".utf8), in: bytes, within: trailer.upperBound..<startxref.lowerBound)
        .flatMap({ Self.integer(in: bytes, from: $0.upperBound) })?.value,
      size > ordered.map(\.key).max() ?? 0, size <= objectLimit + 1
    else { throw PDFInputError("the PDF's trailer is not as Cairo writes it") }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    out += bytes[0..<first.value.range.lowerBound]
    var offsets = [Int?](repeating: nil, count: size)
    for (number, object) in ordered {
      offsets[number] = out.count
      if numbers.contains(number), let replaced = replacement(number) {
        out += replaced
      } else {
        out += bytes[object.range]
      }
    }
    let xref = out.count
    out += Array("xref\n0 \(size)\n".utf8)
    for offset in offsets {
      if let offset { Self.appendXrefEntry(offset, to: &out) } else { out += Array("0000000000 65535 f \n".utf8) }
    }
    out += bytes[trailer.lowerBound..<startxref.lowerBound]
    out += Array("startxref\n\(xref)\n%%EOF\n".utf8)
    return Data(out)
  }
}
