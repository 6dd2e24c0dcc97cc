import CivilCalendar
import Foundation

/// What a certificate's signature vouches for: the fields that identify the holder and the
/// achievement, taken from the frozen snapshot, with the key id. Its encoding is the exact byte
/// string that is signed and that the QR code carries, so a verifier needs nothing but the QR
/// payload and the public key. Two encodings exist, both canonical (one claim, one byte string):
/// `.json` (tokens `BQ1`, certificates printed until schema 0023) and `.compact` (tokens `BQ2`,
/// every certificate since), which a QR code holds in a third of the modules.
public struct CertificateClaim: Sendable, Equatable {
  /// How a claim is written into the signed bytes.
  public enum Encoding: Sendable, Equatable {
    /// `canonicalBytes()`: JSON with short keys (token marker `BQ1`).
    case json
    /// `compactBytes()`: binary fields (token marker `BQ2`).
    case compact

    /// The encoding new certificates are signed in.
    public static let current = Encoding.compact

    /// The encoding of a stored certificate, read from its QR payload (its token's marker).
    public init(qrPayload: String) {
      self = qrPayload.contains(VerificationPayload.compactMarker + ".") ? .compact : .json
    }
  }

  public struct Module: Sendable, Equatable, Codable {
    public var number: Int
    public var ue: Int
    public init(number: Int, ue: Int) {
      self.number = number
      self.ue = ue
    }
  }

  /// Version of this encoding.
  public static let formatVersion = 1

  public var serial: String
  public var keyID: String
  public var kind: CertificateKind
  public var holderName: String
  public var birthDate: CalendarDate?
  public var programmeCode: String
  public var programmeVersion: Int
  public var modules: [Module]
  public var completedOn: CalendarDate
  public var issuedOn: CalendarDate

  public init(
    serial: String, keyID: String, kind: CertificateKind, holderName: String, birthDate: CalendarDate?, programmeCode: String,
    programmeVersion: Int, modules: [Module], completedOn: CalendarDate, issuedOn: CalendarDate
  ) {
    self.serial = serial
    self.keyID = keyID
    self.kind = kind
    self.holderName = holderName
    self.birthDate = birthDate
    self.programmeCode = programmeCode
    self.programmeVersion = programmeVersion
    self.modules = modules
    self.completedOn = completedOn
    self.issuedOn = issuedOn
  }

  /// The claim of a snapshot signed with `keyID`.
  public init(snapshot: CertificateSnapshot, keyID: String) {
    self.init(
      serial: snapshot.serial, keyID: keyID, kind: snapshot.kind, holderName: snapshot.holderName,
      birthDate: snapshot.birthDate, programmeCode: snapshot.programmeCode, programmeVersion: snapshot.programmeVersion,
      modules: snapshot.modules.map { Module(number: $0.number, ue: $0.ue) }, completedOn: snapshot.completedOn,
      issuedOn: snapshot.issuedOn)
  }

