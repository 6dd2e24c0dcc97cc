import BeccariaCore
import BeccariaStore
import Foundation

/// The service's HTML, rendered on the server. Every value is escaped where it is written;
/// names carry `dir="auto"` (Arabic and Hebrew names read right to left inside German text).
/// Accessibility (WCAG 2.1 AA, BITV 2.0): one `h1` per page, landmarks, labels tied to their
/// fields, hints tied with `aria-describedby`, text contrast of at least 7:1, a skip link, and
/// everything usable by keyboard (no custom widgets).
struct Pages: Sendable {
  /// The path the programme's verification URL names (`/beccaria/pruefen`).
  let prefix: String
  let issuer: String
  /// Module titles by programme code and version (from the programme definitions).
  var programmes: [PublicVerifier.Programme] = []

  func moduleTitles(_ code: String, _ version: Int) -> [Int: String] {
    programmes.first { $0.code == code && $0.version == version }?.moduleTitles ?? [:]
  }

  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.unicodeScalars.append(character)
      }
    }
    return out
  }

  /// A result that only a POST shows (a code, a file): the language switch posts it again.
  struct Repost {
    var action: String
    var fields: [(String, String)]
  }

  func layout(_ language: PageLanguage, title: String, switchQuery: String = "", repost: Repost? = nil, body: String) -> String {
    let texts = language.texts
    let other = language == .de ? "en" : "de"
    let switchLink = prefix + "?" + (switchQuery.isEmpty ? "" : switchQuery + "&") + "lang=" + other
    let switcher: String
    if let repost {
      let fields = (repost.fields + [("lang", other)]).map {
        "<input type=\"hidden\" name=\"\(Self.escape($0.0))\" value=\"\(Self.escape($0.1))\">"
      }.joined()
      switcher =
        "<form method=\"post\" action=\"\(Self.escape(repost.action))\">\(fields)<button type=\"submit\" class=\"link\" id=\"sprache\" lang=\"\(other)\">\(texts.otherLanguageName)</button></form>"
    } else {
      switcher =
        "<a id=\"sprache\" href=\"\(Self.escape(switchLink))\" lang=\"\(other)\" hreflang=\"\(other)\">\(texts.otherLanguageName)</a>"
    }
    return """
      <!DOCTYPE html>
      <html lang="\(language.rawValue)">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta name="referrer" content="no-referrer">
      <meta name="robots" content="noindex">
      <title>\(Self.escape(title)) – \(Self.escape(issuer))</title>
      <link rel="stylesheet" href="\(prefix)/static/pruefen.css">
      </head>
      <body>
      <a class="skip" href="#inhalt">\(texts.skip)</a>
      <header>
      <p class="issuer">\(Self.escape(issuer))</p>
      <p class="service">\(texts.service)</p>
      <nav aria-label="\(language == .de ? "Sprache" : "Language")">\(switcher)</nav>
      </header>
      <main id="inhalt">
      <h1>\(Self.escape(title))</h1>
      \(body)
      </main>
      <footer>
      <nav aria-label="\(language == .de ? "Rechtliches" : "Legal")"><ul>
      <li><a href="\(prefix)/impressum?lang=\(language.rawValue)">\(texts.imprint)</a></li>
      <li><a href="\(prefix)/datenschutz?lang=\(language.rawValue)">\(texts.privacy)</a></li>
      <li><a href="\(prefix)/barrierefreiheit?lang=\(language.rawValue)">\(texts.accessibility)</a></li>
      </ul></nav>
      </footer>
      <form id="fragment-form" method="post" action="\(prefix)" hidden><input type="hidden" name="c" value=""><input type="hidden" name="lang" value="\(language.rawValue)"></form>
      <script src="\(prefix)/static/pruefen.js"></script>
      </body>
      </html>

      """
  }

  func codeForm(_ language: PageLanguage) -> String {
    let texts = language.texts
    return """
      <section aria-labelledby="code-titel">
      <h2 id="code-titel">\(texts.codeHeading)</h2>
      <form id="code-form" method="post" action="\(prefix)">
      <input type="hidden" name="lang" value="\(language.rawValue)">
      <label for="code">\(texts.codeLabel)</label>
      <p class="hint" id="code-hinweis">\(texts.codeHint)</p>
      <textarea id="code" name="c" rows="3" required aria-describedby="code-hinweis" autocomplete="off" spellcheck="false"></textarea>
      <button type="submit">\(texts.check)</button>
      </form>
      </section>
      """
  }

  func serialForm(_ language: PageLanguage) -> String {
    let texts = language.texts
    return """
      <section aria-labelledby="nummer-titel">
      <h2 id="nummer-titel">\(texts.serialHeading)</h2>
      <form method="get" action="\(prefix)">
      <input type="hidden" name="lang" value="\(language.rawValue)">
      <label for="nr">\(texts.serialLabel)</label>
      <p class="hint" id="nr-hinweis">\(texts.serialHint)</p>
      <input id="nr" name="nr" required aria-describedby="nr-hinweis" autocomplete="off" spellcheck="false" pattern="BQ-[0-9]{4}-[0-9]{6}">
      <button type="submit">\(texts.check)</button>
      </form>
      </section>
      """
  }

  func fileForm(_ language: PageLanguage, issued sha256: String? = nil) -> String {
    let texts = language.texts
    let issued = sha256.map { "<p class=\"sha\">\(texts.issuedFile): <code>\(Self.escape($0))</code></p>" } ?? ""
    return """
      <section aria-labelledby="datei-titel">
      <h2 id="datei-titel">\(texts.fileHeading)</h2>
      <p id="datei-hinweis">\(texts.fileIntro)</p>
      \(issued)
      <form id="datei-form" method="post" action="\(prefix)/datei" enctype="multipart/form-data">
      <input type="hidden" name="lang" value="\(language.rawValue)">
      <input type="hidden" name="sha256" value="">
      <input type="hidden" name="c" value="">
      <label for="datei">\(texts.fileLabel)</label>
      <input id="datei" name="datei" type="file" accept="application/pdf,.pdf" required aria-describedby="datei-hinweis">
      <button type="submit">\(texts.fileCheck)</button>
      <p id="datei-status" class="hint" role="status" data-working="\(Self.escape(texts.working))"></p>
      </form>
      </section>
      """
  }

  func start(_ language: PageLanguage) -> String {
    let texts = language.texts
    return layout(
      language, title: texts.startTitle,
      body: """
        <p>\(texts.startIntro)</p>
        \(codeForm(language))
        \(serialForm(language))
        \(fileForm(language))
        """)
  }

  struct Verdict {
    var css: String
    var symbol: String
    var heading: String
    var text: String
  }

  func verdict(_ result: PublicVerdict, _ texts: PageTexts) -> Verdict {
    let status = result.certificate
    func statusSentence(_ verdict: VerificationVerdict) -> String {
      switch verdict {
      case .revoked: texts.explainRevoked(status?.revokedOn.map(texts.date))
      case .superseded:
        texts.explainSuperseded(
          status?.supersededBy, status?.currentSerial == status?.supersededBy ? nil : status?.currentSerial)
      default: texts.explainValid
      }
    }
    switch result.verdict {
    case .valid:
      return Verdict(
        css: "ok", symbol: "✓", heading: texts.verdictValid,
        text: (result.fileIsOriginal == true ? texts.explainFileOriginal + " " : "") + texts.explainValid)
    case .revoked:
      return Verdict(
        css: "warn", symbol: "!", heading: texts.verdictRevoked,
        text: (result.fileIsOriginal == true ? texts.explainFileOriginal + " " : "") + statusSentence(.revoked))
    case .superseded:
      return Verdict(
        css: "warn", symbol: "!", heading: texts.verdictSuperseded,
        text: (result.fileIsOriginal == true ? texts.explainFileOriginal + " " : "") + statusSentence(.superseded))
    case .forged:
      return Verdict(css: "bad", symbol: "✗", heading: texts.verdictForged, text: texts.explainForged)
    case .unknown:
      return Verdict(
        css: "bad", symbol: "✗", heading: texts.verdictUnknown, text: texts.explainUnknown(result.claim?.serial ?? "?"))
    case .unknownKey:
      return Verdict(css: "warn", symbol: "?", heading: texts.verdictUnknownKey, text: texts.explainUnknownKey)
    case .notOriginal:
      if let code = result.codeVerdict {
        let sentence =
          switch code {
          case .revoked: texts.codeRevoked(status?.revokedOn.map(texts.date))
          case .superseded: texts.codeSuperseded(status?.supersededBy)
          default: texts.codeValid
          }
        return Verdict(
          css: "warn", symbol: "!", heading: texts.verdictNotOriginal, text: texts.explainNotOriginalGenuine(sentence))
      }
      return Verdict(css: "warn", symbol: "!", heading: texts.verdictNotOriginal, text: texts.explainNotOriginalNoCode)
    }
  }

  func verdictBox(_ verdict: Verdict, extra: String = "") -> String {
    """
    <section class="verdict \(verdict.css)" aria-labelledby="ergebnis">
    <h2 id="ergebnis"><span aria-hidden="true" class="symbol">\(verdict.symbol)</span> \(Self.escape(verdict.heading))</h2>
    <p>\(Self.escape(verdict.text))</p>
    \(extra)
    </section>
    """
  }

  func row(_ label: String, _ value: String, raw: Bool = false, attributes: String = "") -> String {
    "<div><dt>\(Self.escape(label))</dt><dd\(attributes)>\(raw ? value : Self.escape(value))</dd></div>"
  }

  func serialLink(_ serial: String, _ language: PageLanguage) -> String {
    "<a href=\"\(prefix)?nr=\(Self.escape(serial))&amp;lang=\(language.rawValue)\">\(Self.escape(serial))</a>"
  }

  func statusRows(_ status: PublicCertificateStatus, _ language: PageLanguage) -> [String] {
    let texts = language.texts
    var rows = [row(texts.status, texts.statusName(status.status))]
    if let revoked = status.revokedOn { rows.append(row(texts.revokedOn, texts.date(revoked))) }
    if let by = status.supersededBy { rows.append(row(texts.replacedBy, serialLink(by, language), raw: true)) }
    if let current = status.currentSerial, current != status.supersededBy, status.status == .superseded {
      rows.append(row(texts.current, serialLink(current, language), raw: true))
    }
    return rows
  }

  /// The result of a token or a file; `repost` is what shows it again in the other language.
  func result(_ result: PublicVerdict, _ language: PageLanguage, fileChecked: Bool, repost: Repost? = nil) -> String {
    let texts = language.texts
    let verdict = verdict(result, texts)
    var fileLine = ""
    if fileChecked, let original = result.fileIsOriginal {
      fileLine =
        "<p class=\"file\"><strong>\(texts.fileResultTitle): \(original ? texts.fileUnchanged : texts.fileDiffers)</strong></p>"
    }
    var body = verdictBox(verdict, extra: fileLine)
    let genuine = [.valid, .revoked, .superseded, .notOriginal].contains(result.verdict) && result.signature == .valid
    if let claim = result.claim, genuine {
      var rows = [row(texts.holder, claim.holderName, attributes: " dir=\"auto\" class=\"name\"")]
      if let born = claim.birthDate {
        rows.append(
          row(
            texts.born,
            "<details><summary>\(texts.showBirthDate)</summary><span class=\"birth\">\(texts.date(born))</span></details>",
            raw: true))
      }
      rows.append(row(texts.kind, texts.kindName(claim.kind)))
      rows.append(
        row(texts.programme, (result.certificate?.programmeTitle ?? claim.programmeCode) + ", Version \(claim.programmeVersion)"))
      rows.append(
        row(
          claim.modules.count == 1 ? texts.module : texts.modules,
          claim.modules.map { module in
            let title = moduleTitles(claim.programmeCode, claim.programmeVersion)[module.number].map { " – \($0)" } ?? ""
            return "\(texts.module) \(module.number)\(title): \(module.ue) UE"
          }.joined(separator: "; ")))
      rows.append(row(texts.completed, texts.date(claim.completedOn)))
      rows.append(row(texts.issued, texts.date(claim.issuedOn)))
      rows.append(row(texts.serial, claim.serial))
      if let status = result.certificate { rows += statusRows(status, language) }
      rows.append(row(texts.key, claim.keyID))
      body += """
        <section aria-labelledby="angaben">
        <h2 id="angaben">\(texts.fromToken)</h2>
        <dl>\(rows.joined())</dl>
        \(result.certificate?.holderErased == true ? "<p class=\"note\">\(texts.erasedNote)</p>" : "")
        </section>
        """
    } else if let status = result.certificate, genuine || result.fileIsOriginal == true {
      body += """
        <section aria-labelledby="angaben">
        <h2 id="angaben">\(texts.serial) \(Self.escape(status.serial))</h2>
        <dl>\(statusRows(status, language).joined())</dl>
        </section>
        """
    }
    body += fileForm(language, issued: genuine ? result.certificate?.pdfSHA256 : nil)
    body += "<p><a href=\"\(prefix)?lang=\(language.rawValue)\">\(texts.another)</a></p>"
    return layout(language, title: texts.resultTitle, repost: repost, body: body)
  }

  /// A typed serial: status, kind, programme and dates, never a name; and the match form.
  func serial(
    _ status: PublicCertificateStatus?, typed: String, _ language: PageLanguage, match: Bool?? = .none,
    badDate: Bool = false
  ) -> String {
    let texts = language.texts
    guard let status else {
      let box = verdictBox(Verdict(css: "bad", symbol: "✗", heading: texts.verdictUnknown, text: texts.serialUnknown(typed)))
      return layout(
        language, title: texts.serialTitle, switchQuery: "nr=" + Self.query(typed),
        body: box + "<p><a href=\"\(prefix)?lang=\(language.rawValue)\">\(texts.another)</a></p>")
    }
    let public_ = PublicVerdict(
      verdict: PublicVerifier.verdictOf(status), signature: .absent, reason: "", certificate: status)
    var shown = verdict(public_, texts)
    if status.status == .valid {
      // A typed number proves only that such a certificate exists, not that the paper is it.
      shown = Verdict(css: "ok", symbol: "✓", heading: texts.serialValidHeading, text: texts.serialValid)
    }
    let box = verdictBox(shown)
    var rows = [row(texts.serial, status.serial), row(texts.kind, texts.kindName(status.kind))]
    rows.append(
      row(
        texts.programme,
        (status.programmeTitle ?? status.programmeCode ?? "") + (status.programmeVersion.map { ", Version \($0)" } ?? "")))
    if let module = status.module { rows.append(row(texts.module, String(module))) }
    rows.append(row(texts.completed, texts.date(status.completedOn)))
    if let issued = status.issuedOn { rows.append(row(texts.issued, texts.date(issued))) }
    rows += statusRows(status, language)
    var matchResult = ""
    if badDate {
      matchResult = "<p class=\"match bad\" role=\"status\"><strong>\(texts.matchBadDate)</strong></p>"
    } else if case .some(let answer) = match {
      let text = answer.map { $0 ? texts.matchYes : texts.matchNo } ?? texts.matchErased
      let css = answer == true ? "ok" : "bad"
      matchResult = "<p class=\"match \(css)\" role=\"status\"><strong>\(text)</strong></p>"
    }
    let body = """
      \(box)
      <section aria-labelledby="angaben">
      <h2 id="angaben">\(texts.serial) \(Self.escape(status.serial))</h2>
      <p>\(texts.serialNoName)</p>
      <dl>\(rows.joined())</dl>
      </section>
      <section aria-labelledby="abgleich">
      <h2 id="abgleich">\(texts.matchHeading)</h2>
      <p>\(texts.matchIntro)</p>
      \(matchResult)
      <form method="post" action="\(prefix)/abgleich">
      <input type="hidden" name="lang" value="\(language.rawValue)">
      <input type="hidden" name="nr" value="\(Self.escape(status.serial))">
      <label for="familienname">\(texts.familyName)</label>
      <input id="familienname" name="familienname" required autocomplete="off" dir="auto">
      <label for="geburtsdatum">\(texts.birthDate)</label>
      <p class="hint" id="geburtsdatum-hinweis">\(texts.birthDateHint)</p>
      <input id="geburtsdatum" name="geburtsdatum" required autocomplete="off" inputmode="numeric" aria-describedby="geburtsdatum-hinweis">
      <button type="submit">\(texts.compare)</button>
      </form>
      </section>
      <p><a href="\(prefix)?lang=\(language.rawValue)">\(texts.another)</a></p>
      """
    return layout(language, title: texts.serialTitle, switchQuery: "nr=" + Self.query(status.serial), body: body)
  }

  /// An error page: unreadable input, too many requests, the register unreachable, not found.
  func problem(_ language: PageLanguage, title: String, text: String) -> String {
    layout(
      language, title: title,
      body:
        "<section class=\"verdict warn\" aria-labelledby=\"ergebnis\"><h2 id=\"ergebnis\">\(Self.escape(title))</h2><p>\(Self.escape(text))</p></section><p><a href=\"\(prefix)?lang=\(language.rawValue)\">\(language.texts.another)</a></p>"
    )
  }

  /// A legal page: its paragraphs from the programme definition.
  func legal(_ language: PageLanguage, title: String, text: String?) -> String {
    let paragraphs = (text ?? language.texts.legalMissing).components(separatedBy: "\n\n").map {
      "<p>" + Self.escape($0.trimmingCharacters(in: .whitespacesAndNewlines)) + "</p>"
    }
    // The programme's texts are German; an English page says so.
    let note =
      language == .en && text != nil ? "<p lang=\"en\"><em>The programme office provides this text in German.</em></p>" : ""
    return layout(language, title: title, body: note + "<div lang=\"de\">" + paragraphs.joined(separator: "\n") + "</div>")
  }

  static func query(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
  }
}
