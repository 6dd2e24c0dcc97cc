/// Reads a content stream (PDF 32000-1:2008 §7.8.2) for what a font subset must hold: the
/// strings each text-showing operator (`Tj`, `TJ`, `'`, `"`, §9.4.3) shows, with the font
/// resource selected by `Tf` at that point, and the XObjects `Do` paints. Everything else is
/// tokenised and passed over. The current font is part of the graphics state, so `q` and `Q`
/// save and restore it. Inline images (`BI`) are refused: Cairo's streams for the certificate
/// layout contain none, and their binary data cannot be tokenised.
struct PDFContentScanner {
  /// Operands by where they stand, so that the many numbers and operators of a stream cost no
  /// allocation; a string is decoded only when text shows it, and the strings of the latest
  /// array are kept in a buffer reused for every array.
  private enum Operand {
    case name(Range<Int>)
    case string(Range<Int>, hex: Bool)
    case array
    case dictionary(Range<Int>)
    case other
  }

  private let bytes: [UInt8]
  private var index = 0
  private var arrayStrings: [(range: Range<Int>, hex: Bool)] = []
  /// Nesting of arrays and dictionaries in one operand; a deeper one is no content Cairo writes.
  private static let maximumDepth = 32
  /// `q` without `Q` deeper than this (the PDF reference's implementation limit is 28).
  private static let maximumSaves = 256

  private init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// Reads `content` in order: `font` resolves the resource name each `Tf` selects (once per
  /// `Tf`), `text` gets the bytes of every shown string with the font selected then (in a
  /// buffer reused between calls) and whether it stands inside a marked-content sequence with
  /// an `/ActualText` (§14.9.4: the text it shows is not what its glyphs' ToUnicode entries
  /// say), `xobject` the name of every XObject `Do` paints.
  static func scan(
    _ content: [UInt8], font resolve: (ArraySlice<UInt8>) throws -> Int,
    text: (_ font: Int, _ codes: [UInt8], _ actualText: Bool) throws -> Void, xobject: (ArraySlice<UInt8>) throws -> Void
  ) throws {
    var scanner = PDFContentScanner(content)
    var last = Operand.other
    var beforeLast = Operand.other
    var operandCount = 0
    var font: Int?
    var saved: [Int?] = []
    var decoded: [UInt8] = []
    // For each open marked-content sequence, whether it has an ActualText.
    var marked: [Bool] = []
    var actualTexts = 0
    while let token = try scanner.nextToken(depth: 0) {
      guard case .operator(let range) = token else {
        if case .operand(let operand) = token {
          beforeLast = last
          last = operand
          operandCount += 1
        }
        continue
      }
      switch Operator(content[range]) {
      case .save:
        guard saved.count < maximumSaves else { throw PDFInputError("a content stream saves the graphics state too often") }
        saved.append(font)
      case .restore:
        // An unbalanced Q is tolerated by readers; the font stays as it is then.
        if let restored = saved.popLast() { font = restored }
      case .selectFont:
        guard operandCount >= 2, case .name(let selected) = beforeLast else {
          throw PDFInputError("a content stream's Tf has no font name")
        }
        font = try resolve(content[selected])
      case .show:
        guard case .string(let range, let hex) = last, operandCount >= 1 else {
          throw PDFInputError("a content stream's text operator shows no string")
        }
        guard let font else { throw PDFInputError("a content stream shows text before selecting a font") }
        scanner.decode(range, hex: hex, into: &decoded)
        try text(font, decoded, actualTexts > 0)
      case .showArray:
        guard case .array = last, operandCount >= 1 else { throw PDFInputError("a content stream's TJ has no array") }
        guard let font else { throw PDFInputError("a content stream shows text before selecting a font") }
        for string in scanner.arrayStrings {
          scanner.decode(string.range, hex: string.hex, into: &decoded)
          try text(font, decoded, actualTexts > 0)
        }
      case .paint:
        guard case .name(let name) = last, operandCount >= 1 else {
          throw PDFInputError("a content stream's Do names no XObject")
        }
        try xobject(content[name])
      case .beginMarked:
        guard marked.count < maximumSaves else { throw PDFInputError("a content stream nests marked content too deeply") }
        var actual = false
        if case .dictionary(let range) = last {
          actual = PDFPageSplitter.firstRange(of: Array("/ActualText".utf8), in: content, within: range) != nil
        }
        marked.append(actual)
        if actual { actualTexts += 1 }
      case .endMarked:
        if marked.popLast() == true { actualTexts -= 1 }
      case .inlineImage:
        throw PDFInputError("a content stream holds an inline image")
      case .other:
        break
      }
      last = .other
      beforeLast = .other
      operandCount = 0
    }
  }