  /// The canonical encoding: JSON with short keys in sorted order, no whitespace, strings as
  /// UTF-8 with only `"`, `\` and control characters escaped, integers in decimal. Written by
  /// hand so that the signed bytes never depend on a library's formatting choices.
  public func canonicalBytes() -> Data {
    var fields: [(String, String)] = []
    if let birthDate { fields.append(("b", JSONText.quoted(birthDate.description))) }
    fields.append(("c", JSONText.quoted(completedOn.description)))
    fields.append(("i", JSONText.quoted(issuedOn.description)))
    fields.append(("k", JSONText.quoted(kind.rawValue)))
    fields.append(("kid", JSONText.quoted(keyID)))
    fields.append(("m", "[" + modules.map { "[\($0.number),\($0.ue)]" }.joined(separator: ",") + "]"))
    fields.append(("n", JSONText.quoted(holderName)))
    fields.append(("p", JSONText.quoted(programmeCode)))
    fields.append(("pv", String(programmeVersion)))
    fields.append(("s", JSONText.quoted(serial)))
    fields.append(("v", String(Self.formatVersion)))
    return Data(("{" + fields.map { JSONText.quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}").utf8)
  }

  /// The signed bytes in `encoding`.
  public func bytes(_ encoding: Encoding) throws -> Data {
    switch encoding {
    case .json: canonicalBytes()
    case .compact: try compactBytes()
    }
  }

  /// Reads the signed bytes of `encoding` back (see `decode(_:)` and `decodeCompact(_:)`).
  public static func decode(_ data: Data, encoding: Encoding) throws -> CertificateClaim {
    switch encoding {
    case .json: try decode(data)
    case .compact: try decodeCompact(data)
    }
  }

  /// Version byte of the compact encoding.
  public static let compactVersion: UInt8 = 2
  /// Days are counted from 1900-01-01 in the compact encoding (birth dates included).
  static let compactEpoch = CivilCalendar.days(year: 1900, month: 1, day: 1)

  /// The compact encoding: a version byte (2), the kind (0 Zertifikat, 1 Teilnahmebescheinigung),
  /// then unsigned LEB128 numbers and length-prefixed UTF-8 strings in this order: serial year,
  /// serial number, key id (a zero byte and 8 raw bytes for the register's
  /// `k-<16 hex digits>`, else a string), holder name, birth date (days since 1900-01-01 plus one; 0 for
  /// none), programme code, programme version, module count and each module's number and UE,
  /// completion date (days since 1900-01-01), and the issue date as a zigzag-encoded difference
  /// from the completion date. About 50 bytes for a typical name, against 230 in JSON; not
  /// compressed further, as deflate gains nothing on so few bytes of mostly numbers. Throws
  /// `MalformedPayload` for a serial that is not `BQ-<year>-<6 digits>` or a date before 1900.
  public func compactBytes() throws -> Data {
    guard let parsed = SerialNumber.parse(serial) else { throw MalformedPayload("the serial \(serial) cannot be encoded") }
    let completed = completedOn.dayNumber - Self.compactEpoch
    guard completed >= 0, (birthDate?.dayNumber ?? Self.compactEpoch) >= Self.compactEpoch else {
      throw MalformedPayload("dates before 1900 cannot be encoded")
    }
    var out: [UInt8] = [Self.compactVersion, kind == .zertifikat ? 0 : 1]
    func number(_ value: Int) {
      var value = UInt64(value)
      repeat {
        let low = UInt8(value & 0x7f)
        value >>= 7
        out.append(value == 0 ? low : low | 0x80)
      } while value != 0
    }
    func text(_ value: String) {
      number(value.utf8.count)
      out += value.utf8
    }
    number(parsed.year)
    number(parsed.number)
    if let raw = Self.rawKeyID(keyID) {
      out.append(0)
      out += raw
    } else {
      text(keyID)
    }
    text(holderName)
    number(birthDate.map { $0.dayNumber - Self.compactEpoch + 1 } ?? 0)
    text(programmeCode)
    number(programmeVersion)
    number(modules.count)
    for module in modules {
      guard module.number >= 0, module.ue >= 0 else { throw MalformedPayload("a module's number or UE is negative") }
      number(module.number)
      number(module.ue)
    }
    number(completed)
    let difference = issuedOn.dayNumber - completedOn.dayNumber
    number(difference >= 0 ? 2 * difference : -2 * difference - 1)
    return Data(out)
  }

  /// The 8 bytes of a key id of the register's form `k-<16 hex digits>` (schema 0005).
  static func rawKeyID(_ keyID: String) -> [UInt8]? {
    let hex = Array(keyID.utf8.dropFirst(2))
    guard keyID.hasPrefix("k-"), hex.count == 16 else { return nil }
    var raw: [UInt8] = []
    for pair in stride(from: 0, to: 16, by: 2) {
      guard let high = Digits.hexValue(hex[pair]), let low = Digits.hexValue(hex[pair + 1]) else { return nil }
      raw.append(high << 4 | low)
    }
    return raw
  }

  /// Reads a compact encoding back; anything that is not exactly what `compactBytes()` writes is
  /// refused, so one claim has one byte string.
  public static func decodeCompact(_ data: Data) throws -> CertificateClaim {
    func fail(_ why: String) -> MalformedPayload { MalformedPayload("the certificate data in the code is malformed (\(why))") }
    let bytes = [UInt8](data)
    var index = 0
    func byte() throws -> UInt8 {
      guard index < bytes.count else { throw fail("it ends early") }
      defer { index += 1 }
      return bytes[index]
    }
    func number() throws -> Int {
      var value = 0
      var shift = 0
      while true {
        let next = try byte()
        guard shift < 56 else { throw fail("a number is too large") }
        value |= Int(next & 0x7f) << shift
        if next & 0x80 == 0 { return value }
        shift += 7
      }
    }
    func text() throws -> String {
      let count = try number()
      guard count <= bytes.count - index, let value = String(validating: bytes[index..<index + count], as: UTF8.self) else {
        throw fail("a text is not UTF-8 or ends early")
      }
      index += count
      return value
    }
    guard try byte() == compactVersion else { throw fail("unknown format version") }
    let kind: CertificateKind
    switch try byte() {
    case 0: kind = .zertifikat
    case 1: kind = .teilnahmebescheinigung
    default: throw fail("unknown certificate kind")
    }
    let year = try number()
    let serialNumber = try number()
    guard year <= 9999, serialNumber <= 999_999 else { throw fail("serial") }
    let keyID: String
    if index < bytes.count, bytes[index] == 0 {
      index += 1
      guard bytes.count - index >= 8 else { throw fail("it ends early") }
      keyID = "k-" + Digits.hex(bytes[index..<index + 8])
      index += 8
    } else {
      keyID = try text()
    }
    let holderName = try text()
    let birth = try number()
    let programmeCode = try text()
    let programmeVersion = try number()
    let moduleCount = try number()
    guard moduleCount <= bytes.count else { throw fail("module list") }
    var modules: [Module] = []
    for _ in 0..<moduleCount { modules.append(Module(number: try number(), ue: try number())) }
    let completed = try number()
    let zigzag = try number()
    guard completed < 1 << 24, birth < 1 << 24, zigzag < 1 << 24 else { throw fail("a date is out of range") }
    let difference = zigzag & 1 == 0 ? zigzag / 2 : -(zigzag + 1) / 2
    func day(_ days: Int) -> CalendarDate {
      let civil = CivilCalendar.civil(days: compactEpoch + days)
      return CalendarDate(uncheckedYear: civil.year, month: civil.month, day: civil.day)
    }
    let completedOn = day(completed)
    let claim = CertificateClaim(
      serial: SerialNumber.make(year: year, number: serialNumber), keyID: keyID, kind: kind, holderName: holderName,
      birthDate: birth == 0 ? nil : day(birth - 1), programmeCode: programmeCode, programmeVersion: programmeVersion,
      modules: modules, completedOn: completedOn, issuedOn: completedOn.adding(days: difference))
    guard index == bytes.count, try claim.compactBytes() == data else { throw fail("not in canonical form") }
    return claim
  }

  /// Reads a canonical encoding back; anything that is not exactly canonical is refused, so one
  /// claim has one byte string.
  public static func decode(_ data: Data) throws -> CertificateClaim {
    func fail(_ why: String) -> MalformedPayload { MalformedPayload("the certificate data in the code is malformed (\(why))") }
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw fail("not a JSON object") }
    func text(_ key: String) throws -> String {
      guard let value = object[key] as? String else { throw fail("field \(key) missing") }
      return value
    }
    func integer(_ key: String) throws -> Int {
      guard let value = object[key] as? Int else { throw fail("field \(key) missing") }
      return value
    }
    func date(_ key: String) throws -> CalendarDate {
      guard let value = CalendarDate(iso: try text(key)) else { throw fail("field \(key) is not a date") }
      return value
    }
    guard try integer("v") == formatVersion else { throw fail("unknown format version") }
    guard let kind = CertificateKind(rawValue: try text("k")) else { throw fail("unknown certificate kind") }
    guard let pairs = object["m"] as? [[Int]], pairs.allSatisfy({ $0.count == 2 }) else { throw fail("module list") }
    let claim = CertificateClaim(
      serial: try text("s"), keyID: try text("kid"), kind: kind, holderName: try text("n"),
      birthDate: object["b"] == nil ? nil : try date("b"), programmeCode: try text("p"), programmeVersion: try integer("pv"),
      modules: pairs.map { Module(number: $0[0], ue: $0[1]) }, completedOn: try date("c"),
      issuedOn: try date("i"))
    guard claim.canonicalBytes() == data else { throw fail("not in canonical form") }
    return claim
  }
}
