import Foundation

/// Splits a PDF that Cairo wrote (classic cross-reference table, one object after another, no
/// object streams; ACCEPTS.md says exactly what is read) into one standalone PDF per page, each
/// with a stamp on top. Each page takes
/// the objects it reaches (content, resources, images, fonts with their subsets, widths and
/// ToUnicode maps), renumbered, and gets its own document information. Stream data is copied byte for byte: the fonts of a
/// batch are subset and compressed once, and every page's file carries the same font programs.
public struct PDFPageSplitter: Sendable {
  /// Document information written into one page's file.
  public struct Info: Sendable {
    public var title: String
    public var author: String?
    public var subject: String?
    public var keywords: String?
    /// `YYYYMMDDHHmmSSZ` (see `pdfDate`).
    public var creationDate: String
    /// The document's `/Producer`.
    public var producer: String

    public init(
      title: String, author: String? = nil, subject: String? = nil, keywords: String? = nil,
      creationDate: String = PDFPageSplitter.pdfDate(Date()), producer: String = "beccaria"
    ) {
      self.title = title
      self.author = author
      self.subject = subject
      self.keywords = keywords
      self.creationDate = creationDate
      self.producer = producer
    }
  }

  struct Object: Sendable {
    /// The object's bytes from its number to the end of the object (before the next one).
    var range: Range<Int>
    /// Where its dictionary ends (the start of stream data, or the end of the object).
    var headEnd: Int
    /// Where object numbers stand in its dictionary part (its own number, then every `N 0 R`).
    var sites: [Site]
    /// Objects it refers to, in order of appearance in its dictionary part.
    var references: [Int] { sites.dropFirst().map(\.number) }
  }

  struct Site: Sendable {
    var digits: Range<Int>
    var number: Int
  }

  let bytes: [UInt8]
  var objects: [Int: Object] = [:]
  /// Object numbers are below this (the cross-reference table's extent).
  let objectLimit: Int
  /// The pages in order, by object number.
  public private(set) var pages: [Int] = []
  let pagesTreeNumber: Int

  public init(_ data: Data) throws {
    bytes = [UInt8](data)
    guard let startxref = Self.lastRange(of: Array("startxref".utf8), in: bytes),
      let xrefOffset = Self.integer(in: bytes, from: startxref.upperBound).map({ $0.value }),
      xrefOffset < bytes.count
    else { throw PDFInputError("the combined PDF has no cross-reference table") }
    // xref\n0 N\n then N entries of 20 bytes.
    var cursor = xrefOffset
    guard Self.hasPrefix(Array("xref".utf8), in: bytes, at: cursor) else {
      throw PDFInputError("unexpected cross-reference format")
    }
    cursor += 4
    guard let first = Self.integer(in: bytes, from: cursor), let count = Self.integer(in: bytes, from: first.end) else {
      throw PDFInputError("unexpected cross-reference subsection")
    }
    cursor = count.end
    // Cairo writes one subsection from object 0; a table that starts elsewhere would make the
    // object numbers, and every array sized by them, as large as the file claims.
    guard first.value == 0 else { throw PDFInputError("the cross-reference table does not start at object 0") }
    objectLimit = first.value + count.value
    while cursor < bytes.count, bytes[cursor] == 0x0A || bytes[cursor] == 0x0D || bytes[cursor] == 0x20 { cursor += 1 }
    var offsets: [(number: Int, offset: Int)] = []
    for index in 0..<count.value {
      let entry = cursor + index * 20
      guard entry + 18 <= bytes.count, let offset = Self.integer(in: bytes, from: entry) else {
        throw PDFInputError("the cross-reference table is cut short")
      }
      if bytes[entry + 17] == UInt8(ascii: "n") {
        guard offset.value < xrefOffset else {
          throw PDFInputError("object \(first.value + index) lies outside the objects (offset \(offset.value))")
        }
        offsets.append((first.value + index, offset.value))
      }
    }
    offsets.sort { $0.offset < $1.offset }
    for (position, entry) in offsets.enumerated() {
      let end = position + 1 < offsets.count ? offsets[position + 1].offset : xrefOffset
      guard let object = Self.object(entry.number, in: bytes, range: entry.offset..<end) else {
        throw PDFInputError("object \(entry.number) is not where the cross-reference table says")
      }
      objects[entry.number] = object
    }
    // The trailer names the catalog, the catalog the page tree, the tree its kids.
    guard let trailer = Self.lastRange(of: Array("trailer".utf8), in: bytes),
      let root = Self.referenceAfter(key: "/Root", in: bytes, from: trailer.upperBound, to: bytes.count),
      let catalog = objects[root],
      let tree = Self.referenceAfter(key: "/Pages", in: bytes, from: catalog.range.lowerBound, to: catalog.headEnd),
      let treeObject = objects[tree],
      let kids = Self.firstRange(of: Array("/Kids".utf8), in: bytes, within: treeObject.range.lowerBound..<treeObject.headEnd)
    else { throw PDFInputError("the combined PDF has no page tree") }
    pagesTreeNumber = tree
    pages = Self.references(in: bytes, from: kids.upperBound, to: treeObject.headEnd)
  }