  /// The operators that matter here, told apart by their bytes (§A.2).
  private enum Operator {
    case save, restore, selectFont, show, showArray, paint, beginMarked, endMarked, inlineImage, other

    init(_ word: ArraySlice<UInt8>) {
      let first = word.first ?? 0
      switch word.count {
      case 1:
        switch first {
        case UInt8(ascii: "q"): self = .save
        case UInt8(ascii: "Q"): self = .restore
        case UInt8(ascii: "'"), UInt8(ascii: "\""): self = .show
        default: self = .other
        }
      case 2:
        let second = word[word.startIndex + 1]
        switch (first, second) {
        case (UInt8(ascii: "T"), UInt8(ascii: "f")): self = .selectFont
        case (UInt8(ascii: "T"), UInt8(ascii: "j")): self = .show
        case (UInt8(ascii: "T"), UInt8(ascii: "J")): self = .showArray
        case (UInt8(ascii: "D"), UInt8(ascii: "o")): self = .paint
        case (UInt8(ascii: "B"), UInt8(ascii: "I")), (UInt8(ascii: "I"), UInt8(ascii: "D")): self = .inlineImage
        default: self = .other
        }
      case 3:
        if word.elementsEqual("BDC".utf8) || word.elementsEqual("BMC".utf8) {
          self = .beginMarked
        } else if word.elementsEqual("EMC".utf8) {
          self = .endMarked
        } else {
          self = .other
        }
      default:
        self = .other
      }
    }
  }

  private enum Token {
    case operand(Operand)
    case `operator`(Range<Int>)
    case arrayEnd
    case dictionaryEnd
  }

  private static func isWhite(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 || byte == 0x0C || byte == 0x00
  }

