import CPangoCairo
import CQREncode
import Foundation
import PDFAssembly

/// A font as Pango describes it: family, size in points, weight and style.
public struct Font: Sendable, Hashable {
  public var family: String
  public var size: Double
  public var bold: Bool
  public var italic: Bool
  /// Whether the font's discretionary ligatures ("fi", "fl") are used. Shaping a script needs
  /// (Arabic joining, marks, required ligatures) happens either way. Without them, a document
  /// whose Latin text has an "fi" needs no second (CID) font program just for that glyph.
  public var ligatures: Bool
  /// Text drawn in a font with its own subset key goes into a font subset of its own in the PDF
  /// (Cairo subsets per font face, and a face's variation settings make it another face; on a
  /// font without variation axes they change nothing else). The certificate sets the holder's
  /// name apart this way, so that the glyphs that differ from page to page form a small font.
  public var ownSubset: String?

  public init(
    _ family: String, size: Double, bold: Bool = false, italic: Bool = false, ligatures: Bool = true, ownSubset: String? = nil
  ) {
    self.family = family
    self.size = size
    self.bold = bold
    self.italic = italic
    self.ligatures = ligatures
    self.ownSubset = ownSubset
  }

  /// Serif face for names and headings on certificates.
  public static func serif(_ size: Double, bold: Bool = false, italic: Bool = false, ligatures: Bool = true) -> Font {
    Font("DejaVu Serif", size: size, bold: bold, italic: italic, ligatures: ligatures)
  }

  /// Sans face for tables and small print.
  public static func sans(_ size: Double, bold: Bool = false, italic: Bool = false, ligatures: Bool = true) -> Font {
    Font("DejaVu Sans", size: size, bold: bold, italic: italic, ligatures: ligatures)
  }

  var pangoDescription: String {
    var parts = [family + ","]
    if bold { parts.append("Bold") }
    if italic { parts.append("Italic") }
    parts.append(String(format: "%.2f", size))
    return parts.joined(separator: " ")
  }
}

/// Horizontal alignment of a text block.
public enum TextAlignment: Sendable, Hashable {
  case left, center, right
}

/// Why a document could not be rendered.
public struct RenderError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Draws A4 pages into a PDF held in memory, with Cairo for graphics and Pango for text, so that
/// every script is shaped (Sorbian, Polish, Vietnamese, Arabic names print as written) and fonts
/// are embedded as subsets. Units are PostScript points; the origin is the top left corner.
public final class PDFWriter {
  public static let a4Width = 595.2756
  public static let a4Height = 841.8898
  static let cairoVersion = String(cString: cairo_version_string())

  private let surface: OpaquePointer
  /// Where drawing goes: the page, or a reusable group while it is recorded.
  private var cairo: OpaquePointer
  private let pageContext: OpaquePointer
  /// Reusable groups by key: a recording surface and what drawing it returned.
  private var groups: [TextKey: (surface: OpaquePointer, value: Any)] = [:]
  /// One Pango context for the whole document (72 dpi, so font sizes are points): creating a
  /// context per text block costs more than laying the text out.
  private let pango: OpaquePointer
  private var fonts: [Font: OpaquePointer] = [:]
  /// Text laid out once is drawn again from its layout (on a later page of the same document, or
  /// measured first and drawn after): shaping costs more than drawing.
  private var layouts: [LayoutKey: OpaquePointer] = [:]
  /// Character positions asked for before (`characterPositions`), by suffix, prefix and font.
  private var positions: [PositionsKey: [Double]] = [:]

  struct PositionsKey: Hashable {
    var suffix: String
    var prefix: String
    var font: Font
  }

  struct LayoutKey: Hashable {
    var text: TextKey
    var width: Double?
    var font: Font
    var alignment: TextAlignment
    var lineSpacing: Double
  }
  private let sink: Unmanaged<Sink>
  private var finished = false
  public let width: Double
  public let height: Double
  /// Texts drawn so far that have a character no installed font has (Pango draws a box with
  /// its code point instead).
  public private(set) var unprintable: [String] = []
  /// Pages begun so far (the first page exists from the start).
  public private(set) var pageCount = 1

