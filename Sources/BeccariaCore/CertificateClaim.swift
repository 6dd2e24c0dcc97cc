import Foundation

/// What a certificate's signature vouches for: the fields that identify the holder and the
/// achievement, taken from the frozen snapshot, with the key id. Its canonical encoding is the
/// exact byte string that is signed and that the QR code carries, so a verifier needs nothing but
/// the QR payload and the public key.
public struct CertificateClaim: Sendable, Equatable {
  public struct Module: Sendable, Equatable {
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
    if let birthDate { fields.append(("b", Self.quoted(birthDate.description))) }
    fields.append(("c", Self.quoted(completedOn.description)))
    fields.append(("i", Self.quoted(issuedOn.description)))
    fields.append(("k", Self.quoted(kind.rawValue)))
    fields.append(("kid", Self.quoted(keyID)))
    fields.append(("m", "[" + modules.map { "[\($0.number),\($0.ue)]" }.joined(separator: ",") + "]"))
    fields.append(("n", Self.quoted(holderName)))
    fields.append(("p", Self.quoted(programmeCode)))
    fields.append(("pv", String(programmeVersion)))
    fields.append(("s", Self.quoted(serial)))
    fields.append(("v", String(Self.formatVersion)))
    return Data(("{" + fields.map { Self.quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}").utf8)
  }

  static func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
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
