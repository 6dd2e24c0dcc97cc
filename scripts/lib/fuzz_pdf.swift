// libFuzzer entry for the PDFAssembly target (scripts/fuzz compiles it with the target's sources):
// whatever the bytes, reading, splitting, object lookup and rewriting must return or throw
// PDFInputError, never trap, hang or allocate without bound.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPDFAssembly(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard let document = try? PDFPageSplitter(Data(bytes: data, count: size)) else { return 0 }
  let stamp = PDFPageSplitter.Stamp(fonts: [], image: ("I", 1, 1, [0]), content: Array("q Q\n".utf8))
  var cache = PDFPageSplitter.ShownTextCache()
  for index in document.pages.indices.prefix(4) {
    _ = try? document.page(index, info: .init(title: "fuzz", keywords: "BQ-2027-000001"), stamp: stamp)
    _ = try? document.fonts(onPage: index)
    // What the page shows, and its fonts cut to it (the program passed through as it is).
    guard let shown = try? document.codesShown(onPage: index, stamp: stamp, cache: &cache) else { continue }
    var replacements: [Int: PDFPageSplitter.Replacement] = [:]
    for (font, codes) in shown.prefix(8) {
      guard let embedded = try? document.embeddedFont(font), let program = document.flateStream(embedded.program),
        let objects = try? document.objects(
          cutting: embedded, to: codes, program: [UInt8](program.compressed), length1: program.length1)
      else { continue }
      replacements.merge(objects) { first, _ in first }
    }
    _ = try? document.page(index, info: .init(title: "fuzz"), stamp: stamp, replacing: replacements)
  }
  let programs = document.objects(namedBy: "/FontFile2")
  for number in programs.prefix(8) { _ = document.flateStream(number) }
  _ = try? document.replacing(programs) { number in
    PDFPageSplitter.flateStreamObject(number: number, compressed: [0x78, 0x9C, 0x03, 0x00], length1: 0)
  }
  return 0
}
