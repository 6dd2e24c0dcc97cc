import Foundation

/// The kinds of message the office sends, each caused by one event (schema 0024).
public enum MailKind: String, CaseIterable, Codable, Sendable {
  /// A certificate issued: to its holder, the PDF attached.
  case certificate
  /// A certificate re-issued: the new one, naming the one it replaces.
  case reissue
  /// A place given from the waiting list: to the person, a copy to the office.
  case offer
  /// A session within `reminder_days`: to its participants and trainers, with an `.ics`.
  case reminder
  /// A session moved: the same people, the `.ics` with the same UID and a higher SEQUENCE.
  case change
  /// A session cancelled: the same people, an `.ics` that cancels the event.
  case cancellation

  /// Placeholders every kind knows: the recipient's names, the programme and its issuer.
  public static let commonPlaceholders = ["vorname", "nachname", "name", "programm", "traeger"]

  /// The placeholders (`{{name}}`) a text of this kind may use, as the database fills them.
  public var placeholders: [String] {
    Self.commonPlaceholders
      + {
        switch self {
        case .certificate: ["dokument", "ihr_dokument", "nummer", "modul", "abschluss", "pruefadresse"]
        case .reissue: ["dokument", "ihr_dokument", "nummer", "modul", "abschluss", "pruefadresse", "ersetzt"]
        case .offer: ["durchgang", "durchgang_titel", "ort", "beginn"]
        case .reminder, .cancellation: ["durchgang", "durchgang_titel", "modul", "datum", "uhrzeit", "ort", "ue"]
        case .change: ["durchgang", "durchgang_titel", "modul", "datum", "uhrzeit", "ort", "ue", "bisher"]
        }
      }()
  }

  /// Placeholders the body must use: every certificate mail gives the verification address, and a
  /// re-issue names the certificate it replaces.
  public var requiredInBody: [String] {
    switch self {
    case .certificate: ["pruefadresse"]
    case .reissue: ["pruefadresse", "ersetzt"]
    default: []
    }
  }
}

/// A subject and a body with `{{placeholders}}`, German, plain text.
public struct MailTemplate: Codable, Sendable, Equatable {
  public var subject: String
  public var body: String
  public init(subject: String, body: String) {
    self.subject = subject
    self.body = body
  }

  /// The placeholder names `text` uses, in order, and the problem of a `{{` that does not open
  /// one (`{{ name }}`: lower-case letters and underscores between double braces).
  public static func placeholders(in text: String) -> (names: [String], malformed: String?) {
    var names: [String] = []
    var rest = Substring(text)
    while let open = rest.range(of: "{{") {
      let after = rest[open.upperBound...]
      guard let close = after.range(of: "}}"), !after[..<close.lowerBound].contains("{{") else {
        return (names, tr("has \"{{\" without \"}}\""))
      }
      let name = after[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
      guard !name.isEmpty, name.allSatisfy({ ($0 >= "a" && $0 <= "z") || $0 == "_" }) else {
        return (
          names, tr("has \"{{%@}}\", which is not a placeholder (lower-case letters and _)", String(after[..<close.lowerBound]))
        )
      }
      names.append(name)
      rest = after[close.upperBound...]
    }
    return (names, nil)
  }
}

/// The programme's mail (`mail` in its definition): its texts and the office's settings. The
/// newest loaded version's section applies to all the programme's messages.
public struct MailTexts: Codable, Sendable, Equatable {
  /// The office's address, which gets a copy of every place given from the waiting list.
  public var office: String?
  /// How many days before a session its reminder is sent (0: on the day; none when nil).
  public var reminderDays: Int?
  /// Whether certificate mails carry the PDF (else only the verification address).
  public var attachCertificate: Bool
  /// Days after sending until a message's body is deleted.
  public var retentionDays: Int
  /// Texts by kind (`MailKind.rawValue`); a kind without text is not sent.
  public var templates: [String: MailTemplate]

  public init(
    office: String?, reminderDays: Int?, attachCertificate: Bool, retentionDays: Int, templates: [String: MailTemplate]
  ) {
    self.office = office
    self.reminderDays = reminderDays
    self.attachCertificate = attachCertificate
    self.retentionDays = retentionDays
    self.templates = templates
  }

  /// Rule problems, each with its path under `mail`.
  public func problems() -> [DefinitionProblem] {
    var found: [DefinitionProblem] = []
    if let office, !Validation.isMailable(office) {
      found.append(
        DefinitionProblem(path: "mail.office", message: tr("\"%@\" is not an e-mail address that can be mailed", office)))
    }
    if let reminderDays, !(0...60).contains(reminderDays) {
      found.append(
        DefinitionProblem(path: "mail.reminder_days", message: tr("must be between 0 and 60 days, not %@", reminderDays)))
    }
    if !(1...3650).contains(retentionDays) {
      found.append(
        DefinitionProblem(path: "mail.retention_days", message: tr("must be between 1 and 3650 days, not %@", retentionDays)))
    }
    if templates[MailKind.offer.rawValue] != nil && office == nil {
      found.append(
        DefinitionProblem(path: "mail.office", message: tr("is missing: the office gets a copy of every place offered")))
    }
    for kind in MailKind.allCases {
      guard let template = templates[kind.rawValue] else { continue }
      let path = "mail.templates.\(kind.rawValue)"
      for (field, text) in [("subject", template.subject), ("body", template.body)] {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
          found.append(DefinitionProblem(path: "\(path).\(field)", message: tr("must not be empty")))
          continue
        }
        let (names, malformed) = MailTemplate.placeholders(in: text)
        if let malformed { found.append(DefinitionProblem(path: "\(path).\(field)", message: malformed)) }
        for name in names where !kind.placeholders.contains(name) {
          found.append(
            DefinitionProblem(
              path: "\(path).\(field)",
              message: tr("uses the unknown placeholder {{%@}} (known here: %@)", name, kind.placeholders.joined(separator: ", "))
            ))
        }
        if field == "body" {
          for name in kind.requiredInBody where !names.contains(name) {
            found.append(DefinitionProblem(path: "\(path).body", message: tr("must contain {{%@}}", name)))
          }
        }
        if let scalar = text.unicodeScalars.first(where: { InertText.isControl($0) && !(field == "body" && $0 == "\n") }) {
          found.append(
            DefinitionProblem(
              path: "\(path).\(field)", message: tr("contains the control or invisible character %@", InertText.name(scalar))))
        }
      }
    }
    return found
  }
}
