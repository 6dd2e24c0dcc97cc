import BeccariaCore
import Foundation
import Postgres
import Signing

/// A certificate as the public may see it (schema 0023, `verification_certificate`): status,
/// replacement, dates, programme, PDF hash and key, never a name or birth date. The shape of
/// `GET …/api/status/SERIAL` (JSON keys as named here; dates `YYYY-MM-DD`).
public struct PublicCertificateStatus: Codable, Sendable, Equatable {
  public var serial: String
  public var kind: CertificateKind
  public var programmeCode: String?
  public var programmeTitle: String?
  public var programmeVersion: Int?
  /// The module a Teilnahmebescheinigung confirms; nil for a Zertifikat.
  public var module: Int?
  public var completedOn: CalendarDate
  public var issuedOn: CalendarDate?
  /// As the register's history records it (a status field changed by hand does not decide).
  public var status: CertificateStatus
  /// The Berlin day it was revoked.
  public var revokedOn: CalendarDate?
  /// The certificate that replaced this one.
  public var supersededBy: String?
  /// The last certificate of the chain of replacements, and its status.
  public var currentSerial: String?
  public var currentStatus: CertificateStatus?
  /// SHA-256 of the issued PDF, lower-case hex.
  public var pdfSHA256: String
  public var keyID: String?
  /// The holder's personal data was erased on request: the register can no longer tell whose it is.
  public var holderErased: Bool

  enum CodingKeys: String, CodingKey {
    case serial, kind, programmeCode, programmeTitle, programmeVersion, module, completedOn, issuedOn, status, revokedOn
    case supersededBy, currentSerial, currentStatus, pdfSHA256, keyID, holderErased
  }

  /// The JSON object `encode(to:)` writes, written directly (a lookup's answer is written for
  /// every request; Foundation's JSONEncoder cost a sixth of the service's time): keys sorted,
  /// no whitespace, absent values as null.
  public var json: String {
    func text(_ value: String?) -> String { value.map(JSONText.quoted) ?? "null" }
    func day(_ value: CalendarDate?) -> String { value.map { "\"\($0.description)\"" } ?? "null" }
    func number(_ value: Int?) -> String { value.map(String.init) ?? "null" }
    return "{\"completedOn\":\(day(completedOn)),\"currentSerial\":\(text(currentSerial)),"
      + "\"currentStatus\":\(text(currentStatus?.rawValue)),\"holderErased\":\(holderErased),"
      + "\"issuedOn\":\(day(issuedOn)),\"keyID\":\(text(keyID)),\"kind\":\(text(kind.rawValue)),"
      + "\"module\":\(number(module)),\"pdfSHA256\":\(text(pdfSHA256)),\"programmeCode\":\(text(programmeCode)),"
      + "\"programmeTitle\":\(text(programmeTitle)),\"programmeVersion\":\(number(programmeVersion)),"
      + "\"revokedOn\":\(day(revokedOn)),\"serial\":\(text(serial)),\"status\":\(text(status.rawValue)),"
      + "\"supersededBy\":\(text(supersededBy))}"
  }

  /// Every key, absent values as null: the API's shape does not depend on the certificate.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(serial, forKey: .serial)
    try container.encode(kind, forKey: .kind)
    try container.encode(programmeCode, forKey: .programmeCode)
    try container.encode(programmeTitle, forKey: .programmeTitle)
    try container.encode(programmeVersion, forKey: .programmeVersion)
    try container.encode(module, forKey: .module)
    try container.encode(completedOn, forKey: .completedOn)
    try container.encode(issuedOn, forKey: .issuedOn)
    try container.encode(status, forKey: .status)
    try container.encode(revokedOn, forKey: .revokedOn)
    try container.encode(supersededBy, forKey: .supersededBy)
    try container.encode(currentSerial, forKey: .currentSerial)
    try container.encode(currentStatus, forKey: .currentStatus)
    try container.encode(pdfSHA256, forKey: .pdfSHA256)
    try container.encode(keyID, forKey: .keyID)
    try container.encode(holderErased, forKey: .holderErased)
  }
}

/// What the decoded claim of a token says (the holder's own data: shown to whoever holds the
/// token, never stored or logged by the service).
public struct PublicClaim: Codable, Sendable, Equatable {
  public var serial: String
  public var kind: CertificateKind
  public var holderName: String
  public var birthDate: CalendarDate?
  public var programmeCode: String
  public var programmeVersion: Int
  public var modules: [CertificateClaim.Module]
  public var completedOn: CalendarDate
  public var issuedOn: CalendarDate
  public var keyID: String
  /// `BQ2` (compact) or `BQ1` (JSON).
  public var format: String

