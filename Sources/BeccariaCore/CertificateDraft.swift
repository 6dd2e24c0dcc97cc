import Foundation

/// A certificate before its serial number exists: every printed field but the serial, the
/// verification address that ends in it, and the QR code that carries the signed claim. The
/// nightly run draws drafts outside the serial counter's lock; `sealed(serial:sign:)` completes
/// one into a `SealedCertificate`, and is the only place that builds the verification address.
public struct CertificateDraft: Sendable, Equatable {
  /// The printed fields, as drawn before sealing: `serial` and `qrPayload` are empty, and
  /// `verificationURL` is `addressBeforeSerial`.
  public private(set) var fields: CertificateSnapshot
  /// The programme version's verification URL (`documents.verificationURL`), e.g.
  /// `https://lpr.sachsen.de/pruefen`: the printed address is this with `?nr=<serial>`, the QR
  /// code this with `?c=<token>`.
  public let verificationPrefix: String

  /// A draft of `kind` for `holderName` with the texts of `definition`, signed later with the key
  /// `keyID`; a Zertifikat prints `projectTitle`.
  public init(
    kind: CertificateKind, holderName: String, birthDate: CalendarDate?, modules: [CertificateSnapshot.ModuleLine],
    completedOn: CalendarDate, issuedOn: CalendarDate, definition: ProgrammeDefinition, keyID: String,
    projectTitle: String? = nil
  ) {
    let text = kind == .zertifikat ? definition.documents.zertifikat : definition.documents.teilnahmebescheinigung
    verificationPrefix = definition.documents.verificationURL
    fields = CertificateSnapshot(
      serial: "", kind: kind, heading: text.heading, holderName: holderName, birthDate: birthDate, body: text.body,
      award: text.award, programmeCode: definition.code, programmeTitle: definition.title,
      programmeVersion: definition.version, modules: modules, completedOn: completedOn, issuer: definition.issuer.name,
      place: definition.issuer.place, issuedOn: issuedOn,
      signatories: definition.documents.signatories.map { .init(name: $0.name, role: $0.role) },
      verificationURL: Self.address(prefix: verificationPrefix, serial: ""), qrPayload: "", ueMinutes: definition.ueMinutes,
      keyID: keyID, projectTitle: kind == .zertifikat ? projectTitle : nil)
  }

  /// The draft of a certificate the completion rules made due: its modules with the titles and
  /// UE of `definition`, completed in the cohorts of `due`'s credits.
  public init(
    due: DueCertificate, holderName: String, birthDate: CalendarDate?, issuedOn: CalendarDate, definition: ProgrammeDefinition,
    keyID: String, projectTitle: String? = nil
  ) {
    let modules = due.credits.map { credit in
      CertificateSnapshot.ModuleLine(
        number: credit.module, title: definition.module(credit.module)?.title ?? "Modul \(credit.module)",
        ue: definition.module(credit.module)?.ue ?? credit.plannedUE, course: credit.course, completedOn: credit.completedOn)
    }
    self.init(
      kind: due.kind, holderName: holderName, birthDate: birthDate, modules: modules, completedOn: due.completedOn,
      issuedOn: issuedOn, definition: definition, keyID: keyID, projectTitle: projectTitle)
  }

  /// The draft of a replacement for `issued` (a re-issue): the same texts, modules and completion
  /// date, the holder's current name and birth date, issued on `issuedOn`, to be signed by
  /// `keyID`. `verificationPrefix` is the programme version's (versions never change).
  public init(
    replacing issued: CertificateSnapshot, holderName: String, birthDate: CalendarDate?, issuedOn: CalendarDate,
    verificationPrefix: String, keyID: String
  ) {
    var fields = issued
    fields.holderName = holderName
    fields.birthDate = birthDate
    fields.issuedOn = issuedOn
    fields.keyID = keyID
    // The replacement names what it replaces (a replacement of a replacement names the last one).
    fields.replaces = .init(serial: issued.serial, issuedOn: issued.issuedOn)
    self.init(printing: fields, verificationPrefix: verificationPrefix)
  }

  /// The draft that prints `fields` (their serial, verification address and QR payload are
  /// ignored: sealing sets them) under `verificationPrefix`.
  public init(printing fields: CertificateSnapshot, verificationPrefix: String) {
    var fields = fields
    fields.serial = ""
    fields.qrPayload = ""
    fields.verificationURL = Self.address(prefix: verificationPrefix, serial: "")
    self.fields = fields
    self.verificationPrefix = verificationPrefix
  }

  /// A specimen (`certificate preview`): the heading says MUSTER.
  public func specimen() -> CertificateDraft {
    var copy = self
    copy.fields.heading += " (MUSTER)"
    return copy
  }

  /// What the page prints before the serial: `<prefix>?nr=` (or `&nr=` when the prefix has a query).
  public var addressBeforeSerial: String { fields.verificationURL }

  /// The printed verification address of `serial`: `<prefix>?nr=<serial>`.
  public static func address(prefix: String, serial: String) -> String {
    prefix + (prefix.contains("?") ? "&" : "?") + "nr=" + serial
  }

  /// The certificate with `serial`: its printed address, and the QR payload made of the
  /// signature `sign` gives its claim (`CertificateClaim`, which names the draft's key).
  public func sealed(serial: String, sign: (CertificateClaim) throws -> VerificationPayload) rethrows -> SealedCertificate {
    var snapshot = fields
    snapshot.serial = serial
    snapshot.verificationURL = Self.address(prefix: verificationPrefix, serial: serial)
    let payload = try sign(CertificateClaim(snapshot: snapshot, keyID: snapshot.keyID ?? ""))
    snapshot.qrPayload = payload.url(prefix: verificationPrefix)
    return SealedCertificate(snapshot: snapshot, draft: self, signature: payload.signature)
  }
}