  private static func isDelimiter(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["),
      UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "/"), UInt8(ascii: "%"):
      return true
    default:
      return false
    }
  }

  private mutating func skipWhiteAndComments() {
    while index < bytes.count {
      if Self.isWhite(bytes[index]) {
        index += 1
      } else if bytes[index] == UInt8(ascii: "%") {
        while index < bytes.count, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
      } else {
        return
      }
    }
  }

  private mutating func nextToken(depth: Int) throws -> Token? {
    skipWhiteAndComments()
    guard index < bytes.count else { return nil }
    let byte = bytes[index]
    switch byte {
    case UInt8(ascii: "/"):
      index += 1
      let start = index
      while index < bytes.count, !Self.isWhite(bytes[index]), !Self.isDelimiter(bytes[index]) { index += 1 }
      return .operand(.name(start..<index))
    case UInt8(ascii: "("):
      return .operand(.string(try skipLiteralString(), hex: false))
    case UInt8(ascii: "<"):
      if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "<") {
        let start = index
        index += 2
        try skipDictionary(depth: depth + 1)
        return .operand(.dictionary(start..<index))
      }
      return .operand(.string(try skipHexString(), hex: true))
    case UInt8(ascii: ">"):
      guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">") else {
        throw PDFInputError("a content stream has a stray >")
      }
      index += 2
      return .dictionaryEnd
    case UInt8(ascii: "["):
      index += 1
      guard depth < Self.maximumDepth else { throw PDFInputError("a content stream nests arrays too deeply") }
      if depth == 0 { arrayStrings.removeAll(keepingCapacity: true) }
      while true {
        guard let token = try nextToken(depth: depth + 1) else { throw PDFInputError("a content stream's array is not closed") }
        switch token {
        case .arrayEnd: return .operand(.array)
        case .operand(.string(let range, let hex)): arrayStrings.append((range, hex))
        case .operand: continue
        case .operator, .dictionaryEnd: throw PDFInputError("a content stream's array holds an operator")
        }
      }
    case UInt8(ascii: "]"):
      index += 1
      return .arrayEnd
    case UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "}"):
      throw PDFInputError("a content stream has a stray \(Character(Unicode.Scalar(byte)))")
    default:
      let start = index
      while index < bytes.count, !Self.isWhite(bytes[index]), !Self.isDelimiter(bytes[index]) { index += 1 }
      // Numbers and the keywords true, false and null are operands; every other word is an
      // operator.
      if byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || (byte >= 0x30 && byte <= 0x39) {
        return .operand(.other)
      }
      let word = bytes[start..<index]
      if word.elementsEqual("true".utf8) || word.elementsEqual("false".utf8) || word.elementsEqual("null".utf8) {
        return .operand(.other)
      }
      return .operator(start..<index)
    }
  }

  /// Skips a dictionary after its `<<` (its values are never text shown).
  private mutating func skipDictionary(depth: Int) throws {
    guard depth < Self.maximumDepth else { throw PDFInputError("a content stream nests dictionaries too deeply") }
    while true {
      guard let token = try nextToken(depth: depth) else { throw PDFInputError("a content stream's dictionary is not closed") }
      switch token {
      case .dictionaryEnd: return
      case .operand: continue
      case .operator: throw PDFInputError("a content stream's dictionary holds an operator")
      case .arrayEnd: throw PDFInputError("a content stream's dictionary holds a stray ]")
      }
    }
  }

  /// Passes a literal string from its `(` (§7.3.4.2: balanced parentheses, backslash escapes);
  /// returns the range of its bytes between the parentheses.
  private mutating func skipLiteralString() throws -> Range<Int> {
    index += 1
    let start = index
    var open = 1
    while index < bytes.count {
      let byte = bytes[index]
      index += 1
      if byte == UInt8(ascii: "\\") {
        index += 1
      } else if byte == UInt8(ascii: "(") {
        open += 1
      } else if byte == UInt8(ascii: ")") {
        open -= 1
        if open == 0 { return start..<index - 1 }
      }
    }
    throw PDFInputError("a content stream's string is not closed")
  }

  /// Passes a hexadecimal string from its `<`; returns the range between the brackets.
  private mutating func skipHexString() throws -> Range<Int> {
    index += 1
    let start = index
    while index < bytes.count {
      let byte = bytes[index]
      index += 1
      if byte == UInt8(ascii: ">") { return start..<index - 1 }
      guard Self.isWhite(byte) || Self.hexValue(byte) != nil else {
        throw PDFInputError("a content stream's hex string holds \(byte)")
      }
    }
    throw PDFInputError("a content stream's hex string is not closed")
  }

  /// The bytes of a string passed before: a literal one with its escapes resolved (octal codes
  /// of one to three digits, a backslash before a line break continuing the line), a
  /// hexadecimal one with an odd last digit counted as followed by 0 (§7.3.4.3).
  private func decode(_ range: Range<Int>, hex: Bool, into out: inout [UInt8]) {
    out.removeAll(keepingCapacity: true)
    var index = range.lowerBound
    if hex {
      Self.appendHexString(bytes[range], to: &out)
      return
    }
    while index < range.upperBound {
      let byte = bytes[index]
      index += 1
      guard byte == UInt8(ascii: "\\"), index < range.upperBound else {
        out.append(byte)
        continue
      }
      let escaped = bytes[index]
      index += 1
      switch escaped {
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case 0x0D:
        if index < range.upperBound, bytes[index] == 0x0A { index += 1 }
      case 0x0A:
        break
      case 0x30...0x37:
        var value = Int(escaped - 0x30)
        var digits = 1
        while digits < 3, index < range.upperBound, bytes[index] >= 0x30, bytes[index] <= 0x37 {
          value = value * 8 + Int(bytes[index] - 0x30)
          index += 1
          digits += 1
        }
        out.append(UInt8(truncatingIfNeeded: value))
      default:
        out.append(escaped)
      }
    }
  }

  /// The bytes a hexadecimal string's digits spell (§7.3.4.3: white space and other bytes
  /// passed over, an odd last digit counted as followed by 0), appended to `out`.
  static func appendHexString(_ digits: ArraySlice<UInt8>, to out: inout [UInt8]) {
    var high: UInt8?
    for byte in digits {
      guard let value = hexValue(byte) else { continue }
      if let pending = high {
        out.append(pending << 4 | value)
        high = nil
      } else {
        high = value
      }
    }
    if let high { out.append(high << 4) }
  }

  static func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case 0x30...0x39: return byte - 0x30
    case 0x41...0x46: return byte - 0x41 + 10
    case 0x61...0x66: return byte - 0x61 + 10
    default: return nil
    }
  }
}
