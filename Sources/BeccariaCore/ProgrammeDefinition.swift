import Foundation

/// A programme as the programme office defines it (`courses/*.yaml`): its modules in order, the
/// completion rules and the wording of its documents. Loaded and validated by ProgrammeLoader,
/// stored as a version by BeccariaStore.
public struct ProgrammeDefinition: Codable, Sendable, Equatable {
  /// Stable code, lowercase with hyphens (`beccaria-fachkraft`).
  public var code: String
  public var title: String
  /// Raised by the office with every change of content.
  public var version: Int
  public var issuer: Issuer
  /// Minutes of one Unterrichtseinheit (45).
  public var ueMinutes: Int
  public var completion: CompletionRules
  public var modules: [Module]
  public var documents: Documents
  /// The office's mail texts and settings (`mail`); nil: the programme sends no mail.
  public var mail: MailTexts?

  public init(
    code: String, title: String, version: Int, issuer: Issuer, ueMinutes: Int,
    completion: CompletionRules, modules: [Module], documents: Documents, mail: MailTexts? = nil
  ) {
    self.code = code
    self.title = title
    self.version = version
    self.issuer = issuer
    self.ueMinutes = ueMinutes
    self.completion = completion
    self.modules = modules
    self.documents = documents
    self.mail = mail
  }

  public struct Issuer: Codable, Sendable, Equatable {
    public var name: String
    public var place: String
    public init(name: String, place: String) {
      self.name = name
      self.place = place
    }
  }

  /// What a participant must achieve for the Zertifikat (and, per module, the Teilnahmebescheinigung).
  public struct CompletionRules: Codable, Sendable, Equatable {
    /// Minimum share of each module's planned UE attended, as a fraction (0.8 = 80 %).
    public var attendanceThreshold: Decimal
    /// Whether excused absences count as attended.
    public var excusedCounts: Bool
    /// Whether a passed project work is required for the Zertifikat.
    public var projectRequired: Bool
    public init(attendanceThreshold: Decimal, excusedCounts: Bool, projectRequired: Bool) {
      self.attendanceThreshold = attendanceThreshold
      self.excusedCounts = excusedCounts
      self.projectRequired = projectRequired
    }
  }

  public struct Module: Codable, Sendable, Equatable {
    public var number: Int
    public var title: String
    public var blocks: [Block]
    public init(number: Int, title: String, blocks: [Block]) {
      self.number = number
      self.title = title
      self.blocks = blocks
    }
    /// UE of the module: the sum of its blocks.
    public var ue: Int { blocks.reduce(0) { $0 + $1.ue } }
  }

  /// A teaching block of a module (a weekend).
  public struct Block: Codable, Sendable, Equatable {
    public var title: String
    public var ue: Int
    public init(title: String, ue: Int) {
      self.title = title
      self.ue = ue
    }
  }

  public struct Documents: Codable, Sendable, Equatable {
    public var zertifikat: DocumentText
    public var teilnahmebescheinigung: DocumentText
    public var signatories: [Signatory]
    /// Prefix of the verification address printed with the QR code.
    public var verificationURL: String
    /// The verification service's legal pages (`documents.verification_page`); nil in
    /// definitions that predate the service, whose pages then say the office gives them.
    public var verificationPage: VerificationPage?
    public init(
      zertifikat: DocumentText, teilnahmebescheinigung: DocumentText, signatories: [Signatory],
      verificationURL: String, verificationPage: VerificationPage? = nil
    ) {
      self.zertifikat = zertifikat
      self.teilnahmebescheinigung = teilnahmebescheinigung
      self.signatories = signatories
      self.verificationURL = verificationURL
      self.verificationPage = verificationPage
    }
  }

  /// The texts a public body's web page must offer (German law: TMG/DDG § 5 imprint, GDPR
  /// Art. 13 privacy notice, BITV 2.0 § 12b accessibility statement), shown by the verification
  /// service as written here; paragraphs are separated by blank lines.
  public struct VerificationPage: Codable, Sendable, Equatable {
    public var imprint: String
    public var privacy: String
    public var accessibility: String
    public init(imprint: String, privacy: String, accessibility: String) {
      self.imprint = imprint
      self.privacy = privacy
      self.accessibility = accessibility
    }
  }

  /// German wording of one kind of certificate.
  public struct DocumentText: Codable, Sendable, Equatable {
    /// "Zertifikat", "Teilnahmebescheinigung".
    public var heading: String
    /// The line after the name, e.g. "hat erfolgreich an der Qualifizierung teilgenommen".
    public var body: String
    /// The qualification awarded ("Fachkraft für Kriminalprävention"), if any.
    public var award: String?
    public init(heading: String, body: String, award: String?) {
      self.heading = heading
      self.body = body
      self.award = award
    }
  }

  public struct Signatory: Codable, Sendable, Equatable {
    public var name: String
    public var role: String
    public init(name: String, role: String) {
      self.name = name
      self.role = role
    }
  }