  final class Sink {
    var data = Data()
  }

  /// A new PDF; `title`, `author`, `subject` and `keywords` go into its document information.
  public init(
    title: String?, author: String? = nil, subject: String? = nil, keywords: String? = nil,
    width: Double = PDFWriter.a4Width, height: Double = PDFWriter.a4Height
  ) throws {
    self.width = width
    self.height = height
    let sink = Unmanaged.passRetained(Sink())
    self.sink = sink
    let write: cairo_write_func_t = { closure, bytes, length in
      guard let closure, let bytes else { return CAIRO_STATUS_WRITE_ERROR }
      Unmanaged<Sink>.fromOpaque(closure).takeUnretainedValue().data.append(bytes, count: Int(length))
      return CAIRO_STATUS_SUCCESS
    }
    guard let surface = cairo_pdf_surface_create_for_stream(write, sink.toOpaque(), width, height),
      cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS
    else {
      sink.release()
      throw RenderError("could not create a PDF surface")
    }
    self.surface = surface
    if let title { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
    if let author { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, author) }
    if let subject { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_SUBJECT, subject) }
    if let keywords { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_KEYWORDS, keywords) }
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "beccaria")
    guard let cairo = cairo_create(surface) else {
      cairo_surface_destroy(surface)
      sink.release()
      throw RenderError("could not create a drawing context")
    }
    self.cairo = cairo
    pageContext = cairo
    // pango_cairo_create_context never returns NULL (it aborts when out of memory).
    pango = pango_cairo_create_context(cairo).unsafelyUnwrapped
    pango_cairo_context_set_resolution(pango, 72)
  }

  deinit {
    for layout in layouts.values { g_object_unref(UnsafeMutableRawPointer(layout)) }
    for group in groups.values { cairo_surface_destroy(group.surface) }
    for description in fonts.values { pango_font_description_free(description) }
    g_object_unref(UnsafeMutableRawPointer(pango))
    cairo_destroy(pageContext)
    cairo_surface_destroy(surface)
    sink.release()
  }

  /// Content that recurs unchanged on many pages, drawn once: the PDF holds it once as a group
  /// (a form XObject) that each page shows, moved by (`x`, `y`). On the first use of `key`,
  /// `draw` records the group (drawing calls made inside it go into the group, whose origin is
  /// the page's); later uses show the recording and return what `draw` returned the first time.
  /// `key` must identify everything `draw` draws.
  public func reusable<Value>(_ key: String, x: Double = 0, y: Double = 0, draw: (PDFWriter) throws -> Value) throws -> Value {
    let group: (surface: OpaquePointer, value: Any)
    let key = TextKey(key)
    if let recorded = groups[key] {
      group = recorded
    } else {
      var extents = cairo_rectangle_t(x: 0, y: 0, width: width, height: height)
      guard let recording = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents),
        cairo_surface_status(recording) == CAIRO_STATUS_SUCCESS, let context = cairo_create(recording)
      else { throw RenderError("could not create a drawing group") }
      let page = cairo
      cairo = context
      defer {
        cairo = page
        cairo_destroy(context)
      }
      let value = try draw(self)
      group = (recording, value)
      groups[key] = group
    }
    cairo_save(cairo)
    cairo_set_source_surface(cairo, group.surface, x, y)
    cairo_paint(cairo)
    cairo_restore(cairo)
    guard let value = group.value as? Value else { throw RenderError("the drawing group \(key) was recorded with another type") }
    return value
  }

  /// Ends the current page and starts a new one.
  public func newPage() {
    cairo_show_page(pageContext)
    pageCount += 1
  }

  /// Lays out `text` in a box `width` points wide at (`x`, `y`) and draws it; returns its height.
  @discardableResult
  public func text(
    _ text: String, x: Double, y: Double, width: Double, font: Font,
    alignment: TextAlignment = .left, color: (Double, Double, Double) = (0, 0, 0),
    lineSpacing: Double = 1.0
  ) -> Double {
    withLayout(text, width: width, font: font, alignment: alignment, lineSpacing: lineSpacing) { layout in
      if pango_layout_get_unknown_glyphs_count(layout) > 0, !unprintable.contains(text) { unprintable.append(text) }
      cairo_set_source_rgb(cairo, color.0, color.1, color.2)
      cairo_move_to(cairo, x, y)
      pango_cairo_show_layout(cairo, layout)
      return Self.pixelSize(layout).height
    }
  }

  /// The height and line count `text` takes in a box `width` points wide.
  public func measure(_ text: String, width: Double, font: Font, lineSpacing: Double = 1.0) -> (height: Double, lines: Int) {
    withLayout(text, width: width, font: font, alignment: .left, lineSpacing: lineSpacing) { layout in
      (Self.pixelSize(layout).height, Int(pango_layout_get_line_count(layout)))
    }
  }

  /// The width of `text` on one line.
  public func naturalWidth(_ text: String, font: Font) -> Double {
    withLayout(text, width: nil, font: font, alignment: .left, lineSpacing: 1) { Self.pixelSize($0).width }
  }

  /// Where each character of `suffix` begins when a one-line `prefix + suffix` is laid out,
  /// from the line's left edge: the positions Pango gives the glyphs (hinted advances and
  /// kerning included).
  public func characterPositions(of suffix: String, after prefix: String, font: Font) -> [Double] {
    let key = PositionsKey(suffix: suffix, prefix: prefix, font: font)
    if let known = positions[key] { return known }
    let found = withLayout(prefix + suffix, width: nil, font: font, alignment: .left, lineSpacing: 1) { layout in
      var positions: [Double] = []
      var offset = prefix.utf8.count
      for scalar in suffix.unicodeScalars {
        var rectangle = PangoRectangle()
        pango_layout_index_to_pos(layout, Int32(offset), &rectangle)
        positions.append(Double(rectangle.x) / Double(PANGO_SCALE))
        offset += scalar.utf8.count
      }
      return positions
    }
    positions[key] = found
    return found
  }

  /// How far below the top of a text block its first baseline lies.
  public func baseline(_ text: String, font: Font) -> Double {
    withLayout(text, width: nil, font: font, alignment: .left, lineSpacing: 1) {
      Double(pango_layout_get_baseline($0)) / Double(PANGO_SCALE)
    }
  }

  /// The largest font size, at most `font.size` and at least `minimumSize`, at which `text` fits
  /// in `maxLines` lines of `width` points.
  public func fittingFont(_ text: String, width: Double, font: Font, maxLines: Int, minimumSize: Double) -> Font {
    var candidate = font
    while candidate.size > minimumSize {
      if naturalWidth(text, font: candidate) <= width { return candidate }
      if maxLines > 1, measure(text, width: width, font: candidate).lines <= maxLines { return candidate }
      candidate.size = max(minimumSize, candidate.size - 0.5)
    }
    return candidate
  }

  /// A straight line.
  public func line(from start: (Double, Double), to end: (Double, Double), width: Double = 0.5, gray: Double = 0) {
    cairo_set_source_rgb(cairo, gray, gray, gray)
    cairo_set_line_width(cairo, width)
    cairo_move_to(cairo, start.0, start.1)
    cairo_line_to(cairo, end.0, end.1)
    cairo_stroke(cairo)
  }

  /// A rectangle outline, or filled with `fill` (RGB) when given.
  public func rectangle(
    x: Double, y: Double, width: Double, height: Double, lineWidth: Double = 0.5,
    stroke: (Double, Double, Double)? = (0, 0, 0), fill: (Double, Double, Double)? = nil
  ) {
    cairo_rectangle(cairo, x, y, width, height)
    if let fill {
      cairo_set_source_rgb(cairo, fill.0, fill.1, fill.2)
      if stroke == nil { cairo_fill(cairo) } else { cairo_fill_preserve(cairo) }
    }
    if let stroke {
      cairo_set_source_rgb(cairo, stroke.0, stroke.1, stroke.2)
      cairo_set_line_width(cairo, lineWidth)
      cairo_stroke(cairo)
    }
  }

  /// A QR code (error correction level M) of `payload`, `size` points square, with its quiet zone
  /// inside that square.
  public func qrCode(_ payload: String, x: Double, y: Double, size: Double) throws {
    let symbol = try QRSymbol(payload)
    let side = symbol.side
    // The code is embedded as a 1-bit-per-module image (quiet zone included), scaled without
    // interpolation: a few hundred bytes in the file instead of thousands of path operations,
    // and sharp at any resolution.
    guard let image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(side), Int32(side)),
      cairo_surface_status(image) == CAIRO_STATUS_SUCCESS, let pixels = cairo_image_surface_get_data(image)
    else { throw RenderError("could not create the QR image") }
    defer { cairo_surface_destroy(image) }
    cairo_surface_flush(image)
    let stride = Int(cairo_image_surface_get_stride(image))
    for row in 0..<side {
      let line = pixels.advanced(by: row * stride).withMemoryRebound(to: UInt32.self, capacity: side) { $0 }
      for column in 0..<side { line[column] = symbol.isDark(row: row, column: column) ? 0x0000_0000 : 0x00FF_FFFF }
    }
    cairo_surface_mark_dirty(image)
    cairo_save(cairo)
    cairo_translate(cairo, x, y)
    cairo_scale(cairo, size / Double(side), size / Double(side))
    cairo_set_source_surface(cairo, image, 0, 0)
    cairo_pattern_set_filter(cairo_get_source(cairo), CAIRO_FILTER_NEAREST)
    cairo_rectangle(cairo, 0, 0, Double(side), Double(side))
    cairo_fill(cairo)
    cairo_restore(cairo)
  }

  /// Leaves the embedded fonts' hinting in (tests compare both forms).
  var keepsFontHinting = false

  /// Finishes the document and returns its bytes. The writer cannot be used afterwards.
  public func finish() throws -> Data {
    guard !finished else { throw RenderError("the document was already finished") }
    finished = true
    cairo_surface_finish(surface)
    let status = cairo_surface_status(surface)
    guard status == CAIRO_STATUS_SUCCESS else {
      throw RenderError("Cairo could not write the PDF: \(String(cString: cairo_status_to_string(status)))")
    }
    // Fonts without hinting (see `withoutFontHinting`); should a future Cairo write a PDF the
    // splitter does not read, the document stays as Cairo wrote it.
    let written = sink.takeUnretainedValue().data
    if keepsFontHinting { return written }
    return (try? PDFPageSplitter.withoutFontHinting(written)) ?? written
  }

  private func withLayout<R>(
    _ text: String, width: Double?, font: Font, alignment: TextAlignment, lineSpacing: Double,
    _ body: (OpaquePointer) -> R
  ) -> R {
    let cacheKey = LayoutKey(text: TextKey(text), width: width, font: font, alignment: alignment, lineSpacing: lineSpacing)
    if let cached = layouts[cacheKey] { return body(cached) }
    // pango_layout_new never returns NULL (it aborts when out of memory).
    let layout = pango_layout_new(pango).unsafelyUnwrapped
    layouts[cacheKey] = layout
    let description: OpaquePointer
    if let cached = fonts[font] {
      description = cached
    } else {
      description = pango_font_description_from_string(font.pangoDescription).unsafelyUnwrapped
      if let key = font.ownSubset { pango_font_description_set_variations(description, key) }
      fonts[font] = description
    }
    pango_layout_set_font_description(layout, description)
    if let width {
      pango_layout_set_width(layout, Int32(width * Double(PANGO_SCALE)))
      pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
    }
    if lineSpacing != 1.0 { pango_layout_set_line_spacing(layout, Float(lineSpacing)) }
    let (shown, unbreakable) = Self.breaks(text)
    if !font.ligatures || !unbreakable.isEmpty {
      let attributes = pango_attr_list_new()
      if !font.ligatures { pango_attr_list_insert(attributes, pango_attr_font_features_new("liga=0")) }
      for range in unbreakable {
        // pango_attr_allow_breaks_new never returns NULL (it aborts when out of memory).
        let attribute = pango_attr_allow_breaks_new(0).unsafelyUnwrapped
        attribute.pointee.start_index = UInt32(range.lowerBound)
        attribute.pointee.end_index = UInt32(range.upperBound)
        pango_attr_list_insert(attributes, attribute)
      }
      pango_layout_set_attributes(layout, attributes)
      pango_attr_list_unref(attributes)
    }
    switch alignment {
    case .left: pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
    case .center: pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
    case .right: pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT)
    }
    pango_layout_set_text(layout, shown, -1)
    return body(layout)
  }

  /// The text to lay out and the UTF-8 byte ranges no line may break in. A no-break space
  /// (U+00A0) or a word joiner (U+2060), as `Typography` places them, marks a span that stays
  /// on one line; the span is kept together by Pango's allow-breaks attribute and printed with
  /// plain spaces and no joiner. Printed, either character would give the face a second,
  /// CID font program (a no-break space shares the space's glyph, which a simple font cannot
  /// encode twice; the joiner is outside WinAnsi).
  static func breaks(_ text: String) -> (shown: String, unbreakable: [Range<Int>]) {
    guard text.unicodeScalars.contains(where: { $0 == "\u{00A0}" || $0 == "\u{2060}" }) else { return (text, []) }
    var bytes: [UInt8] = []
    var glue: [Int] = []  // byte offsets in `bytes` where a no-break space or joiner stood
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\u{00A0}":
        glue.append(bytes.count)
        bytes.append(0x20)
      case "\u{2060}": glue.append(bytes.count)
      default: bytes.append(contentsOf: String(scalar).utf8)
      }
    }
    // Each mark joins the words around it, up to the nearest ordinary space or line break.
    let ordinary = { (offset: Int) in
      (bytes[offset] == 0x20 || bytes[offset] == 0x0A) && !glue.contains(offset)
    }
    var ranges: [Range<Int>] = []
    for mark in glue {
      var start = mark
      while start > 0 && !ordinary(start - 1) { start -= 1 }
      var end = mark + 1
      while end < bytes.count && !ordinary(end) { end += 1 }
      let range = start..<min(end, bytes.count)
      if let last = ranges.last, last.overlaps(range) || last.upperBound == range.lowerBound {
        ranges[ranges.count - 1] = min(last.lowerBound, range.lowerBound)..<max(last.upperBound, range.upperBound)
      } else {
        ranges.append(range)
      }
    }
    return (String(decoding: bytes, as: UTF8.self), ranges)
  }

  private static func pixelSize(_ layout: OpaquePointer) -> (width: Double, height: Double) {
    var width: Int32 = 0
    var height: Int32 = 0
    pango_layout_get_size(layout, &width, &height)
    return (Double(width) / Double(PANGO_SCALE), Double(height) / Double(PANGO_SCALE))
  }
}