  /// Content added on top of a page when it is split off: fonts of the combined document (by
  /// object number) and an image under resource names of their own, and a content stream drawn
  /// after the page's own (whose graphics state is saved and restored around it).
  public struct Stamp: Sendable {
    public var fonts: [(name: String, object: Int)]
    public var image: (name: String, width: Int, height: Int, grayBits: [UInt8])
    public var content: [UInt8]
    /// The strings `content` shows, by font name, when the caller knows them (then `codesShown`
    /// takes them instead of reading `content`); nil to have `content` read.
    public var shows: [(font: String, codes: [UInt8])]?

    public init(
      fonts: [(name: String, object: Int)], image: (name: String, width: Int, height: Int, grayBits: [UInt8]), content: [UInt8],
      shows: [(font: String, codes: [UInt8])]? = nil
    ) {
      self.fonts = fonts
      self.image = image
      self.content = content
      self.shows = shows
    }
  }

  /// The font objects a page's resources name.
  public func fonts(onPage index: Int) throws -> [Int] {
    guard pages.indices.contains(index), let page = objects[pages[index]],
      let resources = Self.referenceAfter(key: "/Resources", in: bytes, from: page.range.lowerBound, to: page.headEnd),
      let dictionary = objects[resources],
      let fonts = Self.firstRange(
        of: Array("/Font <<".utf8), in: bytes, within: dictionary.range.lowerBound..<dictionary.headEnd),
      let end = Self.firstRange(of: Array(">>".utf8), in: bytes, within: fonts.upperBound..<dictionary.headEnd)
    else { return [] }
    return Self.references(in: bytes, from: fonts.upperBound, to: end.lowerBound)
  }

  /// Whether an object's dictionary contains `text`.
  public func object(_ number: Int, contains text: String) -> Bool {
    guard let object = objects[number] else { return false }
    return Self.firstRange(of: Array(text.utf8), in: bytes, within: object.range.lowerBound..<object.headEnd) != nil
  }

  /// A whole object `N 0 obj … endobj` in a document's numbering, read once, to take the place
  /// of the document's object `N` in the files `page` writes.
  public struct Replacement: Sendable, Equatable {
    let bytes: [UInt8]
    let object: Object

    public init(_ number: Int, _ bytes: [UInt8]) throws {
      guard PDFPageSplitter.hasPrefix(Array("\(number) 0 obj".utf8), in: bytes, at: 0),
        let object = PDFPageSplitter.object(number, in: bytes, range: 0..<bytes.count)
      else { throw PDFInputError("a replacement for object \(number) does not begin with its number") }
      self.bytes = bytes
      self.object = object
    }

    public static func == (left: Replacement, right: Replacement) -> Bool { left.bytes == right.bytes }
  }

