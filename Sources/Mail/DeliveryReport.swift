import Foundation

/// A delivery status notification (RFC 3464) as it arrives in the office's mailbox: a
/// `multipart/report; report-type=delivery-status` message whose `message/delivery-status` part
/// says, per recipient, what happened, and whose third part returns the original message or its
/// headers (`message/rfc822`, `text/rfc822-headers`).
public struct DeliveryReport: Sendable, Equatable {
  /// Larger files are not read: a delivery report with the original's headers is a few KiB, with
  /// the whole original (and its PDF) well under a MiB.
  public static let largestFile = 8 << 20

  public struct Recipient: Sendable, Equatable {
    /// `Final-Recipient`'s address (after `rfc822;`).
    public var address: String
    /// `Original-Recipient`'s, when the report gives it (the address before forwarding).
    public var originalAddress: String?
    /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`.
    public var action: String
    /// The enhanced status code (RFC 3463), `5.1.1`.
    public var status: String
    /// `Diagnostic-Code`, as one line.
    public var diagnostic: String?
  }

  /// The original message's Message-ID, from the returned headers.
  public var originalMessageID: String?
  /// The message number and Message-ID part of a per-message return address
  /// (`office+m42.9f3c…@…`) the report was sent to.
  public struct ReturnPath: Sendable, Equatable {
    public var number: Int64
    public var token: String
  }
  public var returnPath: ReturnPath?
  public var recipients: [Recipient]

  /// The first recipient that failed, if any.
  public var failure: Recipient? { recipients.first { $0.action.lowercased() == "failed" } }

  /// Reads `data`; nil when it is not a delivery status notification (an auto-reply, a person's
  /// answer, anything else in the mailbox).
  public init?(_ data: Data) {
    let message = MIMEPart(data)
    guard message.mediaType == "multipart/report", message.parameter("report-type")?.lowercased() == "delivery-status"
    else { return nil }
    var recipients: [Recipient] = []
    var originalID: String?
    for part in message.parts() {
      switch part.mediaType {
      case "message/delivery-status", "message/global-delivery-status":
        recipients += Self.recipients(part.decodedBody)
      case "message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers":
        originalID = originalID ?? MIMEPart(part.decodedBody).header("message-id").map(Self.messageID)
      default: break
      }
    }
    guard !recipients.isEmpty else { return nil }
    self.recipients = recipients
    self.originalMessageID = originalID
    // Where the report was sent: a per-message return address names its message.
    let addressed = ["delivered-to", "x-original-to", "to", "envelope-to"].compactMap { message.header($0) }
    self.returnPath = addressed.lazy.compactMap(Self.returnPath).first
  }

  /// `<42.9f…@host>` from a header value (comments and folding removed).
  static func messageID(_ value: String) -> String {
    if let open = value.firstIndex(of: "<"), let close = value[open...].firstIndex(of: ">") {
      return String(value[open...close])
    }
    return value.trimmingCharacters(in: .whitespaces)
  }

  /// 42 and `9f3c…` from `office+m42.9f3c…@example.org` anywhere in `value`.
  static func returnPath(_ value: String) -> ReturnPath? {
    guard let range = value.range(of: #"\+m[0-9]{1,18}\.[0-9a-f]{16}@"#, options: .regularExpression) else { return nil }
    let parts = value[range].dropFirst(2).dropLast().split(separator: ".")
    guard parts.count == 2, let number = Int64(parts[0]) else { return nil }
    return ReturnPath(number: number, token: String(parts[1]))
  }

  /// The per-recipient blocks of a `message/delivery-status` body (RFC 3464 § 2.1: the first
  /// block is about the message, each later one about a recipient).
  static func recipients(_ body: Data) -> [Recipient] {
    let text = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    let blocks = text.components(separatedBy: "\n\n").map { MIMEPart.fields(Substring($0)) }
    return blocks.compactMap { fields in
      guard let final = fields["final-recipient"] ?? fields["original-recipient"], let action = fields["action"],
        let status = fields["status"]
      else { return nil }
      func address(_ field: String) -> String {
        field.split(separator: ";", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? field
      }
      return Recipient(
        address: address(final), originalAddress: fields["original-recipient"].map(address),
        action: action.trimmingCharacters(in: .whitespaces).lowercased(),
        status: String(status.trimmingCharacters(in: .whitespaces).prefix { !$0.isWhitespace }),
        diagnostic: fields["diagnostic-code"])
    }
  }
}

/// Just enough of MIME (RFC 2045–2046) to read a report: header fields (unfolded), the media type
/// and its parameters, multipart bodies by boundary, and base64 or quoted-printable bodies.
struct MIMEPart {
  let headers: [String: String]
  let body: Data

  init(_ data: Data) {
    // Headers end at the first empty line (CRLF CRLF or LF LF).
    let bytes = [UInt8](data)
    var end = bytes.count
    var bodyStart = bytes.count
    var index = 0
    while index < bytes.count {
      if bytes[index] == 0x0A {
        if index + 1 < bytes.count && bytes[index + 1] == 0x0A {
          end = index
          bodyStart = index + 2
          break
        }
        if index + 2 < bytes.count && bytes[index + 1] == 0x0D && bytes[index + 2] == 0x0A {
          end = index
          bodyStart = index + 3
          break
        }
      }
      index += 1
    }
    if index == 0 && !bytes.isEmpty && (bytes[0] == 0x0A || bytes[0] == 0x0D) {
      // No headers at all: the body starts after the empty line.
      end = 0
      bodyStart = bytes[0] == 0x0D ? min(2, bytes.count) : 1
    }
    headers = Self.fields(Substring(String(decoding: bytes[0..<end], as: UTF8.self)))
    body = Data(bytes[min(bodyStart, bytes.count)...])
  }

  /// Header fields by lower-cased name (the first of each), continuation lines unfolded.
  static func fields(_ text: Substring) -> [String: String] {
    var result: [String: String] = [:]
    var name: String?
    var value = ""
    func flush() {
      if let name, result[name] == nil { result[name] = value.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
    // "\r\n" is one Character in Swift: lines are split on the normalised text.
    for rawLine in text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
      let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
      if let first = line.first, first == " " || first == "\t" {
        value += " " + line.trimmingCharacters(in: .whitespaces)
      } else if let colon = line.firstIndex(of: ":") {
        flush()
        name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        value = String(line[line.index(after: colon)...])
      }
    }
    flush()
    return result
  }

  func header(_ name: String) -> String? { headers[name] }

  /// `multipart/report`, lower-cased; `text/plain` when absent (RFC 2045 § 5.2).
  var mediaType: String {
    (headers["content-type"] ?? "text/plain").split(separator: ";", maxSplits: 1).first.map {
      $0.trimmingCharacters(in: .whitespaces).lowercased()
    } ?? "text/plain"
  }

  /// A parameter of Content-Type (`boundary`, `report-type`), unquoted.
  func parameter(_ name: String) -> String? {
    guard let type = headers["content-type"] else { return nil }
    for piece in type.split(separator: ";").dropFirst() {
      let pair = piece.split(separator: "=", maxSplits: 1)
      guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == name else { continue }
      var value = pair[1].trimmingCharacters(in: .whitespaces)
      if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
      return value
    }
    return nil
  }

  /// The parts of a multipart body, nested multiparts flattened down to `depth` levels (a report
  /// has two; a message nested a thousand times is not one, and would cost time and memory).
  func parts(depth: Int = 4) -> [MIMEPart] {
    guard depth > 0 else { return [] }
    // RFC 2046 § 5.1.1: a boundary has 1 to 70 characters (a longer one would make the search
    // below cost its length at every line).
    guard mediaType.hasPrefix("multipart/"), let boundary = parameter("boundary"), (1...70).contains(boundary.utf8.count)
    else { return [] }
    let text = [UInt8](body)
    let delimiter = [UInt8]("--\(boundary)".utf8)
    var starts: [Int] = []
    var index = 0
    // A delimiter starts a line.
    while index + delimiter.count <= text.count {
      if (index == 0 || text[index - 1] == 0x0A) && Array(text[index..<index + delimiter.count]) == delimiter {
        starts.append(index)
        index += delimiter.count
      } else {
        index += 1
      }
    }
    var parts: [MIMEPart] = []
    for (position, start) in starts.enumerated() {
      let after = start + delimiter.count
      if after + 1 < text.count && text[after] == 0x2D && text[after + 1] == 0x2D { break }  // the closing "--"
      guard let lineEnd = text[after...].firstIndex(of: 0x0A) else { break }
      var stop = position + 1 < starts.count ? starts[position + 1] : text.count
      // The line break before the next delimiter belongs to it.
      if stop > lineEnd + 1 && text[stop - 1] == 0x0A { stop -= 1 }
      if stop > lineEnd + 1 && text[stop - 1] == 0x0D { stop -= 1 }
      let part = MIMEPart(Data(text[(lineEnd + 1)..<max(lineEnd + 1, stop)]))
      parts += part.mediaType.hasPrefix("multipart/") ? part.parts(depth: depth - 1) : [part]
    }
    return parts
  }

  /// The body with its Content-Transfer-Encoding undone.
  var decodedBody: Data {
    switch headers["content-transfer-encoding"]?.lowercased() {
    case "base64":
      let compact = String(decoding: body, as: UTF8.self).filter { !$0.isWhitespace }
      return Data(base64Encoded: compact, options: .ignoreUnknownCharacters) ?? body
    case "quoted-printable":
      return Self.quotedPrintable(body)
    default:
      return body
    }
  }

  static func quotedPrintable(_ data: Data) -> Data {
    let bytes = [UInt8](data)
    var out = Data()
    var index = 0
    func hex(_ byte: UInt8) -> UInt8? {
      switch byte {
      case 0x30...0x39: byte - 0x30
      case 0x41...0x46: byte - 0x37
      case 0x61...0x66: byte - 0x57
      default: nil
      }
    }
    while index < bytes.count {
      if bytes[index] == 0x3D {
        if index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) {
          out.append(high << 4 | low)
          index += 3
          continue
        }
        // A soft line break: "=" at a line's end.
        var next = index + 1
        if next < bytes.count && bytes[next] == 0x0D { next += 1 }
        if next < bytes.count && bytes[next] == 0x0A {
          index = next + 1
          continue
        }
      }
      out.append(bytes[index])
      index += 1
    }
    return out
  }
}
