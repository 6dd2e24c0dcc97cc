/// Cutting a page's fonts down to what it shows. Cairo subsets each font once per document, so
/// the page files split from a batch would all carry the glyphs, widths and ToUnicode entries of
/// every page's text (every holder's name). Here the codes a page shows are read from its
/// content streams (and its stamp), and the font objects are written anew with only those: the
/// simple font's `/Widths` or the CIDFont's `/W`, the ToUnicode CMap, and a font program the
/// caller cuts (Documents, with HarfBuzz's subsetter). Cairo's font kinds only: simple TrueType
/// fonts (one-byte codes) and Type0 fonts with Identity-H over a CIDFontType2 (two-byte codes,
/// CID = glyph id), each with a `/FontFile2` and a `/ToUnicode`; any other is refused.
extension PDFPageSplitter {
  /// A font of the document as its page files may rewrite it.
  public struct EmbeddedFont: Sendable {
    public enum Kind: Sendable {
      /// One-byte codes into a TrueType program through its Unicode `cmap` (`/WinAnsiEncoding`).
      case simple
      /// Two-byte codes that are glyph ids of the program (`/Identity-H`, CIDFontType2).
      case composite
    }

    /// The font dictionary the resources name.
    public let object: Int
    public let kind: Kind
    /// The `/FontFile2` stream.
    public let program: Int
    /// The dictionary that holds the widths: the font itself (`/Widths`) or its CIDFont (`/W`).
    let widthsHolder: Int
    /// The font descriptor (its `/FontName` carries the subset tag).
    let descriptor: Int
    let toUnicode: Int
    /// What each code stands for, as UTF-16 code units (from the ToUnicode CMap).
    public let text: [UInt16: [UInt16]]
    /// The widths holder's bytes up to its array's `[` and from its `]`.
    let beforeWidths: Range<Int>
    let afterWidths: Range<Int>
    /// The width of each code (as written), from `/FirstChar` on (simple) or by CID (composite).
    let widths: [UInt16: Range<Int>]
    /// The simple font's codes with a width, in order.
    let widthCodes: [UInt16]
    /// Each code's `bfchar` line of a ToUnicode CMap.
    let toUnicodeLines: [UInt16: [UInt8]]
  }

  /// What `codesShown` keeps between the pages of one document: what each form XObject shows,
  /// each font's code width, each resource dictionary's names.
  public struct ShownTextCache: Sendable {
    var forms: [Int: [Int: Set<UInt16>]] = [:]
    /// What a list of forms shows together (pages of one programme paint the same ones).
    var formLists: [[Int]: [Int: Set<UInt16>]] = [:]
    var codeBytes: [Int: Int] = [:]
    /// Forms being read (a form that paints itself is refused) and forms that could not be read.
    var reading: Set<Int> = []
    var unreadable: Set<Int> = []
    var resources: [Int: (fonts: [[UInt8]: Int], xobjects: [[UInt8]: Int])] = [:]
    public init() {}
  }

  /// The codes page `index` shows, by font object: its content stream and the form XObjects it
  /// paints (recursively), and `stamp`'s content in the stamp's fonts. `cache` keeps what the
  /// pages of this document share (their forms, fonts and resources) across calls.
  public func codesShown(onPage index: Int, stamp: Stamp?, cache: inout ShownTextCache) throws -> [Int: Set<UInt16>] {
    guard pages.indices.contains(index), let page = objects[pages[index]],
      let contents = Self.referenceAfter(key: "/Contents ", in: bytes, from: page.range.lowerBound, to: page.headEnd),
      let resources = Self.referenceAfter(key: "/Resources", in: bytes, from: page.range.lowerBound, to: page.headEnd)
    else { throw PDFInputError("page \(index + 1) has no single content stream and resource dictionary") }
    var shown = try codesShown(in: try streamData(contents), resources: resources, cache: &cache, depth: 0)
    if let stamp, let shows = stamp.shows {
      for (name, codes) in shows {
        guard let font = stamp.fonts.first(where: { $0.name == name }) else {
          throw PDFInputError("the stamp shows text in an unknown font")
        }
        try add(codes, font: font.object, to: &shown, cache: &cache)
      }
    } else if let stamp {
      var names: [[UInt8]: Int] = [:]
      for font in stamp.fonts { names[Array(font.name.utf8)] = font.object }
      try PDFContentScanner.scan(
        stamp.content,
        font: { name in
          guard let font = names[Array(name)] else { throw PDFInputError("the stamp shows text in an unknown font") }
          return font
        },
        text: { font, codes, actualText in
          guard !actualText else { throw PDFInputError("the stamp shows glyphs through ActualText") }
          try add(codes, font: font, to: &shown, cache: &cache)
        },
        xobject: { _ in })
    }
    return shown
  }

