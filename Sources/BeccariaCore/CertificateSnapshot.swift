import Foundation

/// Every field a certificate prints, frozen at issue and stored as JSON beside the PDF. The PDF
/// is rendered from this alone, so what is stored is exactly what was printed.
public struct CertificateSnapshot: Codable, Sendable, Equatable {
  public struct ModuleLine: Codable, Sendable, Equatable {
    public var number: Int
    public var title: String
    public var ue: Int
    /// The cohort in which the module was completed.
    public var course: String
    public var completedOn: CalendarDate
    public init(number: Int, title: String, ue: Int, course: String, completedOn: CalendarDate) {
      self.number = number
      self.title = title
      self.ue = ue
      self.course = course
      self.completedOn = completedOn
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

  public var serial: String
  public var kind: CertificateKind
  public var heading: String
  public var holderName: String
  public var birthDate: CalendarDate?
  public var body: String
  public var award: String?
  public var programmeCode: String
  public var programmeTitle: String
  public var programmeVersion: Int
  public var modules: [ModuleLine]
  public var completedOn: CalendarDate
  public var issuer: String
  public var place: String
  public var issuedOn: CalendarDate
  public var signatories: [Signatory]
  /// The address printed under the QR code (verification URL prefix and serial).
  public var verificationURL: String
  /// What the QR code holds.
  public var qrPayload: String
  /// Minutes of one UE, as printed in the explanation.
  public var ueMinutes: Int
  /// The issuing key whose signature the QR code carries.
  public var keyID: String?
  /// The title of the project work a Zertifikat rests on (the first passed one), printed under
  /// the modules; nil for a Teilnahmebescheinigung, and in certificates issued before it was.
  public var projectTitle: String?
  /// The certificate this one replaces (a re-issue), printed under the place and date.
  public var replaces: Replaced?

  /// A replaced certificate as a re-issue names it.
  public struct Replaced: Codable, Sendable, Equatable {
    public var serial: String
    public var issuedOn: CalendarDate
    public init(serial: String, issuedOn: CalendarDate) {
      self.serial = serial
      self.issuedOn = issuedOn
    }
  }

  public init(
    serial: String, kind: CertificateKind, heading: String, holderName: String, birthDate: CalendarDate?, body: String,
    award: String?, programmeCode: String, programmeTitle: String, programmeVersion: Int, modules: [ModuleLine],
    completedOn: CalendarDate, issuer: String, place: String, issuedOn: CalendarDate, signatories: [Signatory],
    verificationURL: String, qrPayload: String, ueMinutes: Int, keyID: String? = nil, projectTitle: String? = nil,
    replaces: Replaced? = nil
  ) {
    self.projectTitle = projectTitle
    self.replaces = replaces
    self.serial = serial
    self.kind = kind
    self.heading = heading
    self.holderName = holderName
    self.birthDate = birthDate
    self.body = body
    self.award = award
    self.programmeCode = programmeCode
    self.programmeTitle = programmeTitle
    self.programmeVersion = programmeVersion
    self.modules = modules
    self.completedOn = completedOn
    self.issuer = issuer
    self.place = place
    self.issuedOn = issuedOn
    self.signatories = signatories
    self.verificationURL = verificationURL
    self.qrPayload = qrPayload
    self.ueMinutes = ueMinutes
    self.keyID = keyID
  }

  public var totalUE: Int { modules.reduce(0) { $0 + $1.ue } }
}
