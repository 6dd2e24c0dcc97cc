import BeccariaCore
import BeccariaStore
import Foundation

/// The page's language: German first, English on request (`?lang=en`, or the form's `lang`).
enum PageLanguage: String, Sendable {
  case de, en

  init(_ value: Substring?) { self = value == "en" ? .en : .de }

  var texts: PageTexts { self == .de ? .german : .english }
}

/// Every text the pages show, in one language.
struct PageTexts: Sendable {
  var languageName: String
  var otherLanguageName: String
  var skip: String
  var service: String
  var startTitle: String
  var startIntro: String
  var codeHeading: String
  var codeLabel: String
  var codeHint: String
  var check: String
  var serialHeading: String
  var serialLabel: String
  var serialHint: String
  var fileHeading: String
  var fileIntro: String
  var fileLabel: String
  var fileCheck: String
  var working: String
  var resultTitle: String
  var serialTitle: String
  var matchTitle: String
  var another: String
  var verdictValid: String
  var verdictRevoked: String
  var verdictSuperseded: String
  var verdictForged: String
  var verdictUnknown: String
  var verdictUnknownKey: String
  var verdictNotOriginal: String
  var verdictUnreadable: String
  var explainValid: String
  var explainRevoked: @Sendable (String?) -> String
  var explainSuperseded: @Sendable (String?, String?) -> String
  var explainForged: String
  var explainUnknown: @Sendable (String) -> String
  var explainUnknownKey: String
  var explainNotOriginalGenuine: @Sendable (String) -> String
  var explainNotOriginalNoCode: String
  var explainFileOriginal: String
  var explainUnreadable: String
  var explainReplacedBy: String
  var serialValidHeading: String
  var serialValid: String
  var serialUnknown: @Sendable (String) -> String
  var codeValid: String
  var codeRevoked: @Sendable (String?) -> String
  var codeSuperseded: @Sendable (String?) -> String
  var issuedFile: String
  var fromToken: String
  var erasedNote: String
  var holder: String
  var born: String
  var showBirthDate: String
  var kind: String
  var programme: String
  var modules: String
  var module: String
  var completed: String
  var issued: String
  var serial: String
  var key: String
  var status: String
  var statusValid: String
  var statusRevoked: String
  var statusSuperseded: String
  var revokedOn: String
  var replacedBy: String
  var current: String
  var zertifikat: String
  var teilnahme: String
  var serialNoName: String
  var matchHeading: String
  var matchIntro: String
  var familyName: String
  var birthDate: String
  var birthDateHint: String
  var compare: String
  var matchYes: String
  var matchNo: String
  var matchErased: String
  var matchBadDate: String
  var badSerial: @Sendable (String) -> String
  var fileResultTitle: String
  var fileUnchanged: String
  var fileDiffers: String
  var unavailableTitle: String
  var unavailable: String
  var tooManyTitle: String
  var tooMany: @Sendable (Int) -> String
  var notFoundTitle: String
  var notFound: String
  var badRequestTitle: String
  var imprint: String
  var privacy: String
  var accessibility: String
  var legalMissing: String
  var noScript: String