  private func codesShown(
    in content: [UInt8], resources: Int, cache: inout ShownTextCache, depth: Int
  ) throws -> [Int: Set<UInt16>] {
    guard depth < 8 else { throw PDFInputError("form XObjects are nested too deeply") }
    let names =
      try cache.resources[resources] ?? (
        try namedReferences("/Font", in: resources), try namedReferences("/XObject", in: resources)
      )
    cache.resources[resources] = names
    let (fonts, xobjects) = names
    var shown: [Int: Set<UInt16>] = [:]
    var painted: [Int] = []
    try PDFContentScanner.scan(
      content,
      font: { name in
        guard let font = fonts[Array(name)] else {
          throw PDFInputError("a content stream selects font /\(String(decoding: name, as: UTF8.self)), which its resources lack")
        }
        return font
      },
      text: { font, codes, actualText in
        // Cairo writes ActualText where a glyph stands for other text than its ToUnicode entry,
        // which the glyph's first use anywhere in the document set: possibly another page's
        // (an RTL name's mirrored bracket). Such a page is not cut from the batch.
        guard !actualText else {
          throw PDFInputError("a content stream shows glyphs through ActualText, whose ToUnicode entries may be another page's")
        }
        try add(codes, font: font, to: &shown, cache: &cache)
      },
      xobject: { name in
        guard let xobject = xobjects[Array(name)] else {
          throw PDFInputError("a content stream paints /\(String(decoding: name, as: UTF8.self)), which its resources lack")
        }
        painted.append(xobject)
      })
    if let known = cache.formLists[painted] {
      shown.merge(known) { $0.union($1) }
      return shown
    }
    var formsShow: [Int: Set<UInt16>] = [:]
    for xobject in painted {
      let formShows: [Int: Set<UInt16>]
      if let known = cache.forms[xobject] {
        formShows = known
      } else {
        guard let form = objects[xobject] else { throw PDFInputError("a page paints a missing object \(xobject)") }
        let head = form.range.lowerBound..<form.headEnd
        if Self.firstRange(of: Array("/Subtype /Form".utf8), in: bytes, within: head) == nil {
          formShows = [:]  // an image: no text
        } else {
          guard let formResources = Self.referenceAfter(key: "/Resources", in: bytes, from: head.lowerBound, to: head.upperBound)
          else { throw PDFInputError("form XObject \(xobject) has no resource dictionary") }
          // A form that paints itself, or that could not be read for an earlier page, is
          // refused again (never taken to show nothing).
          guard !cache.reading.contains(xobject), !cache.unreadable.contains(xobject) else {
            throw PDFInputError("form XObject \(xobject) paints itself or cannot be read")
          }
          cache.reading.insert(xobject)
          defer { cache.reading.remove(xobject) }
          do {
            formShows = try codesShown(in: try streamData(xobject), resources: formResources, cache: &cache, depth: depth + 1)
          } catch {
            cache.unreadable.insert(xobject)
            throw error
          }
        }
        cache.forms[xobject] = formShows
      }
      formsShow.merge(formShows) { $0.union($1) }
    }
    cache.formLists[painted] = formsShow
    shown.merge(formsShow) { $0.union($1) }
    return shown
  }