  /// The JSON object, keys sorted (see `PublicVerdict.json`).
  public var json: String {
    func text(_ value: String?) -> String { value.map(JSONText.quoted) ?? "null" }
    let moduleList = modules.map { "{\"number\":\($0.number),\"ue\":\($0.ue)}" }.joined(separator: ",")
    return "{\"birthDate\":\(text(birthDate?.description)),\"completedOn\":\(text(completedOn.description)),"
      + "\"format\":\(text(format)),\"holderName\":\(text(holderName)),\"issuedOn\":\(text(issuedOn.description)),"
      + "\"keyID\":\(text(keyID)),\"kind\":\(text(kind.rawValue)),\"modules\":[\(moduleList)],"
      + "\"programmeCode\":\(text(programmeCode)),\"programmeVersion\":\(programmeVersion),\"serial\":\(text(serial))}"
  }

  init(_ claim: CertificateClaim, encoding: CertificateClaim.Encoding) {
    serial = claim.serial
    kind = claim.kind
    holderName = claim.holderName
    birthDate = claim.birthDate
    programmeCode = claim.programmeCode
    programmeVersion = claim.programmeVersion
    modules = claim.modules
    completedOn = claim.completedOn
    issuedOn = claim.issuedOn
    keyID = claim.keyID
    format = encoding == .compact ? VerificationPayload.compactMarker : VerificationPayload.marker
  }
}

/// The verdict on a token (`POST …/api/verify`) or a file, for the public.
public struct PublicVerdict: Codable, Sendable, Equatable {
  /// The signature check alone.
  public enum Signature: String, Codable, Sendable {
    /// Made by a registered key for exactly these bytes.
    case valid
    /// Not made by the key the claim names, or the token cannot be read.
    case invalid
    /// The claim names a key the register does not know.
    case unknownKey = "unknown-key"
    /// No token was presented (a file without a readable code).
    case absent
  }

  /// valid, revoked, superseded (genuine), forged or unknown (nicht echt), unknown-key, or
  /// not-original (a file whose bytes differ from the issued one).
  public var verdict: VerificationVerdict
  public var signature: Signature
  /// Why, in English, for logs and scripts (pages use their own German and English texts).
  public var reason: String
  /// The decoded claim, when the token could be read.
  public var claim: PublicClaim?
  /// The register's entry, when the serial exists.
  public var certificate: PublicCertificateStatus?
  /// For a file: whether its SHA-256 is that of the issued PDF (nil when no file was checked).
  public var fileIsOriginal: Bool?
  /// For a file: the verdict its carried code got (valid, revoked, superseded, or nil when it
  /// carries none).
  public var codeVerdict: VerificationVerdict?

  /// The JSON object of `POST …/api/verify`, written directly like `PublicCertificateStatus.json`:
  /// keys sorted, absent values as null.
  public var json: String {
    func text(_ value: String?) -> String { value.map(JSONText.quoted) ?? "null" }
    return "{\"certificate\":\(certificate?.json ?? "null"),\"claim\":\(claim?.json ?? "null"),"
      + "\"codeVerdict\":\(text(codeVerdict?.rawValue)),\"fileIsOriginal\":\(fileIsOriginal.map(String.init) ?? "null"),"
      + "\"reason\":\(text(reason)),\"signature\":\(text(signature.rawValue)),\"verdict\":\(text(verdict.rawValue))}"
  }

  public init(
    verdict: VerificationVerdict, signature: Signature, reason: String, claim: PublicClaim? = nil,
    certificate: PublicCertificateStatus? = nil, fileIsOriginal: Bool? = nil, codeVerdict: VerificationVerdict? = nil
  ) {
    self.verdict = verdict
    self.signature = signature
    self.reason = reason
    self.claim = claim
    self.certificate = certificate
    self.fileIsOriginal = fileIsOriginal
    self.codeVerdict = codeVerdict
  }
}

/// The public verification service's view of the register, through the `verification_*`
/// functions only (schema 0023): what the `beccaria_verifier` role may ask. Not shareable
/// between threads (its connection is not).
public struct PublicVerifier {
  let connection: Connection

  public init(_ connection: Connection) { self.connection = connection }

  /// The register's entry for `serial`; nil when no such certificate was issued.
  public func status(serial: String) throws -> PublicCertificateStatus? {
    try lookup(serial: serial, presented: nil)?.status
  }

