import Foundation

/// One session as an iCalendar object (RFC 5545) for an invitation (iTIP, RFC 5546): `REQUEST`
/// for a new or moved session, `CANCEL` for a cancelled one. Calendars replace an event they hold
/// when a message carries the same `UID` with a higher `SEQUENCE`.
public struct CalendarEvent: Sendable, Equatable {
  /// `session-37@www.lpr.sachsen.de`: the same for every message about the session.
  public var uid: String
  /// Raised by every move or cancellation (RFC 5545 § 3.8.7.4).
  public var sequence: Int
  /// Local times (`2027-01-09T09:00:00`) in `timeZone`.
  public var start: String
  public var end: String
  /// Only `Europe/Berlin` is written with its VTIMEZONE.
  public var timeZone: String
  public var summary: String
  public var location: String
  public var organizerName: String?
  public var cancelled: Bool

  public init(
    uid: String, sequence: Int, start: String, end: String, timeZone: String, summary: String, location: String,
    organizerName: String?, cancelled: Bool
  ) {
    self.uid = uid
    self.sequence = sequence
    self.start = start
    self.end = end
    self.timeZone = timeZone
    self.summary = summary
    self.location = location
    self.organizerName = organizerName
    self.cancelled = cancelled
  }

  /// Reads the event the database stored with a message (schema 0024, `mail_session_event`).
  public init?(json: [String: Any]) {
    guard let uid = json["uid"] as? String, let sequence = json["sequence"] as? Int, let start = json["start"] as? String,
      let end = json["end"] as? String, let summary = json["summary"] as? String
    else { return nil }
    self.init(
      uid: uid, sequence: sequence, start: start, end: end, timeZone: json["timeZone"] as? String ?? "Europe/Berlin",
      summary: summary, location: json["location"] as? String ?? "", organizerName: json["organizerName"] as? String,
      cancelled: json["cancelled"] as? Bool ?? false)
  }

  /// `REQUEST` or `CANCEL`: the iTIP method, also the `method` parameter of the MIME type.
  public var method: String { cancelled ? "CANCEL" : "REQUEST" }

  /// The `.ics` file: CRLF line ends, text values escaped (§ 3.3.11), lines folded at 75 octets
  /// without splitting a UTF-8 sequence (§ 3.1). `organizer` and `attendee` are the message's
  /// sender and recipient; `stamp` is when it was written (DTSTAMP, UTC).
  public func ics(organizer: MailAddress, attendee: String, stamp: Date) -> String {
    let compactLocal = { (value: String) in value.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }
    let utc = DateFormatter()
    utc.locale = Locale(identifier: "en_US_POSIX")
    utc.timeZone = TimeZone(identifier: "UTC")
    utc.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
    var lines = [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Landespraeventionsrat Sachsen//beccaria//DE", "CALSCALE:GREGORIAN",
      "METHOD:\(method)",
    ]
    if timeZone == "Europe/Berlin" { lines += Self.berlin }
    lines += [
      "BEGIN:VEVENT",
      "UID:\(Self.text(uid))",
      "SEQUENCE:\(sequence)",
      "DTSTAMP:\(utc.string(from: stamp))",
      "DTSTART;TZID=\(timeZone):\(compactLocal(start))",
      "DTEND;TZID=\(timeZone):\(compactLocal(end))",
      "SUMMARY:\(Self.text(summary))",
    ]
    if !location.isEmpty { lines.append("LOCATION:\(Self.text(location))") }
    let organizerCN = (organizerName ?? organizer.name).map { ";CN=\(Self.parameter($0))" } ?? ""
    lines += [
      "ORGANIZER\(organizerCN):mailto:\(Self.mailto(organizer.address))",
      "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:\(Self.mailto(attendee))",
      "STATUS:\(cancelled ? "CANCELLED" : "CONFIRMED")",
      "TRANSP:OPAQUE",
      "END:VEVENT",
      "END:VCALENDAR",
    ]
    return lines.map(Self.fold).joined(separator: "\r\n") + "\r\n"
  }

  /// Europe/Berlin since 1996: CET/CEST, the change on the last Sundays of March and October.
  static let berlin = [
    "BEGIN:VTIMEZONE", "TZID:Europe/Berlin",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST", "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE",
  ]

  /// A TEXT value: backslash, semicolon, comma and line breaks escaped; other controls dropped.
  static func text(_ value: String) -> String {
    var out = ""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\\": out += "\\\\"
      case ";": out += "\\;"
      case ",": out += "\\,"
      case "\n": out += "\\n"
      case _ where scalar.properties.generalCategory == .control: continue
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// A parameter value (CN): quoted, without the characters a quoted parameter cannot hold.
  static func parameter(_ value: String) -> String {
    "\""
      + String(String.UnicodeScalarView(value.unicodeScalars.filter { $0 != "\"" && $0.properties.generalCategory != .control }))
      + "\""
  }

  /// Folds a content line at 75 octets (§ 3.1) between Unicode scalars, never inside one's UTF-8
  /// sequence: a continuation starts with one space, and unfolding joins the line again.
  static func fold(_ line: String) -> String {
    var out = String.UnicodeScalarView()
    var width = 0
    for scalar in line.unicodeScalars {
      let octets = String(scalar).utf8.count
      if width + octets > 75 {
        out.append(contentsOf: "\r\n ".unicodeScalars)
        width = 1
      }
      out.append(scalar)
      width += octets
    }
    return String(out)
  }

  /// An address as a mailto URI's path (RFC 6068 § 2): every character but letters, digits and
  /// those the URI allows there percent-encoded (UTF-8), so `#`, `?` and `%` stay the address's.
  static func mailto(_ address: String) -> String {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$'()*+,;:@".utf8)
    return address.utf8.map { allowed.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
  }
}