  /// Adds the codes of a shown string: one byte each in a simple font, two in a Type0 font.
  private func add(_ string: [UInt8], font: Int, to shown: inout [Int: Set<UInt16>], cache: inout ShownTextCache) throws {
    let width: Int
    if let known = cache.codeBytes[font] {
      width = known
    } else {
      guard objects[font] != nil else { throw PDFInputError("text is shown in a missing font object \(font)") }
      width = object(font, contains: "/Subtype /Type0") ? 2 : 1
      cache.codeBytes[font] = width
    }
    guard string.count % width == 0 else { throw PDFInputError("a string in a two-byte font has an odd length") }
    // Inserted in place (a set taken out of the dictionary and put back is copied each time).
    var position = 0
    while position < string.count {
      shown[font, default: []].insert(
        width == 2 ? UInt16(string[position]) << 8 | UInt16(string[position + 1]) : UInt16(string[position]))
      position += width
    }
  }

  /// The `/Key << /name N 0 R … >>` entries of a dictionary object (a resource dictionary).
  func namedReferences(_ key: String, in number: Int) throws -> [[UInt8]: Int] {
    guard let object = objects[number] else { throw PDFInputError("a resource dictionary \(number) is missing") }
    guard let start = Self.firstRange(of: Array("\(key) <<".utf8), in: bytes, within: object.range.lowerBound..<object.headEnd)
    else { return [:] }
    guard let end = Self.firstRange(of: Array(">>".utf8), in: bytes, within: start.upperBound..<object.headEnd) else {
      throw PDFInputError("the \(key) dictionary of object \(number) is not closed")
    }
    var found: [[UInt8]: Int] = [:]
    var cursor = start.upperBound
    while let slash = Self.firstRange(of: [UInt8(ascii: "/")], in: bytes, within: cursor..<end.lowerBound) {
      var nameEnd = slash.upperBound
      while nameEnd < end.lowerBound, bytes[nameEnd] != 0x20, bytes[nameEnd] != 0x0A, bytes[nameEnd] != UInt8(ascii: "/") {
        nameEnd += 1
      }
      guard let target = Self.integer(in: bytes, from: nameEnd), Self.hasPrefix(Array(" 0 R".utf8), in: bytes, at: target.end)
      else { throw PDFInputError("the \(key) dictionary of object \(number) holds a direct value") }
      found[Array(bytes[slash.upperBound..<nameEnd])] = target.value
      cursor = target.end
    }
    return found
  }

  /// The data of stream object `number`, expanded when Flate-compressed (its only filter).
  func streamData(_ number: Int) throws -> [UInt8] {
    guard let stream = streamExtent(number) else {
      throw PDFInputError("object \(number) is no stream with a /Length that fits in it")
    }
    guard Self.firstRange(of: Array("/Filter".utf8), in: bytes, within: stream.head) != nil else {
      return Array(bytes[stream.data])
    }
    guard Self.firstRange(of: Array("/Filter /FlateDecode".utf8), in: bytes, within: stream.head) != nil,
      Self.firstRange(of: Array("/DecodeParms".utf8), in: bytes, within: stream.head) == nil,
      let expanded = Zlib.inflate(bytes[stream.data], limit: 1 << 24)
    else { throw PDFInputError("the stream of object \(number) has a filter other than plain Flate, or is damaged") }
    return expanded
  }