  func lookup(serial: String, presented: Data?) throws -> (status: PublicCertificateStatus, signatureKept: Bool?)? {
    guard SerialNumber.parse(serial) != nil else { return nil }
    let presentedText = presented.map(Base64URL.encode)
    guard
      let row = try connection.queryOnePrepared(
        "SELECT * FROM verification_certificate(\(serial), \(presentedText))")
    else { return nil }
    let status = PublicCertificateStatus(
      serial: try row.decode("serial"), kind: try row.decode("kind"), programmeCode: try row.decode("programme_code"),
      programmeTitle: try row.decode("programme_title"), programmeVersion: try row.decode("programme_version"),
      module: try row.decode("module_number"), completedOn: try row.date("completed_on"),
      issuedOn: try row.optionalDate("issued_on"), status: try row.decode("status"),
      revokedOn: try row.optionalDate("revoked_on"), supersededBy: try row.decode("superseded_by"),
      currentSerial: try row.decode("current_serial"), currentStatus: try row.decode("current_status"),
      pdfSHA256: try row.decode("pdf_sha256"), keyID: try row.decode("key_id"), holderErased: try row.decode("holder_erased"))
    return (status, try row.decode("signature_kept"))
  }

  /// The public half of `keyID`, with the day it retired; nil for an unknown key.
  public func key(_ keyID: String) throws -> PublicSigningKey? {
    guard let row = try connection.queryOnePrepared("SELECT * FROM verification_key(\(keyID))") else { return nil }
    return try PublicSigningKey(rawRepresentation: try row.decode("public_key"), retiredOn: try row.optionalDate("retired_on"))
  }

  /// Whether a typed family name and birth date are the certificate's (compared by the
  /// database, case-, accent- and normalisation-insensitive); nil when nothing can be compared
  /// (unknown serial, erased holder).
  public func holderMatches(serial: String, familyName: String, birthDate: CalendarDate) throws -> Bool? {
    guard SerialNumber.parse(serial) != nil else { return nil }
    return try connection.queryOnePrepared(
      "SELECT verification_holder_matches(\(serial), \(familyName), \(birthDate.postgres)) AS matches")?.decode(
        "matches", as: Bool?.self)
  }

  /// The verdict on a token: its signature with the key its claim names, the key's retirement,
  /// then the register (the serial must exist and keep this very signature) and its status.
  public func verify(_ payload: VerificationPayload) throws -> PublicVerdict {
    let claim: CertificateClaim
    do {
      claim = try payload.claim()
    } catch {
      return PublicVerdict(verdict: .forged, signature: .invalid, reason: "the code cannot be read: \(error)")
    }
    let shown = PublicClaim(claim, encoding: payload.encoding)
    guard let key = try key(claim.keyID) else {
      return PublicVerdict(
        verdict: .unknownKey, signature: .unknownKey,
        reason: "the code names key \(claim.keyID), which this register does not know", claim: shown)
    }
    guard key.isValidSignature(payload.signature, for: payload.claimBytes) else {
      return PublicVerdict(
        verdict: .forged, signature: .invalid, reason: "the signature does not match the code's content", claim: shown)
    }
    if let retired = key.retiredOn, claim.issuedOn > retired {
      return PublicVerdict(
        verdict: .forged, signature: .valid,
        reason: "the code is dated \(claim.issuedOn), after its key was retired on \(retired)", claim: shown)
    }
    guard let (status, kept) = try lookup(serial: claim.serial, presented: payload.signature) else {
      return PublicVerdict(
        verdict: .unknown, signature: .valid, reason: "no certificate \(claim.serial) was issued", claim: shown)
    }
    guard kept == true else {
      return PublicVerdict(
        verdict: .forged, signature: .valid,
        reason: "the code is signed, but it is not the code certificate \(claim.serial) was issued with", claim: shown,
        certificate: status)
    }
    return PublicVerdict(
      verdict: Self.verdictOf(status), signature: .valid, reason: Self.sentence(of: status), claim: shown,
      certificate: status)
  }