  static let german = PageTexts(
    languageName: "Deutsch", otherLanguageName: "English", skip: "Zum Inhalt springen",
    service: "Echtheitsprüfung von Zertifikaten und Teilnahmebescheinigungen",
    startTitle: "Zertifikat prüfen",
    startIntro:
      "Hier prüfen Sie, ob ein Zertifikat oder eine Teilnahmebescheinigung des Beccaria-Programms echt und gültig ist. Scannen Sie den QR-Code auf dem Dokument, geben Sie seinen Code oder die Zertifikatsnummer ein, oder vergleichen Sie eine PDF-Datei mit dem ausgestellten Dokument.",
    codeHeading: "Code aus dem QR-Code", codeLabel: "Code oder Prüfadresse aus dem QR-Code",
    codeHint: "Beginnt mit BQ2. oder BQ1., oder die ganze Adresse aus dem QR-Code.", check: "Prüfen",
    serialHeading: "Zertifikatsnummer", serialLabel: "Zertifikatsnummer",
    serialHint: "Form BQ-JJJJ-NNNNNN, wie auf dem Dokument gedruckt.",
    fileHeading: "PDF-Datei vergleichen",
    fileIntro:
      "Ihr Browser berechnet den Prüfwert (SHA-256) der Datei; die Datei selbst wird nicht hochgeladen. Ohne JavaScript wird sie zur Prüfung übertragen und danach verworfen.",
    fileLabel: "PDF-Datei des Zertifikats", fileCheck: "Datei prüfen", working: "Die Datei wird geprüft …",
    resultTitle: "Ergebnis der Prüfung", serialTitle: "Zertifikatsnummer prüfen", matchTitle: "Abgleich mit der Person",
    another: "Weiteres Dokument prüfen",
    verdictValid: "Echt und gültig", verdictRevoked: "Echt, aber widerrufen", verdictSuperseded: "Echt, aber ersetzt",
    verdictForged: "Nicht echt", verdictUnknown: "Nicht echt", verdictUnknownKey: "Nicht bestätigt",
    verdictNotOriginal: "Nicht die Originaldatei", verdictUnreadable: "Code nicht lesbar",
    explainValid: "Das Dokument wurde so ausgestellt und ist gültig.",
    explainRevoked: { day in
      "Das Dokument wurde ausgestellt, aber" + (day.map { " am \($0)" } ?? "") + " widerrufen. Es gilt nicht mehr."
    },
    explainSuperseded: { by, current in
      "Das Dokument wurde ausgestellt, aber durch " + (by.map { "die Nummer \($0)" } ?? "ein neueres Dokument") + " ersetzt"
        + (current.map { "; gültig ist jetzt \($0)" } ?? "") + ". Bitten Sie um das neue Dokument."
    },
    explainForged:
      "Der Code stimmt nicht mit seiner Signatur oder mit dem ausgestellten Dokument überein. Das Dokument ist nicht echt.",
    explainUnknown: { serial in "Ein Dokument mit der Nummer \(serial) wurde nicht ausgestellt." },
    explainUnknownKey: "Der Code nennt einen Schlüssel, den dieses Register nicht kennt. Er kann nicht bestätigt werden.",
    explainNotOriginalGenuine: { status in
      "Die Datei ist nicht Byte für Byte das ausgestellte Dokument (sie wurde z. B. neu gespeichert, als PDF gedruckt oder von einem Mailsystem verändert). Der Code darin ist echt; \(status) Vergleichen Sie die Angaben unten mit dem Dokument, bitten Sie um die Originaldatei oder prüfen Sie den aufgedruckten QR-Code."
    },
    explainNotOriginalNoCode:
      "Die Datei ist kein unverändertes ausgestelltes Dokument und enthält keinen lesbaren Code. Prüfen Sie den aufgedruckten QR-Code oder die Zertifikatsnummer.",
    explainFileOriginal: "Die Datei ist unverändert: Byte für Byte das ausgestellte Dokument.",
    explainUnreadable:
      "Der Code ist beschädigt oder unvollständig. Scannen Sie den QR-Code erneut oder geben Sie die Zertifikatsnummer ein.",
    explainReplacedBy: "Ersetzt durch",
    serialValidHeading: "Nummer ausgestellt und gültig",
    serialValid:
      "Eine Bescheinigung mit dieser Nummer wurde ausgestellt und ist gültig. Ob das Papier in Ihrer Hand diese Bescheinigung ist, zeigen der QR-Code oder der Abgleich mit der Person unten.",
    serialUnknown: { serial in
      "Eine Bescheinigung mit der Nummer \(serial) wurde nicht ausgestellt. Prüfen Sie, ob Sie die Nummer richtig eingegeben haben; steht sie so auf dem Dokument, ist das Dokument nicht echt."
    },
    codeValid: "die Bescheinigung, die er nennt, ist gültig.",
    codeRevoked: { day in "die Bescheinigung, die er nennt, wurde" + (day.map { " am \($0)" } ?? "") + " widerrufen." },
    codeSuperseded: { by in
      "die Bescheinigung, die er nennt, wurde durch " + (by.map { "die Nummer \($0)" } ?? "eine neuere") + " ersetzt."
    },
    issuedFile: "Prüfwert der ausgestellten Datei (SHA-256)",
    fromToken: "Angaben aus dem Code des Dokuments",
    erasedNote:
      "Die personenbezogenen Daten der Inhaberin oder des Inhabers wurden auf Antrag aus dem Register gelöscht. Die Angaben zur Person stammen allein aus dem vorgelegten Code; seine Signatur ist geprüft.",
    holder: "Inhaberin / Inhaber", born: "Geburtsdatum", showBirthDate: "Geburtsdatum anzeigen", kind: "Art",
    programme: "Programm", modules: "Module", module: "Modul", completed: "Abgeschlossen am", issued: "Ausgestellt am",
    serial: "Nummer", key: "Signaturschlüssel (technisch)", status: "Status", statusValid: "gültig", statusRevoked: "widerrufen",
    statusSuperseded: "ersetzt", revokedOn: "Widerrufen am", replacedBy: "Ersetzt durch", current: "Gültig ist jetzt",
    zertifikat: "Zertifikat", teilnahme: "Teilnahmebescheinigung",
    serialNoName:
      "Zu einer Nummer zeigt diese Seite keinen Namen. Ob das Dokument zu einer Person gehört, prüfen Sie mit dem Abgleich unten.",
    matchHeading: "Gehört das Dokument zu dieser Person?",
    matchIntro:
      "Geben Sie Familienname und Geburtsdatum so ein, wie sie auf dem Dokument stehen. Die Antwort ist nur „stimmt überein“ oder „stimmt nicht überein“.",
    familyName: "Familienname", birthDate: "Geburtsdatum", birthDateHint: "TT.MM.JJJJ", compare: "Abgleichen",
    matchYes: "Stimmt überein", matchNo: "Stimmt nicht überein",
    matchErased: "Kein Abgleich möglich: Die personenbezogenen Daten wurden auf Antrag gelöscht.",
    matchBadDate: "Das Geburtsdatum ist kein Datum der Form TT.MM.JJJJ.",
    badSerial: { text in "„\(text)“ ist keine Zertifikatsnummer der Form BQ-JJJJ-NNNNNN." },
    fileResultTitle: "Prüfung der Datei", fileUnchanged: "Unverändert", fileDiffers: "Weicht ab",
    unavailableTitle: "Prüfung vorübergehend nicht möglich",
    unavailable: "Das Register ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten erneut.",
    tooManyTitle: "Zu viele Anfragen",
    tooMany: { seconds in "Von Ihrer Adresse kamen in kurzer Zeit zu viele Prüfungen. Bitte warten Sie \(seconds) Sekunden." },
    notFoundTitle: "Seite nicht gefunden", notFound: "Diese Seite gibt es nicht.", badRequestTitle: "Eingabe nicht lesbar",
    imprint: "Impressum", privacy: "Datenschutz", accessibility: "Barrierefreiheit",
    legalMissing: "Der Text wird von der Geschäftsstelle des Programms bereitgestellt.",
    noScript: "Ohne JavaScript: Geben Sie den Code aus dem QR-Code oben ein.")

