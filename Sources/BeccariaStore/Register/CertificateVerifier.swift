import BeccariaCore
import Foundation
import Postgres
import Signing

/// Verifies certificates: a PDF by its bytes (against the stored SHA-256 and the stored
/// signature), a serial against the register, a QR payload by its Ed25519 signature. Without a
/// database (`connection == nil`) only payloads can be checked, with the given public keys.
public struct CertificateVerifier {
  let connection: Connection?
  let publicKeys: [String: PublicSigningKey]

  public init(connection: Connection?, publicKeys: [PublicSigningKey] = []) {
    self.connection = connection
    self.publicKeys = Dictionary(publicKeys.map { ($0.keyID, $0) }, uniquingKeysWith: { first, _ in first })
  }

  var checkedAgainst: String { connection == nil ? "offline" : "register" }

  struct RegisterEntry {
    var serial: String
    var snapshot: CertificateSnapshot
    var keyID: String
    var signature: Data?
    /// For an erased holder: the SHA-256 (hex) of the signature's base64url text, kept instead of it.
    var signatureSHA256: String?
    var sha256: String
    var status: CertificateStatus
    var revokedAt: Date?
    var revocationReason: String?
    var supersededBy: String?
    var currentSerial: String?
    var holderErasedAt: Date?
    /// The recorded status change (schema 0015), if any: what revoke or reissue wrote.
    var event: StatusEvent?

    struct StatusEvent {
      var status: CertificateStatus
      var at: Date
      var reason: String
    }

    /// The status the register's history gives: a status row changed without its event (by
    /// someone who switched the guards off) does not decide.
    var recordedStatus: CertificateStatus { event?.status ?? status }
    /// A sentence when the status row and its history disagree.
    var statusMismatch: String? {
      guard (event?.status ?? .valid) != status else { return nil }
      return tr(
        "the register's status field says %@, which was not set by certificate revoke or reissue (the register was altered; run beccaria audit verify)",
        Term.word(status))
    }
  }

  static let entrySQL: SQL = """
    SELECT c.serial, c.snapshot, c.key_id, c.signature, c.signature_sha256, c.pdf_sha256, c.status, c.revoked_at, c.revocation_reason, c.holder_erased_at,
           s.serial AS superseded_by, e.status AS event_status, e.at AS event_at, e.reason AS event_reason,
           (WITH RECURSIVE chain AS (
              SELECT n.id, n.serial, n.superseded_by, 1 AS depth FROM certificate n WHERE n.id = c.superseded_by
              UNION ALL
              SELECT n.id, n.serial, n.superseded_by, chain.depth + 1 FROM certificate n JOIN chain ON n.id = chain.superseded_by
              WHERE chain.depth < 1000)
            SELECT serial FROM chain ORDER BY depth DESC LIMIT 1) AS current_serial
    FROM certificate c LEFT JOIN certificate s ON s.id = c.superseded_by
    LEFT JOIN certificate_status_event e ON e.certificate_id = c.id
    """

  func entry(_ connection: Connection, where condition: SQL) throws -> RegisterEntry? {
    guard let row = try connection.queryOne("\(Self.entrySQL) WHERE \(condition)") else { return nil }
    return RegisterEntry(
      serial: try row.decode("serial"), snapshot: try row.decodeJSON("snapshot"), keyID: try row.decode("key_id"),
      signature: try row.decode("signature", as: String?.self).flatMap(Base64URL.decode),
      signatureSHA256: try row.decode("signature_sha256"), sha256: try row.decode("pdf_sha256"),
      status: try row.decode("status"), revokedAt: try row.decode("revoked_at"),
      revocationReason: try row.decode("revocation_reason"), supersededBy: try row.decode("superseded_by"),
      currentSerial: try row.decode("current_serial"), holderErasedAt: try row.decode("holder_erased_at"),
      event: try row.decode("event_status", as: CertificateStatus?.self).map {
        RegisterEntry.StatusEvent(status: $0, at: try row.decode("event_at"), reason: try row.decode("event_reason"))
      })
  }

  /// A key from the given public keys, else from the register.
  func key(_ keyID: String) throws -> PublicSigningKey? {
    if let key = publicKeys[keyID] { return key }
    guard let connection else { return nil }
    return try SigningKeyStore(connection).find(keyID)
  }