/// A string as a cache key, compared and hashed by its UTF-8 bytes. String's own hashing
/// normalizes non-ASCII text (NFC) on every lookup: with the programme's German texts as keys,
/// that showed in the certificate run's profile. Canonically equivalent spellings are different
/// keys here, which for a cache only means drawing once more.
struct TextKey: Hashable {
  let text: String

  init(_ text: String) { self.text = text }

  static func == (left: TextKey, right: TextKey) -> Bool {
    var left = left.text
    var right = right.text
    return left.withUTF8 { a in right.withUTF8 { b in a.elementsEqual(b) } }
  }

  func hash(into hasher: inout Hasher) {
    var text = text
    text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
  }
}

/// The QR symbol of a payload (smallest version that fits at level L, at level M when that fits
/// the same version) with its quiet zone of 4
/// modules, row by row. Runs of at least `numericRun` digits go into numeric-mode segments (10
/// bits per 3 digits: a certificate's BQ2 token), the rest into 8-bit segments. The mask pattern
/// is fixed: QRcode_encodeString8bit would score all eight masks, which took a third of a
/// certificate page's rendering time. Any mask is valid; readers try all of them.
struct QRSymbol {
  /// Modules per side, quiet zone included.
  let side: Int
  /// Bytes per row of `darkBits`.
  let rowBytes: Int
  /// One bit per module, row by row, the most significant bit first, 1 for dark; each row
  /// padded to whole bytes with light modules.
  let darkBits: [UInt8]