  /// Font `number` as Cairo wrote it, or PDFInputError for a kind this target does not cut.
  public func embeddedFont(_ number: Int) throws -> EmbeddedFont {
    guard let font = objects[number] else { throw PDFInputError("font object \(number) is missing") }
    let head = font.range.lowerBound..<font.headEnd
    func reference(_ key: String, in range: Range<Int>) throws -> Int {
      guard let found = Self.referenceAfter(key: key, in: bytes, from: range.lowerBound, to: range.upperBound) else {
        throw PDFInputError("font object \(number) has no \(key)")
      }
      return found
    }
    func program(descriptor: Int) throws -> Int {
      guard let object = objects[descriptor] else { throw PDFInputError("the font descriptor \(descriptor) is missing") }
      let range = object.range.lowerBound..<object.headEnd
      guard Self.firstRange(of: Array("/FontFile3".utf8), in: bytes, within: range) == nil,
        Self.firstRange(of: Array("/FontFile ".utf8), in: bytes, within: range) == nil
      else { throw PDFInputError("font object \(number) embeds a program that is not TrueType") }
      return try reference("/FontFile2", in: range)
    }
    let toUnicode = try reference("/ToUnicode", in: head)
    let kind: EmbeddedFont.Kind
    let holder: Int
    let descriptor: Int
    let programNumber: Int
    if object(number, contains: "/Subtype /TrueType") {
      guard object(number, contains: "/Widths [") else { throw PDFInputError("font object \(number) has no /Widths") }
      kind = .simple
      holder = number
      descriptor = try reference("/FontDescriptor", in: head)
      programNumber = try program(descriptor: descriptor)
    } else if object(number, contains: "/Subtype /Type0"), object(number, contains: "/Encoding /Identity-H") {
      guard let descendants = Self.firstRange(of: Array("/DescendantFonts [".utf8), in: bytes, within: head) else {
        throw PDFInputError("font object \(number) has no /DescendantFonts")
      }
      let listed = Self.references(in: bytes, from: descendants.upperBound, to: min(head.upperBound, descendants.upperBound + 24))
      guard listed.count == 1, let descendant = objects[listed[0]] else {
        throw PDFInputError("font object \(number) has not exactly one descendant font")
      }
      let range = descendant.range.lowerBound..<descendant.headEnd
      guard object(listed[0], contains: "/Subtype /CIDFontType2"), object(listed[0], contains: "/W ["),
        !object(listed[0], contains: "/CIDToGIDMap") || object(listed[0], contains: "/CIDToGIDMap /Identity")
      else { throw PDFInputError("the descendant font of \(number) is not a CIDFontType2 with identity glyph ids") }
      kind = .composite
      holder = listed[0]
      descriptor = try reference("/FontDescriptor", in: range)
      programNumber = try program(descriptor: descriptor)
    } else {
      throw PDFInputError("font object \(number) is neither a simple TrueType nor an Identity-H Type0 font")
    }
    let text = try Self.toUnicodeEntries(try streamData(toUnicode), codeBytes: kind == .simple ? 1 : 2)
    guard let holderObject = objects[holder] else { throw PDFInputError("font object \(holder) is missing") }
    let holderHead = holderObject.range.lowerBound..<holderObject.headEnd
    guard let open = Self.firstRange(of: Array((kind == .simple ? "/Widths [" : "/W [").utf8), in: bytes, within: holderHead),
      let close = Self.matchingBracket(in: bytes, from: open.upperBound, limit: holderHead.upperBound)
    else { throw PDFInputError("the widths of font object \(number) are not one array") }
    let words = Self.words(in: bytes, from: open.upperBound, to: close)
    var widths: [UInt16: Range<Int>] = [:]
    switch kind {
    case .simple:
      guard let firstKey = Self.firstRange(of: Array("/FirstChar ".utf8), in: bytes, within: holderHead),
        let first = Self.integer(in: bytes, from: firstKey.upperBound)?.value, first + words.count <= 256
      else { throw PDFInputError("font object \(number) has no /FirstChar, or more widths than codes") }
      for (index, word) in words.enumerated() { widths[UInt16(first + index)] = word }
    case .composite:
      widths = try Self.cidWidths(words, in: bytes)
    }
    return EmbeddedFont(
      object: number, kind: kind, program: programNumber, widthsHolder: holder, descriptor: descriptor, toUnicode: toUnicode,
      text: text,
      beforeWidths: holderObject.range.lowerBound..<open.upperBound, afterWidths: close..<holderObject.range.upperBound,
      widths: widths, widthCodes: widths.keys.sorted(),
      toUnicodeLines: text.reduce(into: [:]) {
        $0[$1.key] = Self.bfcharLine($1.key, $1.value, codeBytes: kind == .simple ? 1 : 2)
      })
  }

