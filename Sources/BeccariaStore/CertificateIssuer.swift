import BeccariaCore
import Foundation
import Postgres

/// Renders a snapshot into PDF bytes (the Documents target provides it; tests may inject others).
public typealias CertificateRenderer = @Sendable (CertificateSnapshot) throws -> Data

/// One certificate issued (committed) by a run.
public struct IssuedCertificate: Sendable, Equatable, Codable {
  public var id: Int64
  public var serial: String
  public var kind: CertificateKind
  public var module: Int?
  public var participantID: Int64
  public var holderName: String
  public var sha256: String
  public var year: Int
}

/// A certificate a dry run would issue.
public struct PlannedCertificate: Sendable, Equatable, Codable {
  public var participantID: Int64
  public var holderName: String
  public var kind: CertificateKind
  public var module: Int?
  public var completedOn: CalendarDate
  public var reason: String
}

/// Issues the certificates due for a batch of participants inside the caller's transaction.
struct CertificateIssuer {
  let connection: Connection
  let renderer: CertificateRenderer
  let today: CalendarDate
  let runID: Int64?

  let signer: SigningKey

  /// Builds the printed fields of a due certificate (serial given), signed: the QR code carries
  /// the claim and its signature.
  static func snapshot(
    for due: DueCertificate, in eligibility: EligibilityCase, serial: String, today: CalendarDate, signer: SigningKey
  ) throws -> (CertificateSnapshot, VerificationPayload) {
    let definition = eligibility.definition
    let text = due.kind == .zertifikat ? definition.documents.zertifikat : definition.documents.teilnahmebescheinigung
    let modules = due.credits.map { credit in
      CertificateSnapshot.ModuleLine(
        number: credit.module, title: definition.module(credit.module)?.title ?? "Modul \(credit.module)",
        ue: definition.module(credit.module)?.ue ?? credit.plannedUE, course: credit.course, completedOn: credit.completedOn)
    }
    var snapshot = CertificateSnapshot(
      serial: serial, kind: due.kind, heading: text.heading, holderName: eligibility.holderName,
      birthDate: eligibility.birthDate, body: text.body, award: text.award, programmeCode: definition.code,
      programmeTitle: definition.title, programmeVersion: definition.version, modules: modules, completedOn: due.completedOn,
      issuer: definition.issuer.name, place: definition.issuer.place, issuedOn: today,
      signatories: definition.documents.signatories.map { .init(name: $0.name, role: $0.role) },
      verificationURL: "", qrPayload: "", ueMinutes: definition.ueMinutes)
    let payload = try signer.seal(&snapshot, verificationPrefix: definition.documents.verificationURL)
    return (snapshot, payload)
  }

  /// Takes the next serial of the (German) year. The counter row stays locked until the
  /// transaction ends, which is what makes serials gapless: a rollback gives the number back.
  func nextSerial() throws -> String {
    let row = try connection.queryOne(
      """
      INSERT INTO certificate_serial_counter AS c (year, last_number) VALUES (\(today.year), 1)
      ON CONFLICT (year) DO UPDATE SET last_number = c.last_number + 1
      RETURNING last_number
      """)
    guard let number: Int = try row?.decode("last_number") else { throw StoreError.corrupt("no serial number was assigned") }
    return SerialNumber.make(year: today.year, number: number)
  }

  /// Renders and stores one certificate; the serial and the row live or die together.
  func issue(_ due: DueCertificate, for eligibility: EligibilityCase) throws -> IssuedCertificate {
    try connection.transaction { db in
      let serial = try CertificateIssuer(connection: db, renderer: renderer, today: today, runID: runID, signer: signer)
        .nextSerial()
      let (snapshot, payload) = try Self.snapshot(for: due, in: eligibility, serial: serial, today: today, signer: signer)
      let pdf = try renderer(snapshot)
      Failpoint.pass("rendered")
      let sha = pdf.sha256Hex
      let courseID = due.credits.last.flatMap { eligibility.courseIDs[$0.course] }
      let row = try db.queryOne(
        """
        INSERT INTO certificate (serial, kind, participant_id, programme_id, programme_version_id, module_number, course_id,
                                 completed_on, run_id, pdf, pdf_sha256, snapshot, key_id, signature)
        VALUES (\(serial), \(due.kind.rawValue), \(eligibility.key.participant), \(eligibility.key.programme),
                \(eligibility.programmeVersionID), \(due.module), \(courseID), \(due.completedOn.postgres), \(runID), \(pdf),
                \(sha), \(JSONB(snapshot)), \(signer.keyID), \(Base64URL.encode(payload.signature)))
        RETURNING id
        """)
      Failpoint.pass("inserted")
      return IssuedCertificate(
        id: try row?.decode("id") ?? 0, serial: serial, kind: due.kind, module: due.module,
        participantID: eligibility.key.participant, holderName: eligibility.holderName, sha256: sha, year: today.year)
    }
  }
}