  /// Page `index` as a standalone PDF with the given document information and stamp, objects
  /// in `replacements` (such as the fonts `objects(cutting:…)` writes) taking the place of the
  /// document's.
  public func page(_ index: Int, info: Info, stamp: Stamp, replacing replacements: [Int: Replacement] = [:]) throws -> Data {
    guard pages.indices.contains(index), let pageObject = objects[pages[index]] else {
      throw PDFInputError("the combined PDF has no page \(index + 1)")
    }
    guard
      let resources = Self.referenceAfter(
        key: "/Resources", in: bytes, from: pageObject.range.lowerBound, to: pageObject.headEnd)
    else { throw PDFInputError("page \(index + 1) has no resource dictionary to stamp") }
    for number in replacements.keys {
      guard objects[number] != nil, number != pages[index], number != resources else {
        throw PDFInputError("object \(number) cannot be replaced on page \(index + 1)")
      }
    }
    // Objects reachable from the page (its parent, the old page tree, excluded), page first. New
    // numbers by old number in an array (0: not copied): one lookup per reference of every
    // object, for every certificate, where a dictionary's hashing showed in the run's profile.
    var order: [(number: Int, object: Object)] = []
    var newNumber = [Int](repeating: 0, count: objectLimit)
    if pagesTreeNumber < objectLimit { newNumber[pagesTreeNumber] = 2 }
    func renumbered(_ number: Int) -> Int? {
      number >= 0 && number < objectLimit && newNumber[number] != 0 ? newNumber[number] : nil
    }
    var queue = [pages[index]] + stamp.fonts.map(\.object)
    var position = 0
    var next = 3
    while position < queue.count {
      let number = queue[position]
      position += 1
      guard renumbered(number) == nil else { continue }
      guard let object = replacements[number]?.object ?? objects[number], number >= 0, number < objectLimit else {
        throw PDFInputError("the combined PDF refers to a missing object \(number)")
      }
      newNumber[number] = next
      next += 1
      order.append((number, object))
      for site in object.sites.dropFirst() where renumbered(site.number) == nil { queue.append(site.number) }
    }
    // The stamp adds: "q", its content (after "Q"), and the image.
    let opening = next
    let overlay = next + 1
    let image = next + 2
    let infoNumber = next + 3
    var out: [UInt8] = []
    out.reserveCapacity(order.reduce(2048) { $0 + $1.object.range.count })
    out += Array("%PDF-1.5\n%".utf8) + [0xB5, 0xED, 0xAE, 0xFB, 0x0A]
    var offsets = [Int](repeating: 0, count: infoNumber + 1)
    offsets[1] = out.count
    out += Array("1 0 obj\n<< /Type /Catalog\n   /Pages 2 0 R\n>>\nendobj\n".utf8)
    offsets[2] = out.count
    out += Array("2 0 obj\n<< /Type /Pages\n   /Kids [ 3 0 R ]\n   /Count 1\n>>\nendobj\n".utf8)
    for (number, object) in order {
      offsets[newNumber[number]] = out.count
      let bytes = replacements[number]?.bytes ?? self.bytes
      // Every object but the page and its resources goes straight into the file.
      let edited = number == pages[index] || number == resources
      var head: [UInt8] = []
      var copied = object.range.lowerBound
      for site in object.sites {
        let mapped = renumbered(site.number) ?? site.number
        if edited {
          head += bytes[copied..<site.digits.lowerBound]
          Self.appendDecimal(mapped, to: &head)
        } else {
          out += bytes[copied..<site.digits.lowerBound]
          Self.appendDecimal(mapped, to: &out)
        }
        copied = site.digits.upperBound
      }
      guard edited else {
        out += bytes[copied..<object.range.upperBound]
        continue
      }
      head += bytes[copied..<object.headEnd]
      if number == pages[index] {
        head = try Self.replacing(head, pattern: "/Contents ", reference: { "[ \(opening) 0 R \($0) 0 R \(overlay) 0 R ]" })
      } else if number == resources {
        let fonts = try stamp.fonts.map { font -> String in
          guard let mapped = renumbered(font.object) else { throw PDFInputError("stamp font \(font.object) was not copied") }
          return " /\(font.name) \(mapped) 0 R"
        }.joined()
        head = try Self.inserting(fonts, after: "/Font <<", in: head)
        if Self.firstRange(of: Array("/XObject <<".utf8), in: head, within: 0..<head.count) != nil {
          head = try Self.inserting(" /\(stamp.image.name) \(image) 0 R", after: "/XObject <<", in: head)
        } else {
          head = try Self.inserting("\n   /XObject << /\(stamp.image.name) \(image) 0 R >>", after: "<<", in: head)
        }
      }
      out += head
      out += bytes[object.headEnd..<object.range.upperBound]
    }
    offsets[opening] = out.count
    out += Array("\(opening) 0 obj\n<< /Length 2 >>\nstream\nq\n\nendstream\nendobj\n".utf8)
    offsets[overlay] = out.count
    let content = Array("Q\n".utf8) + stamp.content
    out += Array("\(overlay) 0 obj\n<< /Length \(content.count) >>\nstream\n".utf8) + content
    out += Array("\nendstream\nendobj\n".utf8)
    let picture = stamp.image
    offsets[image] = out.count
    out += Array(
      "\(image) 0 obj\n<< /Type /XObject\n   /Subtype /Image\n   /Width \(picture.width)\n   /Height \(picture.height)\n   /ColorSpace /DeviceGray\n   /BitsPerComponent 1\n   /Interpolate false\n   /Length \(picture.grayBits.count)\n>>\nstream\n"
        .utf8)
    out += picture.grayBits
    out += Array("\nendstream\nendobj\n".utf8)
    offsets[infoNumber] = out.count
    out += Array("\(infoNumber) 0 obj\n<< /Title ".utf8) + Self.textString(info.title)
    if let author = info.author { out += Array("\n   /Author ".utf8) + Self.textString(author) }
    if let subject = info.subject { out += Array("\n   /Subject ".utf8) + Self.textString(subject) }
    if let keywords = info.keywords { out += Array("\n   /Keywords ".utf8) + Self.textString(keywords) }
    out += Array("\n   /Creator (beccaria)\n   /Producer ".utf8) + Self.textString(info.producer)
    out += Array("\n   /CreationDate (D:\(info.creationDate))\n>>\nendobj\n".utf8)
    let xref = out.count
    out += Array("xref\n0 \(infoNumber + 1)\n0000000000 65535 f \n".utf8)
    for number in 1...infoNumber { Self.appendXrefEntry(offsets[number], to: &out) }
    out += Array(
      "trailer\n<< /Size \(infoNumber + 1)\n   /Root 1 0 R\n   /Info \(infoNumber) 0 R\n>>\nstartxref\n\(xref)\n%%EOF\n".utf8)
    return Data(out)
  }