  /// The objects of `font` rewritten to hold only `codes` (old object numbers, as `page` takes
  /// them): widths of other codes 0 (`/Widths`) or left out (`/W`), a ToUnicode CMap of `codes`
  /// alone, and the font program as `program` (Flate-compressed or not, `length1` bytes
  /// expanded).
  public func objects(
    cutting font: EmbeddedFont, to codes: Set<UInt16>, program: [UInt8], compressed: Bool = true, length1: Int
  ) throws -> [Int: Replacement] {
    var dictionary: [UInt8] = []
    dictionary.reserveCapacity(font.beforeWidths.count + font.afterWidths.count + 1024)
    dictionary += bytes[font.beforeWidths]
    switch font.kind {
    case .simple:
      // Every code from /FirstChar keeps its place; only the page's keep their width.
      for code in font.widthCodes {
        dictionary.append(0x20)
        if codes.contains(code), let width = font.widths[code] { dictionary += bytes[width] } else { dictionary.append(0x30) }
      }
    case .composite:
      for code in codes.sorted() {
        guard let width = font.widths[code] else { throw PDFInputError("glyph \(code) of font \(font.object) has no width") }
        dictionary.append(0x20)
        Self.appendDecimal(Int(code), to: &dictionary)
        dictionary += Array(" [ ".utf8)
        dictionary += bytes[width]
        dictionary += Array(" ]".utf8)
      }
    }
    dictionary.append(0x20)
    dictionary += bytes[font.afterWidths]
    // A subset of other glyphs gets a tag of its own (§9.6.4: different subsets, different
    // tags), so files of one batch never carry two different fonts under one name.
    let tag = Self.subsetTag(of: bytes[font.beforeWidths], codes: codes)
    Self.retag(&dictionary, tag)
    var replacements = [
      font.widthsHolder: try Replacement(font.widthsHolder, dictionary),
      font.descriptor: try Replacement(font.descriptor, try retagged(font.descriptor, tag)),
    ]
    if font.kind == .composite { replacements[font.object] = try Replacement(font.object, try retagged(font.object, tag)) }

    let cmap = Self.toUnicodeCMap(font.toUnicodeLines, codes: codes, codeBytes: font.kind == .simple ? 1 : 2)
    var toUnicode = Array("\(font.toUnicode) 0 obj\n<< /Length \(cmap.count) >>\nstream\n".utf8)
    toUnicode += cmap
    toUnicode += Array("\nendstream\nendobj\n".utf8)
    replacements[font.toUnicode] = try Replacement(font.toUnicode, toUnicode)
    replacements[font.program] = try Replacement(
      font.program,
      compressed
        ? Self.flateStreamObject(number: font.program, compressed: program, length1: length1)
        : Self.plainStreamObject(number: font.program, program))
    return replacements
  }

  /// Six capital letters from the old tag's dictionary and the codes kept (FNV-1a): the same
  /// subset gets the same tag, another subset almost surely another.
  static func subsetTag(of dictionary: ArraySlice<UInt8>, codes: Set<UInt16>) -> [UInt8] {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ byte: UInt8) {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    for byte in dictionary { mix(byte) }
    for code in codes.sorted() {
      mix(UInt8(code >> 8))
      mix(UInt8(code & 0xFF))
    }
    return (0..<6).map { _ in
      defer { hash /= 26 }
      return UInt8(ascii: "A") + UInt8(hash % 26)
    }
  }

  /// Object `number` whole with its subset tags replaced by `tag`.
  func retagged(_ number: Int, _ tag: [UInt8]) throws -> [UInt8] {
    guard let object = objects[number] else { throw PDFInputError("font object \(number) is missing") }
    var copy = Array(bytes[object.range])
    Self.retag(&copy, tag)
    return copy
  }