  init(_ payload: String) throws {
    let bytes = Array(payload.utf8)
    // The smallest version at level L (7 % of the symbol recoverable), then level M (15 %) when
    // it fits the same version: more size where the payload allows it, never a larger symbol.
    guard let small = Self.encode(bytes, version: 0, level: QR_ECLEVEL_L) else {
      throw RenderError("the QR payload (\(bytes.count) bytes) cannot be encoded")
    }
    var code = small
    if let sturdier = Self.encode(bytes, version: small.pointee.version, level: QR_ECLEVEL_M),
      sturdier.pointee.version == small.pointee.version
    {
      QRcode_free(small)
      code = sturdier
    }
    defer { QRcode_free(code) }
    guard let data = code.pointee.data else { throw RenderError("the QR encoder returned no modules") }
    let modules = Int(code.pointee.width)
    let quiet = 4
    let side = modules + 2 * quiet
    let rowBytes = (side + 7) / 8
    // Packed straight from libqrencode's bytes (bit 0 is "dark"): the certificate stamp embeds
    // these rows as a one-bit image, and one QR code is made for every certificate.
    var bits = [UInt8](repeating: 0, count: rowBytes * side)
    // Without a branch per module: dark and light modules are about equally frequent, and a
    // mispredicted branch for every other one cost more than the rest of the packing.
    bits.withUnsafeMutableBufferPointer { out in
      for row in 0..<modules {
        let source = data + row * modules
        let base = (row + quiet) * rowBytes
        for column in 0..<modules {
          let x = column + quiet
          out[base + x >> 3] |= (source[column] & 1) << UInt8(7 - x & 7)
        }
      }
    }
    self.side = side
    self.rowBytes = rowBytes
    self.darkBits = bits
  }

