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

/// What a certificate's QR code holds: `BQ1.<claim>.<signature>` (both base64url without
/// padding), behind the configurable verification URL prefix as the query parameter `c`.
public struct VerificationPayload: Sendable, Equatable {
  public static let marker = "BQ1"

  public var claimBytes: Data
  public var signature: Data

  public init(claimBytes: Data, signature: Data) {
    self.claimBytes = claimBytes
    self.signature = signature
  }

  /// The token alone.
  public var token: String { "\(Self.marker).\(Base64URL.encode(claimBytes)).\(Base64URL.encode(signature))" }

  /// The token behind a verification URL prefix (`https://example.org/pruefen` becomes
  /// `https://example.org/pruefen?c=BQ1....`).
  public func url(prefix: String) -> String {
    prefix + (prefix.contains("?") ? "&" : "?") + "c=" + token
  }

  /// Parses a payload as scanned: a URL with `c=BQ1....` or the bare token.
  public static func parse(_ text: String) throws -> VerificationPayload {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard let start = trimmed.range(of: marker + ".") else {
      throw MalformedPayload("this is not a certificate code: it holds no \(marker) token")
    }
    var token = trimmed[start.lowerBound...]
    if let end = token.firstIndex(where: { $0 == "&" || $0 == "#" || $0.isWhitespace }) { token = token[..<end] }
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let claim = Base64URL.decode(String(parts[1])), let signature = Base64URL.decode(String(parts[2])),
      !claim.isEmpty, signature.count == 64
    else { throw MalformedPayload("the certificate code is damaged: its token cannot be read (\(token.prefix(40))…)") }
    return VerificationPayload(claimBytes: claim, signature: signature)
  }
}

/// base64url without padding (RFC 4648 §5).
public enum Base64URL {
  public static func encode(_ data: Data) -> String {
    var bytes = Array(data.base64EncodedData())
    while bytes.last == UInt8(ascii: "=") { bytes.removeLast() }
    for index in bytes.indices {
      if bytes[index] == UInt8(ascii: "+") {
        bytes[index] = UInt8(ascii: "-")
      } else if bytes[index] == UInt8(ascii: "/") {
        bytes[index] = UInt8(ascii: "_")
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  public static func decode(_ text: String) -> Data? {
    guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    return Data(base64Encoded: base64)
  }
}

/// A scanned or pasted certificate code that cannot be read.
public struct MalformedPayload: Error, CustomStringConvertible, Equatable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