  /// Replaces the six letters before the `+` of every `/BaseFont /XXXXXX+` and
  /// `/FontName /XXXXXX+` in `bytes` with `tag`.
  static func retag(_ bytes: inout [UInt8], _ tag: [UInt8]) {
    for key in ["/BaseFont /", "/FontName /"] {
      var cursor = 0
      while let found = firstRange(of: Array(key.utf8), in: bytes, within: cursor..<bytes.count) {
        let start = found.upperBound
        cursor = start
        guard start + 7 <= bytes.count, bytes[start + 6] == UInt8(ascii: "+"),
          bytes[start..<start + 6].allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") })
        else { continue }
        bytes.replaceSubrange(start..<start + 6, with: tag)
      }
    }
  }

  /// Where the `]` closing an array that opened before `start` stands.
  static func matchingBracket(in bytes: [UInt8], from start: Int, limit: Int) -> Int? {
    var depth = 1
    var index = start
    while index < min(limit, bytes.count) {
      if bytes[index] == UInt8(ascii: "[") { depth += 1 }
      if bytes[index] == UInt8(ascii: "]") {
        depth -= 1
        if depth == 0 { return index }
      }
      index += 1
    }
    return nil
  }

  /// The white-space separated words between two offsets, `[` and `]` words of their own.
  static func words(in bytes: [UInt8], from start: Int, to end: Int) -> [Range<Int>] {
    var words: [Range<Int>] = []
    var wordStart: Int?
    for index in start..<end {
      let byte = bytes[index]
      let white = byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
      let bracket = byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]")
      if white || bracket {
        if let begun = wordStart { words.append(begun..<index) }
        wordStart = nil
        if bracket { words.append(index..<index + 1) }
      } else if wordStart == nil {
        wordStart = index
      }
    }
    if let begun = wordStart { words.append(begun..<end) }
    return words
  }

  /// A CIDFont's `/W` (§9.7.4.3): `c [w1 w2 …]` for consecutive CIDs from c, or `c1 c2 w`.
  static func cidWidths(_ words: [Range<Int>], in bytes: [UInt8]) throws -> [UInt16: Range<Int>] {
    var widths: [UInt16: Range<Int>] = [:]
    var index = 0
    func isBracket(_ word: Range<Int>, _ bracket: Character) -> Bool {
      word.count == 1 && bytes[word.lowerBound] == bracket.asciiValue
    }
    func cid(_ word: Range<Int>) throws -> Int {
      guard let value = Int(String(decoding: bytes[word], as: UTF8.self)), value >= 0, value <= 0xFFFF else {
        throw PDFInputError("/W holds no CID: \(String(decoding: bytes[word], as: UTF8.self))")
      }
      return value
    }
    while index < words.count {
      let first = try cid(words[index])
      guard index + 1 < words.count else { throw PDFInputError("/W ends after a CID") }
      if isBracket(words[index + 1], "[") {
        index += 2
        var code = first
        while index < words.count, !isBracket(words[index], "]") {
          guard code <= 0xFFFF else { throw PDFInputError("/W runs past the last CID") }
          widths[UInt16(code)] = words[index]
          code += 1
          index += 1
        }
        guard index < words.count else { throw PDFInputError("/W has an array that is not closed") }
        index += 1
      } else {
        guard index + 2 < words.count else { throw PDFInputError("/W ends inside a range") }
        let last = try cid(words[index + 1])
        guard last >= first, last - first < 0x10000 else { throw PDFInputError("/W has a reversed range") }
        for code in first...last { widths[UInt16(code)] = words[index + 2] }
        index += 3
      }
    }
    return widths
  }

  /// The entries of a ToUnicode CMap (§9.10.3) as Cairo writes them: `bfchar` pairs and
  /// `bfrange` triples, sources of `codeBytes` bytes, destinations UTF-16BE.
  static func toUnicodeEntries(_ cmap: [UInt8], codeBytes: Int) throws -> [UInt16: [UInt16]] {
    var entries: [UInt16: [UInt16]] = [:]
    var hexStrings: [[UInt8]] = []
    var section = ""
    var index = 0
    func code(_ bytes: [UInt8]) throws -> UInt16 {
      guard bytes.count == codeBytes else { throw PDFInputError("a ToUnicode code has \(bytes.count) bytes") }
      return bytes.reduce(0) { $0 << 8 | UInt16($1) }
    }
    func units(_ bytes: [UInt8]) throws -> [UInt16] {
      guard !bytes.isEmpty, bytes.count % 2 == 0 else { throw PDFInputError("a ToUnicode destination is no UTF-16") }
      return stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
    }
    while index < cmap.count {
      let byte = cmap[index]
      if (byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")) && index + 1 < cmap.count && cmap[index + 1] == byte {
        index += 2  // a dictionary's << or >>
      } else if byte == UInt8(ascii: "<") {
        let start = index + 1
        index = start
        while index < cmap.count, cmap[index] != UInt8(ascii: ">") { index += 1 }
        var value: [UInt8] = []
        PDFContentScanner.appendHexString(cmap[start..<index], to: &value)
        hexStrings.append(value)
        index += 1
        if section == "bfchar", hexStrings.count == 2 {
          entries[try code(hexStrings[0])] = try units(hexStrings[1])
          hexStrings.removeAll()
        } else if section == "bfrange", hexStrings.count == 3 {
          let low = try code(hexStrings[0])
          let high = try code(hexStrings[1])
          var destination = try units(hexStrings[2])
          guard low <= high, let last = destination.last else { throw PDFInputError("a ToUnicode range is reversed") }
          for value in low...high {
            entries[value] = destination
            destination[destination.count - 1] = last &+ (value - low) &+ 1
          }
          hexStrings.removeAll()
        }
      } else if byte == UInt8(ascii: "[") && section == "bfrange" {
        throw PDFInputError("a ToUnicode range lists its destinations")
      } else if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") {
        var end = index
        while end < cmap.count, cmap[end] >= UInt8(ascii: "a"), cmap[end] <= UInt8(ascii: "z") { end += 1 }
        let word = String(decoding: cmap[index..<end], as: UTF8.self)
        switch word {
        case "beginbfchar": section = "bfchar"
        case "beginbfrange": section = "bfrange"
        case "endbfchar", "endbfrange":
          section = ""
          hexStrings.removeAll()
        case "begincodespacerange", "endcodespacerange":
          hexStrings.removeAll()
        default: break
        }
        index = end
      } else {
        index += 1
      }
    }
    return entries
  }

  /// A ToUnicode CMap of `codes` alone, as Cairo writes one (`bfchar`, blocks of 100), from
  /// each code's line (`bfcharLine`).
  static func toUnicodeCMap(_ lines: [UInt16: [UInt8]], codes: Set<UInt16>, codeBytes: Int) -> [UInt8] {
    let mapped = codes.sorted().compactMap { lines[$0] }
    let range = codeBytes == 1 ? "<00> <ff>" : "<0000> <ffff>"
    var out = Array(
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n<< /Registry (Adobe)\n   /Ordering (UCS)\n   /Supplement 0\n>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n\(range)\nendcodespacerange\n"
        .utf8)
    var start = 0
    while start < mapped.count {
      let block = mapped[start..<min(start + 100, mapped.count)]
      appendDecimal(block.count, to: &out)
      out += Array(" beginbfchar\n".utf8)
      for line in block { out += line }
      out += Array("endbfchar\n".utf8)
      start += 100
    }
    out += Array("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend".utf8)
    return out
  }

  /// `<code> <destination>` and a line break, in hexadecimal digits.
  static func bfcharLine(_ code: UInt16, _ units: [UInt16], codeBytes: Int) -> [UInt8] {
    let digits = Array("0123456789abcdef".utf8)
    func hex(_ value: UInt16, digitCount: Int, to out: inout [UInt8]) {
      for shift in stride(from: 4 * (digitCount - 1), through: 0, by: -4) {
        out.append(digits[Int(value >> UInt16(shift)) & 0xF])
      }
    }
    var line: [UInt8] = [UInt8(ascii: "<")]
    hex(code, digitCount: 2 * codeBytes, to: &line)
    line += Array("> <".utf8)
    for unit in units { hex(unit, digitCount: 4, to: &line) }
    line += Array(">\n".utf8)
    return line
  }
}