  /// The module with `number`, if defined.
  public func module(_ number: Int) -> Module? { modules.first { $0.number == number } }

  /// UE the whole programme plans.
  public var totalUE: Int { modules.reduce(0) { $0 + $1.ue } }

  /// Rule problems with the definition, each with the path of the value at fault. Empty when it
  /// is valid. Shape problems (missing keys, wrong types) are the loader's; these are the rules.
  public func problems() -> [DefinitionProblem] {
    var found: [DefinitionProblem] = []
    func check(_ condition: Bool, _ path: String, _ message: String) {
      if !condition { found.append(DefinitionProblem(path: path, message: message)) }
    }
    check(
      code.range(of: "^[a-z0-9][a-z0-9-]{1,62}$", options: .regularExpression) != nil,
      "code", tr("must be lowercase letters, digits and hyphens (2–63 characters)"))
    check(!title.trimmed.isEmpty, "title", tr("must not be empty"))
    check(version >= 1, "version", tr("must be 1 or more"))
    check(!issuer.name.trimmed.isEmpty, "issuer.name", tr("must not be empty"))
    check(!issuer.place.trimmed.isEmpty, "issuer.place", tr("must not be empty"))
    check((15...240).contains(ueMinutes), "ue_minutes", tr("must be between 15 and 240 minutes"))
    check(
      completion.attendanceThreshold > 0 && completion.attendanceThreshold <= 1,
      "completion.attendance_threshold", tr("must be a share above 0 and at most 1 (0.8 = 80 %)"))
    check(!modules.isEmpty, "modules", tr("must list at least one module"))
    for (index, module) in modules.enumerated() {
      let path = "modules[\(index)]"
      check(module.number == index + 1, "\(path).number", tr("must be %@: modules are numbered 1, 2, 3 … in order", index + 1))
      check(!module.title.trimmed.isEmpty, "\(path).title", tr("must not be empty"))
      check(!module.blocks.isEmpty, "\(path).blocks", tr("must list at least one block"))
      for (blockIndex, block) in module.blocks.enumerated() {
        check(!block.title.trimmed.isEmpty, "\(path).blocks[\(blockIndex)].title", tr("must not be empty"))
        check(block.ue > 0, "\(path).blocks[\(blockIndex)].ue", tr("must be a positive number of UE, not %@", block.ue))
        check(block.ue <= 40, "\(path).blocks[\(blockIndex)].ue", tr("must be at most 40 UE for one block"))
      }
    }
    for (label, text) in [("zertifikat", documents.zertifikat), ("teilnahmebescheinigung", documents.teilnahmebescheinigung)] {
      check(!text.heading.trimmed.isEmpty, "documents.\(label).heading", tr("must not be empty"))
      check(!text.body.trimmed.isEmpty, "documents.\(label).body", tr("must not be empty"))
    }
    check(!documents.signatories.isEmpty, "documents.signatories", tr("must name at least one signatory"))
    for (index, signatory) in documents.signatories.enumerated() {
      check(!signatory.name.trimmed.isEmpty, "documents.signatories[\(index)].name", tr("must not be empty"))
      check(!signatory.role.trimmed.isEmpty, "documents.signatories[\(index)].role", tr("must not be empty"))
    }
    check(
      documents.verificationURL.hasPrefix("https://") || documents.verificationURL.hasPrefix("http://"),
      "documents.verification_url", tr("must start with https://"))
    // Every text ends up printed on certificates and in listings: none of the characters that
    // act on terminals or hide in names (`InertText`); a body may run over several lines.
    var texts: [(path: String, text: String, lines: Bool)] = [
      ("title", title, false), ("issuer.name", issuer.name, false), ("issuer.place", issuer.place, false),
      ("documents.verification_url", documents.verificationURL, false),
    ]
    for (index, module) in modules.enumerated() {
      texts.append(("modules[\(index)].title", module.title, false))
      for (blockIndex, block) in module.blocks.enumerated() {
        texts.append(("modules[\(index)].blocks[\(blockIndex)].title", block.title, false))
      }
    }
    for (label, text) in [("zertifikat", documents.zertifikat), ("teilnahmebescheinigung", documents.teilnahmebescheinigung)] {
      texts += [("documents.\(label).heading", text.heading, false), ("documents.\(label).body", text.body, true)]
      if let award = text.award { texts.append(("documents.\(label).award", award, false)) }
    }
    for (index, signatory) in documents.signatories.enumerated() {
      texts += [
        ("documents.signatories[\(index)].name", signatory.name, false),
        ("documents.signatories[\(index)].role", signatory.role, false),
      ]
    }
    found += mail?.problems() ?? []
    for (path, text, lines) in texts {
      if let scalar = text.unicodeScalars.first(where: { InertText.isControl($0) && !(lines && $0 == "\n") }) {
        found.append(
          DefinitionProblem(path: path, message: tr("contains the control or invisible character %@", InertText.name(scalar))))
      }
    }
    return found
  }
}