  /// The verdict on a file from its SHA-256 and the code found in it (`PDFCode.find`), as a
  /// browser reports them without uploading the file: the original when the hash is an issued
  /// PDF's (and any code it carries is that certificate's); otherwise "not the original" when
  /// its code is genuine or it carries none, and the code's own verdict when that fails.
  public func verifyFile(sha256: String, code: VerificationPayload?) throws -> PublicVerdict {
    let hash = sha256.lowercased()
    guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
      throw StoreError.invalid("a SHA-256 is 64 hexadecimal digits")
    }
    let tokenVerdict = try code.map(verify)
    if let serial = try connection.queryOnePrepared("SELECT verification_serial_of_pdf(\(hash)) AS serial")?.decode(
      "serial", as: String?.self), let status = try status(serial: serial)
    {
      // The file is byte for byte an issued PDF; the code it carries must be that one's.
      if let tokenVerdict, tokenVerdict.claim?.serial != serial || tokenVerdict.signature != .valid {
        return PublicVerdict(
          verdict: .forged, signature: tokenVerdict.signature,
          reason: "the file's bytes are those of certificate \(serial), but it carries another code", claim: nil,
          certificate: status, fileIsOriginal: true)
      }
      var verdict = tokenVerdict ?? PublicVerdict(verdict: Self.verdictOf(status), signature: .absent, reason: "")
      verdict.verdict = Self.verdictOf(status)
      verdict.certificate = status
      verdict.reason = "the file is byte for byte the document issued; " + Self.sentence(of: status)
      verdict.fileIsOriginal = true
      return verdict
    }
    guard var verdict = tokenVerdict else {
      return PublicVerdict(
        verdict: .notOriginal, signature: .absent,
        reason:
          "the file is not a document as issued, and it carries no certificate code that can be read; check the printed code",
        fileIsOriginal: false)
    }
    verdict.fileIsOriginal = false
    switch verdict.verdict {
    case .valid, .revoked, .superseded:
      verdict.codeVerdict = verdict.verdict
      verdict.verdict = .notOriginal
      verdict.reason =
        "the file is not the document issued (its bytes differ), but the code it carries is genuine: " + verdict.reason
    default:
      break
    }
    return verdict
  }

  /// The verdict a genuine certificate's status gives.
  public static func verdictOf(_ status: PublicCertificateStatus) -> VerificationVerdict {
    switch status.status {
    case .valid: .valid
    case .revoked: .revoked
    case .superseded: .superseded
    }
  }

  static func sentence(of status: PublicCertificateStatus) -> String {
    switch status.status {
    case .valid: "certificate \(status.serial) is genuine and valid"
    case .revoked: "certificate \(status.serial) is genuine but was revoked" + (status.revokedOn.map { " on \($0)" } ?? "")
    case .superseded:
      "certificate \(status.serial) is genuine but was replaced by \(status.supersededBy ?? "a newer certificate")"
        + (status.currentSerial.map { $0 != status.supersededBy ? "; the current one is \($0)" : "" } ?? "")
    }
  }

  /// A programme's verification address and legal texts.
  public struct Programme: Sendable, Equatable {
    public var code: String
    public var title: String
    public var version: Int
    /// The issuer's name (`issuer.name`).
    public var issuer: String?
    public var verificationURL: String
    public var page: ProgrammeDefinition.VerificationPage?
    /// Module titles by number.
    public var moduleTitles: [Int: String]
  }

  struct ModuleTitle: Decodable {
    var number: Int
    var title: String
  }

  /// Every programme version, newest first within a programme.
  public func programmes() throws -> [Programme] {
    try connection.query("SELECT * FROM verification_programmes()").map { row in
      let pageJSON: String? = try row.decode("verification_page")
      return Programme(
        code: try row.decode("code"), title: try row.decode("title"), version: try row.decode("version"),
        issuer: try row.decode("issuer"), verificationURL: try row.decode("verification_url"),
        page: try pageJSON.map { try JSONDecoder().decode(ProgrammeDefinition.VerificationPage.self, from: Data($0.utf8)) },
        moduleTitles: Dictionary(
          (try JSONDecoder().decode([ModuleTitle].self, from: Data(try row.decode("modules", as: String.self).utf8))).map {
            ($0.number, $0.title)
          }, uniquingKeysWith: { first, _ in first }))
    }
  }
}

/// The certificate code a PDF carries: the token of its document information's Keywords, or any
/// token in its bytes (a copy re-saved by another program may move or rewrite that dictionary).
public enum PDFCode {
  /// The last readable token in `pdf`, if any.
  public static func find(in pdf: Data) -> VerificationPayload? {
    if let keywords = CertificateVerifier.embeddedPayload(in: pdf) { return keywords }
    var found: VerificationPayload?
    for marker in [VerificationPayload.compactMarker, VerificationPayload.marker] {
      let needle = Data((marker + ".").utf8)
      var searchRange = pdf.startIndex..<pdf.endIndex
      while let range = pdf.range(of: needle, in: searchRange) {
        let end =
          pdf[range.upperBound...].firstIndex { byte in
            !(byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") || byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
              || byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
              || byte == UInt8(ascii: "."))
          } ?? pdf.endIndex
        if let payload = try? VerificationPayload.parse(String(decoding: pdf[range.lowerBound..<end], as: UTF8.self)) {
          found = payload
        }
        searchRange = range.upperBound..<pdf.endIndex
      }
      if found != nil { return found }
    }
    return found
  }
}