  /// Object `number` read where it stands in `bytes` (`range`, from its number to the next
  /// object): where its dictionary ends and where object numbers stand in it; nil when `range`
  /// does not begin with that number.
  static func object(_ number: Int, in bytes: [UInt8], range: Range<Int>) -> Object? {
    guard let own = integer(in: bytes, from: range.lowerBound), own.value == number else { return nil }
    let headEnd =
      firstRange(of: Array(">>\nstream\n".utf8), in: bytes, within: range).map { $0.lowerBound + 2 } ?? range.upperBound
    let header = Site(digits: own.end - String(own.value).utf8.count..<own.end, number: own.value)
    return Object(range: range, headEnd: headEnd, sites: [header] + referenceSites(in: bytes, from: own.end, to: headEnd))
  }

  /// Replaces the reference `N 0 R` after `pattern` with what `reference(N)` gives.
  static func replacing(_ head: [UInt8], pattern: String, reference: (Int) -> String) throws -> [UInt8] {
    guard let key = firstRange(of: Array(pattern.utf8), in: head, within: 0..<head.count),
      let number = integer(in: head, from: key.upperBound),
      hasPrefix(Array(" 0 R".utf8), in: head, at: number.end)
    else { throw PDFInputError("the page has no single \(pattern)reference to stamp") }
    return Array(head[..<key.upperBound]) + Array(reference(number.value).utf8) + Array(head[(number.end + 4)...])
  }

  /// Inserts `text` right after the first `marker`.
  static func inserting(_ text: String, after marker: String, in head: [UInt8]) throws -> [UInt8] {
    guard let found = firstRange(of: Array(marker.utf8), in: head, within: 0..<head.count) else {
      throw PDFInputError("the page's resources have no \(marker)")
    }
    return Array(head[..<found.upperBound]) + Array(text.utf8) + Array(head[found.upperBound...])
  }

  /// A cross-reference entry of an object in use at `offset` (20 bytes).
  static func appendXrefEntry(_ offset: Int, to out: inout [UInt8]) {
    var digits = Array("0000000000 00000 n \n".utf8)
    var value = offset
    var position = 9
    while value > 0, position >= 0 {
      digits[position] = UInt8(0x30 + value % 10)
      value /= 10
      position -= 1
    }
    out += digits
  }

