import Foundation
import Localisation
import TestSupport
import Testing

/// The German catalogue against the code: every text the code marks for translation (`tr`,
/// `trn`, the nouns of `Plural.count`) has a German translation with the same placeholders, no
/// translation is left that nothing uses, and gettext's own `msgfmt --check` reads the file.
@Suite struct CatalogueTests {
  struct Marked: Hashable {
    var id: String
    var plural: String?
    var place: String
  }

  static let catalogueURL = Checkout.root().appending(path: "Sources/Localisation/de.po")

  /// A Swift string literal's text (`\"`, `\\`, `\n`, `\t`, `\u{…}` resolved, a backslash before a
  /// line break joining the lines).
  static func unescape(_ literal: Substring) -> String {
    var out = ""
    var iterator = literal.makeIterator()
    while let character = iterator.next() {
      guard character == "\\" else {
        out.append(character)
        continue
      }
      switch iterator.next() {
      case "n"?: out.append("\n")
      case "\n"?: break  // a multi-line literal's line continuation
      case "t"?: out.append("\t")
      case "u"?:
        var hex = ""
        while let next = iterator.next(), next != "}" {
          if next != "{" { hex.append(next) }
        }
        if let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) { out.unicodeScalars.append(scalar) }
      case let other?: out.append(other)
      case nil: break
      }
    }
    return out
  }

  /// A multi-line literal's text as Swift reads it: the closing delimiter's indentation taken off
  /// every line, a backslash at a line's end joining it to the next, escapes resolved.
  static func multilineValue(_ body: Substring, indent: Substring) -> String {
    let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map { line in
      line.hasPrefix(indent) ? line.dropFirst(indent.count) : line.drop { $0 == " " || $0 == "\t" }
    }
    return unescape(Substring(lines.joined(separator: "\n")))
  }

  /// Every marked text in Sources, with where it is.
  static func marked() throws -> [Marked] {
    let sources = Checkout.root().appending(path: "Sources")
    guard let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil) else { return [] }
    let literal = #""((?:[^"\\\n]|\\.)*)""#
    let patterns: [(NSRegularExpression, Bool)] = [
      (try NSRegularExpression(pattern: #"\btr\(\s*"# + literal), false),
      // A listing's column headings are English keys in CSV and translated for tables.
      (try NSRegularExpression(pattern: #"\.init\(header:\s*"# + literal), false),
      (try NSRegularExpression(pattern: #"\.init\(header:\s*"[^"]*",\s*label:\s*"# + literal), false),
      (try NSRegularExpression(pattern: #"\btrn\(\s*"# + literal + #"\s*,\s*"# + literal), true),
      (
        try NSRegularExpression(pattern: #"Plural\.count\([^"\n]*?,\s*"# + literal + #"(?:\s*,\s*plural:\s*"# + literal + ")?"),
        true
      ),
      (
        try NSRegularExpression(
          pattern: #"LimitNote\.say\([^"\n]*?noun:\s*"# + literal + #"(?:\s*,\s*plural:\s*"# + literal + ")?"),
        true
      ),
    ]
    // A long help text is a multi-line literal: `tr("""` … `""")`.
    let multiline = try NSRegularExpression(pattern: #"\btr\(\s*"""\n(.*?)\n([ \t]*)""""#, options: [.dotMatchesLineSeparators])
    var found: [Marked] = []
    for case let url as URL in files where url.pathExtension == "swift" {
      let text = try String(contentsOf: url, encoding: .utf8)
      let range = NSRange(text.startIndex..., in: text)
      for match in multiline.matches(in: text, range: range) {
        guard let body = Range(match.range(at: 1), in: text), let indent = Range(match.range(at: 2), in: text) else { continue }
        let line = text[..<body.lowerBound].filter { $0 == "\n" }.count + 1
        found.append(
          Marked(id: multilineValue(text[body], indent: text[indent]), plural: nil, place: "\(url.lastPathComponent):\(line)"))
      }
      for (pattern, plural) in patterns {
        for match in pattern.matches(in: text, range: range) {
          guard let idRange = Range(match.range(at: 1), in: text) else { continue }
          let line = text[..<idRange.lowerBound].filter { $0 == "\n" }.count + 1
          let id = unescape(text[idRange])
          guard !id.isEmpty else { continue }  // an empty heading stays empty
          var pluralText: String?
          if plural {
            if match.numberOfRanges > 2, let range = Range(match.range(at: 2), in: text) {
              pluralText = unescape(text[range])
            } else {
              pluralText = id + "s"
            }
          }
          found.append(Marked(id: id, plural: pluralText, place: "\(url.lastPathComponent):\(line)"))
        }
      }
    }
    // The schema's refusals (`RAISE EXCEPTION`), which MessageFormats translates on their way.
    let schema = Checkout.root().appending(path: "schema")
    for name in try FileManager.default.contentsOfDirectory(atPath: schema.path) where name.hasSuffix(".sql") {
      let sql = try String(contentsOf: schema.appending(path: name), encoding: .utf8)
      found += MessageFormats.msgids(inSQL: sql).map { Marked(id: $0, plural: nil, place: name) }
    }
    return found
  }

  @Test func everyMarkedTextHasAGermanTranslationWithTheSamePlaceholders() throws {
    let entries = Catalogue.read(try String(contentsOf: Self.catalogueURL, encoding: .utf8))
    let byID = Dictionary(entries.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    let marked = try Self.marked()
    #expect(marked.count > 300, "the scanner found only \(marked.count) marked texts")
    var missing: [String] = []
    for text in marked {
      #expect(!text.id.contains("\\("), "\(text.place): tr takes %@ placeholders, not interpolation")
      guard let entry = byID[text.id], !entry.fuzzy, !entry.translations.isEmpty,
        !entry.translations.contains(where: \.isEmpty)
      else {
        missing.append("\(text.place): \(text.id.debugDescription)")
        continue
      }
      if let plural = text.plural {
        #expect(entry.plural == plural, "\(text.place): \(text.id) is a plural (\(plural)) in the code, not in de.po")
        #expect(entry.translations.count == 2, "\(text.place): \(text.id) needs two German forms")
      }
      let english = Set(Catalogue.placeholders(text.id))
      for translation in entry.translations {
        #expect(
          Set(Catalogue.placeholders(translation)) == english,
          "de.po:\(entry.line): the placeholders of \(translation.debugDescription) differ from \(text.id.debugDescription)")
      }
    }
    #expect(missing.isEmpty, "no German translation for \(missing.count) texts:\n\(missing.joined(separator: "\n"))")
    // And nothing in de.po that the code no longer says.
    let used = Set(marked.map(\.id))
    let stale = entries.filter { !$0.id.isEmpty && !used.contains($0.id) }.map { "de.po:\($0.line): \($0.id.debugDescription)" }
    #expect(stale.isEmpty, "translations nothing uses:\n\(stale.joined(separator: "\n"))")
  }

  /// The folders whose messages people read on the command line. The verification service and
  /// the documents have texts of their own (German, or chosen by the browser's language).
  static let readerFacing = [
    "BeccariaCommands", "BeccariaStore", "BeccariaCore", "CSVImport", "Issuance", "Files", "Signing", "ProgrammeLoader",
    "Spreadsheet", "Mail",
  ]
  /// Files in those folders whose texts are machine text: the public service's verdicts (its JSON).
  static let machineTextFiles: Set<String> = ["PublicVerifier.swift"]

  /// Literals handed straight to what a person reads (printed, warned, thrown as an error or a
  /// problem, help) without `tr`: the kind of text the catalogue test cannot see because nobody
  /// marked it. Interpolations do not count as words: `"\\(a) \\(b)"` needs no translation.
  static func unmarked(in text: String, place: String) throws -> [String] {
    let literal = #""((?:[^"\\\n]|\\.)*)""#
    let sinks = try NSRegularExpression(
      pattern:
        #"(?:\b(?:print|warn|CommandFailure|ValidationError|KeyError|InputProblem|PDFInputError)\(|StoreError\.\w+\(|\b(?:help|abstract|discussion|reason|message|problem):)\s*"#
        + literal)
    let interpolation = try NSRegularExpression(pattern: #"\\\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)"#)
    let prose = try NSRegularExpression(pattern: #"[A-Za-z]{2,}[ ,.:;]+[A-Za-z]{2,}"#)
    var found: [String] = []
    for match in sinks.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
      guard let range = Range(match.range(at: 1), in: text) else { continue }
      let value = String(text[range])
      let words = interpolation.stringByReplacingMatches(
        in: value, range: NSRange(value.startIndex..., in: value), withTemplate: "")
      guard prose.firstMatch(in: words, range: NSRange(words.startIndex..., in: words)) != nil else { continue }
      let line = text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
      found.append("\(place):\(line): \(value)")
    }
    return found
  }

  @Test func everyTextAPersonReadsIsMarkedForTranslation() throws {
    var unmarked: [String] = []
    for folder in Self.readerFacing {
      let root = Checkout.root().appending(path: "Sources/\(folder)")
      guard let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { continue }
      for case let url as URL in files
      where url.pathExtension == "swift" && !Self.machineTextFiles.contains(url.lastPathComponent) {
        unmarked += try Self.unmarked(
          in: try String(contentsOf: url, encoding: .utf8), place: "\(folder)/\(url.lastPathComponent)")
      }
    }
    #expect(unmarked.isEmpty, "English for every reader (wrap in tr):\n\(unmarked.joined(separator: "\n"))")
  }

  @Test func theUnmarkedScannerSeesBareTextAndPassesMarkedText() throws {
    let sample = #"""
      print("Nothing was changed.")
      print(tr("Nothing was changed."))
      throw StoreError.conflict(
        "cohort \(code) is full (\(taken) of \(capacity))")
      print("\(a) \(b(c: "x y"))")
      @Option(help: "Only this participant.") var participant: Int?
      @Option(help: ArgumentHelp(tr("Only this participant."))) var other: Int?
      """#
    let found = try Self.unmarked(in: sample, place: "sample")
    #expect(
      found == [
        "sample:1: Nothing was changed.", #"sample:4: cohort \(code) is full (\(taken) of \(capacity))"#,
        "sample:6: Only this participant.",
      ])
  }

  @Test func gettextReadsTheCatalogue() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/msgfmt")
    process.arguments = ["--check", "--statistics", "-o", "/dev/null", Self.catalogueURL.path]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    process.waitUntilExit()
    let report = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 0, "\(report)")
    #expect(!report.contains("fuzzy") && !report.contains("untranslated"), "\(report)")
  }

  @Test func theLanguageFollowsGettextsRules() {
    #expect(Localisation.detect(["LANG": "de_DE.UTF-8"]) == .german)
    #expect(Localisation.detect(["LANG": "C.UTF-8"]) == .english)
    #expect(Localisation.detect([:]) == .english)
    #expect(Localisation.detect(["LANG": "en_GB.UTF-8", "LC_MESSAGES": "de_AT.UTF-8"]) == .german)
    #expect(Localisation.detect(["LANG": "de_DE.UTF-8", "LC_ALL": "C"]) == .english)
    // LANGUAGE is a list that comes first, but not in the C locale (as GNU gettext has it).
    #expect(Localisation.detect(["LANG": "en_US.UTF-8", "LANGUAGE": "de:en"]) == .german)
    #expect(Localisation.detect(["LANG": "de_DE.UTF-8", "LANGUAGE": "en"]) == .english)
    #expect(Localisation.detect(["LANG": "C", "LANGUAGE": "de"]) == .english)
    #expect(Localisation.detect(["LANG": "fr_FR.UTF-8", "LANGUAGE": "fr:de"]) == .german)
  }

  @Test func aDatabaseRefusalIsMatchedToItsFormatWithItsValues() {
    #expect(
      MessageFormats.msgid(raiseFormat: "cohort % is full (% of %%); it''s not") == "cohort %@ is full (%@ of %%); it's not")
    let sql = """
      RAISE EXCEPTION 'session % on % has not taken place yet', s, d;
      RAISE EXCEPTION 'certificate % is already %', OLD.serial, OLD.status USING ERRCODE = 'P0001';
      RAISE EXCEPTION 'session % on % has not taken place yet', s, d;
      """
    #expect(
      MessageFormats.msgids(inSQL: sql) == ["session %@ on %@ has not taken place yet", "certificate %@ is already %@"])
    // The reader here is English (the tests run under C.UTF-8): a message comes back as it is.
    let messages = MessageFormats(msgids: MessageFormats.msgids(inSQL: sql))
    #expect(
      messages.localised("session 7 on 2027-03-06 has not taken place yet") == "session 7 on 2027-03-06 has not taken place yet")
  }

  @Test func placeholdersAreFilledInOrderOrByPosition() {
    #expect(Catalogue.fill("%@ of %@", ["3", "5"]) == "3 of 5")
    #expect(Catalogue.fill("%2$@ von %1$@", ["5", "3"]) == "3 von 5")
    #expect(Catalogue.fill("80 %% of %@", ["x"]) == "80 % of x")
    #expect(Catalogue.placeholders("%2$@ und %1$@") == [2, 1])
    let catalogue = Catalogue(po: "msgid \"a %@\"\nmsgstr \"b %@\"\n\n#, fuzzy\nmsgid \"c\"\nmsgstr \"d\"\n")
    #expect(catalogue.entries["a %@"] == ["b %@"])
    #expect(catalogue.entries["c"] == nil)
  }
}