  /// The symbol of `bytes` at `level`, of `version` or (0) the smallest that fits; nil when it
  /// does not fit.
  static func encode(_ bytes: [UInt8], version: Int32, level: QRecLevel) -> UnsafeMutablePointer<QRcode>? {
    guard let input = QRinput_new2(version, level) else { return nil }
    defer { QRinput_free(input) }
    for segment in segments(bytes) {
      let mode = segment.numeric ? QR_MODE_NUM : QR_MODE_8
      let appended = bytes[segment.range].withUnsafeBufferPointer {
        QRinput_append(input, mode, Int32($0.count), $0.baseAddress)
      }
      guard appended == 0 else { return nil }
    }
    return QRcode_encodeMask(input, 0)
  }

  /// A digit run shorter than this stays in the 8-bit segment around it: a segment's header
  /// (mode and count, about 20 bits in the versions certificates use) would cost more than the
  /// 8.3 bits numeric mode saves per 3 digits.
  static let numericRun = 12

  /// The payload's segments in order: digit runs of `numericRun` or more as numeric, the rest
  /// 8-bit.
  static func segments(_ bytes: [UInt8]) -> [(range: Range<Int>, numeric: Bool)] {
    var segments: [(range: Range<Int>, numeric: Bool)] = []
    var start = 0
    var index = 0
    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    while index < bytes.count {
      guard isDigit(bytes[index]) else {
        index += 1
        continue
      }
      var end = index
      while end < bytes.count, isDigit(bytes[end]) { end += 1 }
      if end - index >= numericRun {
        if start < index { segments.append((start..<index, false)) }
        segments.append((index..<end, true))
        start = end
      }
      index = end
    }
    if start < bytes.count { segments.append((start..<bytes.count, false)) }
    return segments
  }

  /// Whether the module at `row`, `column` (quiet zone included) is dark.
  func isDark(row: Int, column: Int) -> Bool {
    darkBits[row * rowBytes + column >> 3] & (0x80 >> UInt8(column & 7)) != 0
  }
}