  /// `value` (non-negative) in decimal digits.
  public static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
    if value >= 10 { appendDecimal(value / 10, to: &out) }
    out.append(UInt8(0x30 + value % 10))
  }

  /// A PDF text string: literal when printable ASCII, otherwise UTF-16BE with a byte order mark.
  static func textString(_ text: String) -> [UInt8] {
    if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
      var out: [UInt8] = [UInt8(ascii: "(")]
      for byte in text.utf8 {
        if byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
        out.append(byte)
      }
      out.append(UInt8(ascii: ")"))
      return out
    }
    let hex = Array("0123456789ABCDEF".utf8)
    var out = Array("<FEFF".utf8)
    for unit in text.utf16 {
      for shift in [12, 8, 4, 0] { out.append(hex[Int(unit >> UInt16(shift)) & 0xF]) }
    }
    out.append(UInt8(ascii: ">"))
    return out
  }

  /// A date as the PDF's document information writes it (UTC).
  public static func pdfDate(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
    let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    return String(
      format: "%04d%02d%02d%02d%02d%02dZ", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1, parts.hour ?? 0,
      parts.minute ?? 0, parts.second ?? 0)
  }

  static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

  /// Every `N 0 R` between two offsets, in order.
  static func references(in bytes: [UInt8], from start: Int, to end: Int) -> [Int] {
    referenceSites(in: bytes, from: start, to: end).map(\.number)
  }

  static func referenceSites(in bytes: [UInt8], from start: Int, to end: Int) -> [Site] {
    var found: [Site] = []
    var index = max(0, start)
    let end = min(end, bytes.count)
    while index < end {
      guard isDigit(bytes[index]), index == 0 || !isDigit(bytes[index - 1]) else {
        index += 1
        continue
      }
      var cursor = index
      var value = 0
      while cursor < end, isDigit(bytes[cursor]) {
        // Long digit runs (hex strings such as a UTF-16 title) are no object numbers.
        value = cursor - index < 9 ? value * 10 + Int(bytes[cursor] - 0x30) : -1
        cursor += 1
      }
      if value >= 0, cursor + 4 <= end, bytes[cursor] == 0x20, bytes[cursor + 1] == 0x30, bytes[cursor + 2] == 0x20,
        bytes[cursor + 3] == UInt8(ascii: "R")
      {
        found.append(Site(digits: index..<cursor, number: value))
      }
      index = cursor
    }
    return found
  }

  static func referenceAfter(key: String, in bytes: [UInt8], from start: Int, to end: Int) -> Int? {
    guard let range = firstRange(of: Array(key.utf8), in: bytes, within: start..<end) else { return nil }
    return references(in: bytes, from: range.upperBound, to: min(end, range.upperBound + 24)).first
  }

  /// A non-negative integer after optional white space, and where it ends.
  static func integer(in bytes: [UInt8], from start: Int) -> (value: Int, end: Int)? {
    var index = start
    while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D { index += 1 }
    var value = 0
    let digits = index
    while index < bytes.count, isDigit(bytes[index]) {
      guard index - digits < 15 else { return nil }
      value = value * 10 + Int(bytes[index] - 0x30)
      index += 1
    }
    return index > digits ? (value, index) : nil
  }

  static func hasPrefix(_ prefix: [UInt8], in bytes: [UInt8], at offset: Int) -> Bool {
    offset + prefix.count <= bytes.count && bytes[offset..<offset + prefix.count].elementsEqual(prefix)
  }

  static func firstRange(of needle: [UInt8], in bytes: [UInt8], within range: Range<Int>) -> Range<Int>? {
    guard range.lowerBound >= 0, range.upperBound <= bytes.count, range.count >= needle.count, !needle.isEmpty else {
      return nil
    }
    var index = range.lowerBound
    while index + needle.count <= range.upperBound {
      if bytes[index] == needle[0], hasPrefix(needle, in: bytes, at: index) { return index..<index + needle.count }
      index += 1
    }
    return nil
  }

  static func lastRange(of needle: [UInt8], in bytes: [UInt8]) -> Range<Int>? {
    var index = bytes.count - needle.count
    while index >= 0 {
      if bytes[index] == needle[0], hasPrefix(needle, in: bytes, at: index) { return index..<index + needle.count }
      index -= 1
    }
    return nil
  }
}
