import Foundation

/// The language a person reads messages in, chosen from the environment as GNU gettext chooses
/// (gettext manual, 2.3 "Setting the Locale through Environment Variables"): the locale of
/// messages is `LC_ALL`, else `LC_MESSAGES`, else `LANG`; in a locale other than C/POSIX,
/// `LANGUAGE` (a list such as `de:en`) takes precedence. German (`de…`) reads the catalogue
/// `de.po`; anything else reads the English the code is written in.
public enum Localisation {
  public enum Language: Sendable { case english, german }

  /// The reader's language: the environment's, unless `inEnglish` runs.
  public static var language: Language { forced ?? environment }

  static let environment: Language = detect(ProcessInfo.processInfo.environment)

  /// Set while `inEnglish` runs (per task or thread).
  @TaskLocal static var forced: Language?

  /// `body`'s texts in English, whatever the reader's language: for machine formats (CSV) that
  /// carry a sentence, so that they stay the same in every language.
  public static func inEnglish<T>(_ body: () throws -> T) rethrows -> T {
    try $forced.withValue(.english, operation: body)
  }

  /// The language for `environment` (see the type's rules).
  public static func detect(_ environment: [String: String]) -> Language {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? ""
    let plain = locale.isEmpty || locale == "C" || locale == "POSIX" || locale.hasPrefix("C.") || locale.hasPrefix("POSIX.")
    if plain { return .english }
    var wanted = [locale]
    if let list = environment["LANGUAGE"], !list.isEmpty { wanted = list.split(separator: ":").map(String.init) + wanted }
    for entry in wanted {
      if entry == "de" || entry.hasPrefix("de_") || entry.hasPrefix("de.") || entry.hasPrefix("de@") { return .german }
      if entry == "en" || entry.hasPrefix("en_") || entry.hasPrefix("en.") || entry.hasPrefix("en@") { return .english }
    }
    return .english
  }

  /// `body` wrapped to run in the language in force where it is wrapped: task-locals do not reach
  /// a `Thread`, so a thread started inside `inEnglish` carries it this way.
  public static func carried(_ body: @escaping @Sendable () -> Void) -> @Sendable () -> Void {
    let language = forced
    return { $forced.withValue(language, operation: body) }
  }

  /// Whether `inEnglish` runs.
  public static var isForced: Bool { forced != nil }

  /// The German catalogue, read once from the build's embedded `de.po`.
  static let german: Catalogue = {
    guard let file = EmbeddedCatalogues.files.first(where: { $0.name == "de.po" }),
      let data = Data(base64Encoded: file.base64)
    else { return Catalogue(entries: [:]) }
    return Catalogue(po: String(decoding: data, as: UTF8.self))
  }()

  /// The catalogue for `language` (nil for English: the code's own text).
  static func catalogue(_ language: Language) -> Catalogue? { language == .german ? german : nil }
}

/// Marks `english` as text a person reads and returns it in the reader's language (gettext's
/// `_()`). Placeholders `%@` are filled with `arguments` in order; a translation may take them
/// in another order as `%1$@`, `%2$@`. A literal `%` is `%%`. The catalogue test
/// (LocalisationTests) fails for a marked text without a German translation.
public func tr(_ english: String, _ arguments: any CustomStringConvertible...) -> String {
  tr(english, arguments: arguments, in: Localisation.language)
}

/// `tr` in a given language (tests).
public func tr(_ english: String, arguments: [any CustomStringConvertible], in language: Localisation.Language) -> String {
  let text = Localisation.catalogue(language)?.entries[english]?.first ?? english
  return Catalogue.fill(text, arguments.map { Localisation.text(of: $0, in: language) })
}

/// `singular` or `plural` by `count`, in the reader's language (gettext's `ngettext`; German and
/// English both take the second form unless the count is 1), filled as `tr` fills.
public func trn(_ singular: String, _ plural: String, _ count: Int, _ arguments: any CustomStringConvertible...) -> String {
  let forms = Localisation.catalogue(Localisation.language)?.entries[singular]
  let text = count == 1 ? (forms?.first ?? singular) : (forms.flatMap { $0.count > 1 ? $0[1] : nil } ?? plural)
  return Catalogue.fill(text, arguments.map { Localisation.text(of: $0, in: Localisation.language) })
}

/// A value that a message writes as its reader writes it (a day as 09.01.2027, a number with a
/// decimal comma), where its `description` is the machine form.
public protocol ReaderWritten {
  /// The value in `language`'s conventions.
  func written(in language: Localisation.Language) -> String
}

extension Decimal: ReaderWritten {
  /// `6.5` for an English reader, `6,5` for a German one (Duden: decimal comma).
  public func written(in language: Localisation.Language) -> String {
    language == .german ? description.replacingOccurrences(of: ".", with: ",") : description
  }
}

extension Localisation {
  /// A message's value: a `ReaderWritten` one in the language's conventions, an ISO day given as
  /// text (as SQL gives `to_char(…, 'YYYY-MM-DD')`) as the reader writes days, else its
  /// description.
  static func text(of value: any CustomStringConvertible, in language: Language) -> String {
    if let written = (value as? any ReaderWritten)?.written(in: language) { return written }
    return language == .german ? germanDay(value.description) : value.description
  }

  /// `2027-03-06` as `06.03.2027`; anything else as it is.
  static func germanDay(_ value: String) -> String {
    let parts = value.split(separator: "-", omittingEmptySubsequences: false)
    guard value.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } })
    else { return value }
    return "\(parts[2]).\(parts[1]).\(parts[0])"
  }
}