  /// The verdict of a genuine register entry: its status, with its printed fields. The stored
  /// signature is checked too, so a row edited behind the triggers' back is not reported genuine.
  func judge(_ entry: RegisterEntry, how: String, presented: VerificationPayload? = nil) throws -> VerificationResult {
    if let erasedAt = entry.holderErasedAt { return try judgeErased(entry, erasedAt: erasedAt, how: how, presented: presented) }
    let claim = CertificateClaim(snapshot: entry.snapshot, keyID: entry.keyID)
    guard let key = try key(entry.keyID) else {
      var result = VerificationResult(
        .unknownKey, tr("certificate %@ was signed with key %@, which is not registered", entry.serial, entry.keyID),
        checkedAgainst: checkedAgainst)
      result.fill(from: claim)
      return result
    }
    // The signed claim names its serial: a row whose serial is another's cannot borrow its
    // snapshot and signature.
    guard entry.snapshot.serial == entry.serial, let signature = entry.signature,
      let signed = try? claim.bytes(CertificateClaim.Encoding(qrPayload: entry.snapshot.qrPayload)),
      key.isValidSignature(signature, for: signed)
    else {
      var result = VerificationResult(
        .forged, tr("the register's entry for %@ does not match its signature: the stored data was altered", entry.serial),
        checkedAgainst: checkedAgainst)
      result.fill(from: claim)
      result.serial = entry.serial
      return result
    }
    if let refused = Self.retirement(of: key, claim: claim, checkedAgainst: checkedAgainst) { return refused }
    var result = Self.statusVerdict(entry, how: how, checkedAgainst: checkedAgainst, current: try currentEntry(of: entry))
    result.fill(from: claim)
    result.status(from: entry)
    return result
  }

  /// A claim dated after its key's retirement is not genuine: a retired key signs nothing new.
  static func retirement(of key: PublicSigningKey, claim: CertificateClaim, checkedAgainst: String) -> VerificationResult? {
    guard let retired = key.retiredOn, claim.issuedOn > retired else { return nil }
    var result = VerificationResult(
      .forged,
      tr(
        "the code is not genuine: it is dated %@, after its key %@ was retired on %@", claim.issuedOn.german, key.keyID,
        retired.german),
      checkedAgainst: checkedAgainst)
    result.fill(from: claim)
    return result
  }

  /// The last certificate of a replaced one's chain, when the register has it.
  func currentEntry(of entry: RegisterEntry) throws -> RegisterEntry? {
    guard entry.recordedStatus == .superseded, let connection, let serial = entry.currentSerial ?? entry.supersededBy else {
      return nil
    }
    return try self.entry(connection, where: "c.serial = \(serial)")
  }

  /// The verdict a genuine entry's recorded status gives (see `RegisterEntry.recordedStatus`);
  /// for a replaced certificate, `current` is the last of its chain, whose own status says
  /// whether a valid certificate exists at all.
  static func statusVerdict(
    _ entry: RegisterEntry, how: String, checkedAgainst: String, suffix: String = "", current: RegisterEntry? = nil
  ) -> VerificationResult {
    let mismatch = entry.statusMismatch.map { "; \($0)" } ?? ""
    switch entry.recordedStatus {
    case .revoked:
      let at = entry.event?.at ?? entry.revokedAt
      let reason = entry.event?.reason ?? entry.revocationReason
      return VerificationResult(
        .revoked,
        (at.map { tr("certificate %@ is genuine but was revoked on %@", entry.serial, day($0)) }
          ?? tr("certificate %@ is genuine but was revoked", entry.serial))
          + (reason.map { ": \($0)" } ?? "") + suffix + mismatch, checkedAgainst: checkedAgainst)
    case .superseded:
      let later = entry.currentSerial.flatMap { $0 == entry.supersededBy ? nil : $0 }
      var text = tr(
        "certificate %@ is genuine but was replaced by %@", entry.serial, entry.supersededBy ?? tr("a newer certificate"))
      if let current, current.recordedStatus == .revoked {
        let at = current.event?.at ?? current.revokedAt
        let reason = current.event?.reason ?? current.revocationReason
        text +=
          (later.map { tr(", which was itself replaced by %@", $0) } ?? "")
          + (at.map { tr(", which was revoked on %@", day($0)) } ?? tr(", which was revoked")) + (reason.map { ": \($0)" } ?? "")
          + tr("; no valid certificate exists")
      } else {
        text += later.map { tr(", which was itself replaced; the current one is %@", $0) } ?? ""
      }
      return VerificationResult(.superseded, text + suffix + mismatch, checkedAgainst: checkedAgainst)
    default:
      return VerificationResult(
        .valid, tr("certificate %@ is genuine and valid (%@)", entry.serial, how) + suffix, checkedAgainst: checkedAgainst)
    }
  }