  static let english = PageTexts(
    languageName: "English", otherLanguageName: "Deutsch", skip: "Skip to content",
    service: "Verification of certificates and certificates of attendance",
    startTitle: "Verify a certificate",
    startIntro:
      "Check here whether a certificate (Zertifikat) or a certificate of attendance (Teilnahmebescheinigung) of the Beccaria programme is genuine and valid. Scan the QR code on the document, enter its code or serial number, or compare a PDF file with the document issued.",
    codeHeading: "Code from the QR code", codeLabel: "Code or verification address from the QR code",
    codeHint: "Starts with BQ2. or BQ1., or the whole address from the QR code.", check: "Verify",
    serialHeading: "Serial number", serialLabel: "Serial number", serialHint: "In the form BQ-YYYY-NNNNNN, as printed.",
    fileHeading: "Compare a PDF file",
    fileIntro:
      "Your browser computes the file's SHA-256; the file itself is not uploaded. Without JavaScript it is sent for the check and discarded afterwards.",
    fileLabel: "The certificate's PDF file", fileCheck: "Check file", working: "Checking the file …",
    resultTitle: "Result", serialTitle: "Check a serial number", matchTitle: "Match with a person",
    another: "Check another document",
    verdictValid: "Genuine and valid", verdictRevoked: "Genuine, but revoked", verdictSuperseded: "Genuine, but replaced",
    verdictForged: "Not genuine", verdictUnknown: "Not genuine", verdictUnknownKey: "Not confirmed",
    verdictNotOriginal: "Not the original file", verdictUnreadable: "Code cannot be read",
    explainValid: "The document was issued as shown and is valid.",
    explainRevoked: { day in "The document was issued, but revoked" + (day.map { " on \($0)" } ?? "") + ". It is no longer valid."
    },
    explainSuperseded: { by, current in
      "The document was issued, but replaced by " + (by.map { "serial \($0)" } ?? "a newer document")
        + (current.map { "; the valid one now is \($0)" } ?? "") + ". Ask for the new document."
    },
    explainForged: "The code does not match its signature or the document issued. The document is not genuine.",
    explainUnknown: { serial in "No document with the serial number \(serial) was issued." },
    explainUnknownKey: "The code names a key this register does not know. It cannot be confirmed.",
    explainNotOriginalGenuine: { status in
      "The file is not byte for byte the document issued (it was re-saved, printed to PDF or changed by a mail system, for example). The code in it is genuine; \(status) Compare the details below with the document, ask for the original file, or check the printed QR code."
    },
    explainNotOriginalNoCode:
      "The file is not an unchanged document as issued and carries no readable code. Check the printed QR code or the serial number.",
    explainFileOriginal: "The file is unchanged: byte for byte the document issued.",
    explainUnreadable: "The code is damaged or incomplete. Scan the QR code again or enter the serial number.",
    explainReplacedBy: "Replaced by",
    serialValidHeading: "Serial number issued and valid",
    serialValid:
      "A document with this serial number was issued and is valid. Whether the paper in your hand is that document, the QR code or the match with the person below shows.",
    serialUnknown: { serial in
      "No document with the serial number \(serial) was issued. Check that you typed it correctly; if the document shows it like this, the document is not genuine."
    },
    codeValid: "the document it names is valid.",
    codeRevoked: { day in "the document it names was revoked" + (day.map { " on \($0)" } ?? "") + "." },
    codeSuperseded: { by in "the document it names was replaced by " + (by.map { "serial \($0)" } ?? "a newer one") + "." },
    issuedFile: "Fingerprint of the issued file (SHA-256)",
    fromToken: "Details from the document's code",
    erasedNote:
      "The holder's personal data was erased from the register on request. The details about the person come from the presented code alone; its signature has been checked.",
    holder: "Holder", born: "Date of birth", showBirthDate: "Show date of birth", kind: "Kind", programme: "Programme",
    modules: "Modules", module: "Module", completed: "Completed on", issued: "Issued on", serial: "Serial number",
    key: "Signing key (technical)", status: "Status", statusValid: "valid", statusRevoked: "revoked",
    statusSuperseded: "replaced",
    revokedOn: "Revoked on", replacedBy: "Replaced by", current: "Valid now", zertifikat: "Zertifikat (certificate)",
    teilnahme: "Teilnahmebescheinigung (certificate of attendance)",
    serialNoName:
      "For a serial number this page shows no name. Use the match below to check whether the document belongs to a person.",
    matchHeading: "Does the document belong to this person?",
    matchIntro:
      "Enter the family name and date of birth as printed on the document. The answer is only “matches” or “does not match”.",
    familyName: "Family name", birthDate: "Date of birth", birthDateHint: "DD.MM.YYYY or YYYY-MM-DD", compare: "Match",
    matchYes: "Matches", matchNo: "Does not match",
    matchErased: "No match possible: the personal data was erased on request.",
    matchBadDate: "The date of birth is not a date of the form DD.MM.YYYY or YYYY-MM-DD.",
    badSerial: { text in "“\(text)” is not a serial number of the form BQ-YYYY-NNNNNN." },
    fileResultTitle: "Checking the file", fileUnchanged: "Unchanged", fileDiffers: "Differs",
    unavailableTitle: "Verification temporarily unavailable",
    unavailable: "The register cannot be reached right now. Please try again in a few minutes.",
    tooManyTitle: "Too many requests",
    tooMany: { seconds in "Too many checks came from your address in a short time. Please wait \(seconds) seconds." },
    notFoundTitle: "Page not found", notFound: "This page does not exist.", badRequestTitle: "Input cannot be read",
    imprint: "Imprint", privacy: "Privacy", accessibility: "Accessibility",
    legalMissing: "The programme office provides this text.",
    noScript: "Without JavaScript: enter the code from the QR code above.")

  func kindName(_ kind: CertificateKind) -> String { kind == .zertifikat ? zertifikat : teilnahme }

  func statusName(_ status: CertificateStatus) -> String {
    switch status {
    case .valid: statusValid
    case .revoked: statusRevoked
    case .superseded: statusSuperseded
    }
  }

  /// A date as the language writes it: 09.01.2027 or 2027-01-09.
  func date(_ date: CalendarDate) -> String { languageName == "Deutsch" ? date.german : date.description }
}
