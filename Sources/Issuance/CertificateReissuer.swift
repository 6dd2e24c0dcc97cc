import BeccariaCore
import BeccariaStore
import Documents
import Foundation
import Postgres
import Signing

/// Re-issue: a valid certificate is superseded by a new one (new serial, the holder's current
/// name, the original completion date) that points back to it. Nothing is deleted.
public struct CertificateReissuer {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// Issues a replacement for a valid certificate: a new serial of the current year, the holder's
  /// current name and birth date, everything else (texts, modules, completion date) as issued.
  /// Stored through `certificate_reissue`, which marks the old one superseded in the same step.
  public func reissue(
    serial: String, reason: String, signer: SigningKey, printer: any CertificatePrinting = CertificatePrinter(threads: 1)
  ) throws
    -> IssuedCertificate
  {
    let reason = try CertificateRevision.requireReason(reason, refusal: tr("a re-issue needs a reason (--reason)"))
    return try connection.transaction { db in
      try SigningKeyStore(db).requireUsable(signer)
      let current = try CertificateRevision(db).current(db, serial: serial)
      switch current.status {
      case .revoked:
        if let reopened = try db.queryOne(
          "SELECT to_char(at AT TIME ZONE 'Europe/Berlin', 'YYYY-MM-DD') AS day FROM certificate_reopening WHERE certificate_id = \(current.id)"
        ) {
          let day = try reopened.decode("day", as: String.self)
          throw StoreError.conflict(
            tr(
              "certificate %@ is revoked and was reopened on %@: the nightly run issues a new certificate when its holder meets the rules (see beccaria participant show)",
              serial, day))
        }
        throw StoreError.conflict(
          tr(
            "certificate %@ is revoked; a revoked certificate is not re-issued. When its holder meets the rules again (a new project passed, say), `beccaria certificate reopen %@ --reason ...` lets the next run issue a new one",
            serial, serial))
      case .superseded:
        throw StoreError.conflict(
          tr(
            "certificate %@ was already replaced by %@; re-issue that one instead", serial,
            current.supersededBy ?? tr("a newer one")))
      default: break
      }
      guard
        let row = try db.queryOne(
          """
          SELECT c.kind, c.participant_id, c.module_number, c.snapshot, p.given_names || ' ' || p.family_name AS name,
                 p.birth_date, p.erased_at IS NOT NULL AS erased, beccaria_today() AS today,
                 v.definition->'documents'->>'verificationURL' AS verification_prefix
          FROM certificate c JOIN participant p ON p.id = c.participant_id
          JOIN programme_version v ON v.id = c.programme_version_id WHERE c.id = \(current.id)
          """)
      else { throw StoreError.corrupt(tr("certificate %@ vanished while being re-issued", serial)) }
      if try row.decode("erased", as: Bool.self) {
        throw StoreError.conflict(tr("the holder of %@ was erased on request; their certificate cannot be re-issued", serial))
      }
      let today = try row.date("today")
      // The replacement keeps the issued texts and the programme version's verification address
      // (versions never change); the holder's name and birth date are today's.
      let draft = CertificateDraft(
        replacing: try row.decodeJSON("snapshot"), holderName: try row.decode("name"),
        birthDate: try row.optionalDate("birth_date"), issuedOn: today,
        verificationPrefix: try row.decode("verification_prefix"), keyID: signer.keyID)
      let issuer = CertificateIssuer(connection: db, printer: printer, today: today, runID: nil, signer: signer)
      let sealed = try signer.seal(draft, serial: try issuer.nextSerial())
      let pdf = try printer.render(sealed)
      let sha = pdf.sha256Hex
      let snapshot = sealed.snapshot
      guard
        let newID: CertificateID = try db.queryOne(
          """
          SELECT certificate_reissue(\(serial), \(snapshot.serial), \(pdf), \(sha), \(JSONB(snapshot)), \(signer.keyID),
                                     \(Base64URL.encode(sealed.signature)), \(reason)) AS id
          """)?.decode("id")
      else { throw StoreError.corrupt(tr("the replacement of %@ was not stored", serial)) }
      let kind = CertificateKind(rawValue: try row.decode("kind")) ?? .zertifikat
      return IssuedCertificate(
        id: newID, serial: snapshot.serial, kind: kind, module: try row.decode("module_number"),
        participantID: try row.decode("participant_id"), holderName: snapshot.holderName, sha256: sha, year: today.year)
    }
  }
}