  /// The register keeps no personal fields of an erased holder, so its entry cannot be checked
  /// against the signature; what the holder presents can: the signed claim their PDF or QR code
  /// carries must verify and be the very signature the register kept.
  func judgeErased(_ entry: RegisterEntry, erasedAt: Date, how: String, presented: VerificationPayload?) throws
    -> VerificationResult
  {
    let erasedNote = tr("the holder's personal data was erased from the register on request on %@", Self.day(erasedAt))
    var claim: CertificateClaim?
    if let presented {
      guard let decoded = try? presented.claim(), decoded.serial == entry.serial,
        decoded.keyID == entry.keyID, let key = try key(entry.keyID),
        key.isValidSignature(presented.signature, for: presented.claimBytes), Self.isKept(presented.signature, in: entry)
      else {
        var result = VerificationResult(
          .forged,
          tr("the presented certificate %@ does not carry the signature it was issued with; %@", entry.serial, erasedNote),
          checkedAgainst: checkedAgainst)
        result.serial = entry.serial
        return result
      }
      claim = decoded
    }
    var result: VerificationResult
    if entry.recordedStatus == .valid && claim == nil {
      result = VerificationResult(
        .valid,
        tr(
          "certificate %@ was issued and is valid; %@, so only the holder's PDF or QR code shows whose it is", entry.serial,
          erasedNote),
        checkedAgainst: checkedAgainst)
    } else {
      result = Self.statusVerdict(
        entry, how: how, checkedAgainst: checkedAgainst, suffix: "; \(erasedNote)", current: try currentEntry(of: entry))
    }
    if let claim {
      result.fill(from: claim)
    } else {
      result.serial = entry.serial
      result.kind = entry.snapshot.kind
      result.keyID = entry.keyID
      result.completedOn = entry.snapshot.completedOn
      result.issuedOn = entry.snapshot.issuedOn
    }
    result.status(from: entry)
    result.holderErasedAt = erasedAt
    return result
  }

  static func day(_ date: Date) -> String {
    let day = CalendarDate.today(now: date)
    return Localisation.language == .german ? day.german : day.description
  }

  /// Whether a presented signature is the one the register kept (itself, or for an erased
  /// holder its SHA-256).
  static func isKept(_ signature: Data, in entry: RegisterEntry) -> Bool {
    if let kept = entry.signature { return kept == signature }
    guard let digest = entry.signatureSHA256 else { return false }
    return Data(Base64URL.encode(signature).utf8).sha256Hex == digest
  }

  /// A PDF is genuine only if its exact bytes were issued.
  public func verify(pdf: Data) throws -> VerificationResult {
    guard let connection else {
      throw StoreError.invalid(
        tr(
          "a PDF can only be checked against the register (its bytes against the stored SHA-256); offline, verify the QR code's payload"
        )
      )
    }
    let sha = pdf.sha256Hex
    // The hash is unique in the register (schema 0015): one file, one entry. The file must also
    // carry that entry's own code (its Keywords: serial and signed payload), so that a file
    // stored under another claim (schema 0015 refuses it; a row written with the checks off)
    // does not verify as that claim.
    if let entry = try entry(connection, where: "c.pdf_sha256 = \(sha)") {
      let presented = Self.embeddedPayload(in: pdf)
      let carriesItsCode =
        if let presented, Self.claimedSerial(in: pdf) == entry.serial, Self.isKept(presented.signature, in: entry) {
          entry.holderErasedAt != nil
            || (try? presented.claim())
              == CertificateClaim(snapshot: entry.snapshot, keyID: entry.keyID)
        } else {
          false
        }
      guard carriesItsCode else {
        var result = VerificationResult(
          .forged,
          tr(
            "this file's bytes are registered as certificate %@, but it does not carry that certificate's code: the register was given another document (run beccaria audit verify)",
            entry.serial), checkedAgainst: checkedAgainst)
        result.serial = entry.serial
        return result
      }
      return try judge(entry, how: tr("the file is byte for byte the document issued"), presented: presented)
    }
    let claimed = Self.claimedSerial(in: pdf)
    // Bytes that were not issued. A copy re-saved by another program, printed to PDF or passed
    // through a mail gateway is not the original, but not forged either: the code it carries
    // decides. Only a code that fails, or a serial never issued, is not genuine.
    if let code = PDFCode.find(in: pdf) {
      var result = try verify(payload: code)
      switch result.verdict {
      case .valid, .revoked, .superseded:
        result.codeVerdict = result.verdict
        result.verdict = .notOriginal
        result.explanation =
          tr(
            "this file is not the document issued (its bytes differ: SHA-256 %@…), but the code it carries is genuine: %@; ask the holder for the original file, or check the code printed on it",
            sha.prefix(16), result.explanation)
      default:
        result.explanation = tr("this file is not genuine: %@", result.explanation)
      }
      return result
    }
    var result: VerificationResult
    if let claimed, let entry = try entry(connection, where: "c.serial = \(claimed)") {
      result = VerificationResult(
        .notOriginal,
        tr(
          "this file is not the document issued as certificate %@ (its bytes differ: SHA-256 %@… instead of %@…) and it carries no code that can be checked; ask the holder for the original file, or check the code printed on it",
          claimed, sha.prefix(16), entry.sha256.prefix(16)), checkedAgainst: checkedAgainst)
      result.serial = claimed
    } else {
      result = VerificationResult(
        .forged,
        claimed.map {
          tr(
            "this file is not genuine: no certificate was issued with these bytes (it claims serial %@, which was never issued)",
            $0)
        }
          ?? tr("this file is not genuine: no certificate was issued with these bytes"), checkedAgainst: checkedAgainst)
      result.serial = claimed
    }
    return result
  }

  /// The document information's Keywords of a certificate PDF: `<serial> <QR payload>`. The
  /// document information is written last; its last Keywords are read, within the last 8 KB, as
  /// the register's check of a stored PDF reads them (schema 0015).
  static func keywords(in pdf: Data) -> String? {
    let tail = pdf.suffix(8192)
    guard let start = tail.range(of: Data("/Keywords (".utf8), options: .backwards),
      let end = tail[start.upperBound...].firstIndex(of: UInt8(ascii: ")"))
    else { return nil }
    return String(decoding: tail[start.upperBound..<end], as: UTF8.self)
  }

  /// The serial a certificate PDF names in its Keywords, if any.
  static func claimedSerial(in pdf: Data) -> String? {
    guard let serial = keywords(in: pdf)?.split(separator: " ").first.map(String.init) else { return nil }
    return SerialNumber.parse(serial) != nil ? serial : nil
  }

  /// The signed payload a certificate PDF carries in its Keywords.
  static func embeddedPayload(in pdf: Data) -> VerificationPayload? {
    keywords(in: pdf).flatMap { try? VerificationPayload.parse($0) }
  }

  /// A serial is checked against the register.
  public func verify(serial: String) throws -> VerificationResult {
    guard let connection else {
      throw StoreError.invalid(
        tr("a serial number can only be checked against the register; offline, verify the QR code's payload"))
    }
    guard SerialNumber.parse(serial) != nil else {
      throw StoreError.invalid(tr("%@ is not a serial number (BQ-<year>-<6 digits>)", serial))
    }
    guard let entry = try entry(connection, where: "c.serial = \(serial)") else {
      var result = VerificationResult(
        .unknown, tr("no certificate with the serial %@ was issued", serial), checkedAgainst: checkedAgainst)
      result.serial = serial
      return result
    }
    return try judge(entry, how: tr("found in the register"))
  }

  /// A QR payload: its signature must verify with a known key; with the register at hand, it
  /// must also match the issued certificate and its status decides.
  public func verify(payload: VerificationPayload) throws -> VerificationResult {
    let claim: CertificateClaim
    do {
      claim = try payload.claim()
    } catch {
      return VerificationResult(.forged, tr("the code is not genuine: %@", "\(error)"), checkedAgainst: checkedAgainst)
    }
    guard let key = try key(claim.keyID) else {
      var result = VerificationResult(
        .unknownKey,
        connection == nil
          ? tr("the code is signed with key %@, which is not among the given public keys; it cannot be confirmed", claim.keyID)
          : tr("the code is signed with key %@, which this register does not know; it cannot be confirmed", claim.keyID),
        checkedAgainst: checkedAgainst)
      result.fill(from: claim)
      return result
    }
    guard key.isValidSignature(payload.signature, for: payload.claimBytes) else {
      var result = VerificationResult(
        .forged, tr("the code is not genuine: its signature does not match its content (key %@)", claim.keyID),
        checkedAgainst: checkedAgainst)
      result.fill(from: claim)
      return result
    }
    if let refused = Self.retirement(of: key, claim: claim, checkedAgainst: checkedAgainst) { return refused }
    guard let connection else {
      var result = VerificationResult(
        .valid,
        tr(
          "the code of certificate %@ is genuine: signed by key %@ (checked offline; revocation and replacement can only be checked against the register)",
          claim.serial, claim.keyID), checkedAgainst: checkedAgainst)
      result.fill(from: claim)
      return result
    }
    guard let entry = try entry(connection, where: "c.serial = \(claim.serial)") else {
      var result = VerificationResult(
        .unknown, tr("the code is signed, but no certificate with the serial %@ is in the register", claim.serial),
        checkedAgainst: checkedAgainst)
      result.fill(from: claim)
      return result
    }
    if entry.holderErasedAt != nil {
      return try judge(entry, how: tr("its signature and the register agree"), presented: payload)
    }
    guard CertificateClaim(snapshot: entry.snapshot, keyID: entry.keyID) == claim else {
      var result = VerificationResult(
        .forged, tr("the code is signed, but its content differs from certificate %@ as issued", claim.serial),
        checkedAgainst: checkedAgainst)
      result.fill(from: claim)
      return result
    }
    return try judge(entry, how: tr("its signature and the register agree"))
  }
}
