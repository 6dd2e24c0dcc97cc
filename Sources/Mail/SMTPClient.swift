import BeccariaCore
import CCurl
import Foundation

/// Where and how messages are handed over: the server, TLS, credentials and the sender.
public struct SMTPSettings: Sendable {
  /// How `smtp://` gets TLS (RFC 3207 STARTTLS); `smtps://` is TLS from the first byte.
  public enum StartTLS: String, Sendable, CaseIterable {
    /// STARTTLS or no delivery (the default: credentials and personal data never go in clear).
    case required
    /// STARTTLS when the server offers it.
    case opportunistic
    /// Plain SMTP, for a relay on the same host.
    case never
  }

  /// `smtp://host[:port]` or `smtps://host[:port]`, without user or password.
  public var url: String
  public var startTLS: StartTLS
  /// A PEM file of certificate authorities to trust instead of the system's.
  public var caFile: String?
  /// A netrc file (`machine HOST login USER password PASS`), mode 0600, read by libcurl itself.
  public var credentialsFile: String?
  /// The From header.
  public var from: MailAddress
  public var replyTo: MailAddress?
  /// The envelope sender (where bounces go); the From address when nil.
  public var returnPath: String?
  /// Whether the envelope sender carries the message's number and the random part of its
  /// Message-ID (`office+m42.9f3c…@example.org`), so that a bounce names its message even when
  /// it quotes no header, and nobody can name a message in a forged one by guessing its number.
  public var perMessageReturnPath: Bool
  /// Seconds to connect, and for the whole hand-over of one message.
  public var connectTimeout: Int
  public var timeout: Int

  public init(
    url: String, startTLS: StartTLS, caFile: String?, credentialsFile: String?, from: MailAddress, replyTo: MailAddress?,
    returnPath: String?, perMessageReturnPath: Bool, connectTimeout: Int, timeout: Int
  ) {
    self.url = url
    self.startTLS = startTLS
    self.caFile = caFile
    self.credentialsFile = credentialsFile
    self.from = from
    self.replyTo = replyTo
    self.returnPath = returnPath
    self.perMessageReturnPath = perMessageReturnPath
    self.connectTimeout = connectTimeout
    self.timeout = timeout
  }

  /// The envelope sender of message `number` with `messageID` (`<42.9f3c…@domain>`).
  public func envelopeSender(message number: Int64, messageID: String) -> String {
    let base = returnPath ?? from.address
    guard perMessageReturnPath, let at = base.lastIndex(of: "@") else { return base }
    let random = messageID.drop { $0 != "." }.dropFirst().prefix { $0 != "@" }
    return "\(base[..<at])+m\(number).\(random)\(base[at...])"
  }

  /// Problems with the settings, as sentences (empty when they can be used).
  public func problems() -> [String] {
    var found: [String] = []
    guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
      ["smtp", "smtps"].contains(scheme), let host = components.host, !host.isEmpty
    else {
      return [tr("the SMTP server must be given as smtp://HOST[:PORT] or smtps://HOST[:PORT]")]
    }
    if components.user != nil || components.password != nil {
      found.append(
        tr(
          "the SMTP URL must not carry a user or password (it would show in process lists): put them in a credentials file (--smtp-credentials)"
        ))
    }
    if let file = credentialsFile {
      var status = stat()
      if stat(file, &status) != 0 {
        found.append(tr("the credentials file %@ cannot be read", file))
      } else if status.st_mode & S_IFMT != S_IFREG {
        found.append(tr("the credentials file %@ is not a regular file", file))
      } else if status.st_mode & 0o077 != 0 {
        found.append(
          tr(
            "the credentials file %@ may be read by others (mode %@): chmod 600 it", file,
            String(status.st_mode & 0o777, radix: 8)))
      }
    }
    if let returnPath, !Validation.isMailable(returnPath) { found.append(tr("the return path %@ is not an address", returnPath)) }
    // "+m" + a number (12 digits allowed for) + "." + 16 hex digits go into the local part,
    // which RFC 5321 § 4.5.3.1.1 limits to 64 octets.
    let base = returnPath ?? from.address
    if perMessageReturnPath, let at = base.lastIndex(of: "@"), base[..<at].utf8.count > 64 - 31 {
      found.append(
        tr("the return path %@ is too long for a per-message return address (at most 33 characters before the @)", base))
    }
    // The envelope and Message-IDs are ASCII: a server without SMTPUTF8 takes nothing else.
    func plain(_ address: String) -> Bool { address.unicodeScalars.allSatisfy(\.isASCII) }
    if !plain(from.address) {
      found.append(tr("the sender %@ must be written in ASCII (a domain with umlauts in its xn-- form)", from.address))
    }
    if let address = replyTo?.address, !plain(address) {
      found.append(tr("the Reply-To %@ must be written in ASCII (a domain with umlauts in its xn-- form)", address))
    }
    if let returnPath, !plain(returnPath) {
      found.append(tr("the return path %@ must be written in ASCII (a domain with umlauts in its xn-- form)", returnPath))
    }
    return found
  }
}

/// A message ready to be handed over.
public struct OutgoingMessage: Sendable {
  public struct Attachment: Sendable {
    public var fileName: String
    /// A MIME type with its parameters (`application/pdf`, `text/calendar; charset=UTF-8; method=REQUEST`).
    public var mediaType: String
    public var data: Data
    public init(fileName: String, mediaType: String, data: Data) {
      self.fileName = fileName
      self.mediaType = mediaType
      self.data = data
    }
  }

  /// The queue's number of the message.
  public var number: Int64
  /// `<42.9f…@lpr.sachsen.de>`: the same on every attempt.
  public var messageID: String
  public var to: String
  /// The recipient's name in the To header, if known.
  public var toName: String?
  public var subject: String
  public var body: String
  public var attachments: [Attachment]
  public var date: Date

  public init(
    number: Int64, messageID: String, to: String, toName: String? = nil, subject: String, body: String,
    attachments: [Attachment], date: Date
  ) {
    self.number = number
    self.messageID = messageID
    self.to = to
    self.toName = toName
    self.subject = subject
    self.body = body
    self.attachments = attachments
    self.date = date
  }

  /// The header fields beside those of the MIME structure. `Auto-Submitted` (RFC 3834) keeps
  /// auto-responders quiet; nothing that tracks opening or reading.
  public func headers(_ settings: SMTPSettings) -> [String] {
    var fields = [
      "Date: \(HeaderText.date(date))",
      "From: \(settings.from.header)",
      "To: \(MailAddress(address: to, name: toName).header)",
      "Subject: \(HeaderText.unstructured(subject))",
      "Message-ID: \(messageID)",
      "Auto-Submitted: auto-generated",
      "X-Auto-Response-Suppress: All",
      "Content-Language: de",
    ]
    if let replyTo = settings.replyTo { fields.insert("Reply-To: \(replyTo.header)", at: 3) }
    return fields
  }
}

/// What became of one hand-over, by the SMTP reply (RFC 5321 § 4.2.1) and the enhanced status
/// code (RFC 3463) when the server gives one.
public enum SMTPOutcome: Sendable, Equatable {
  /// 2xx after the message's data.
  case sent(reply: String)
  /// 4xx: try again later.
  case deferred(reply: String)
  /// 5xx: not deliverable; `addressError` for 5.1.x (bad mailbox or domain), which puts the
  /// address on the suppression list.
  case failed(reply: String, addressError: Bool)
  /// No SMTP conversation about the message: connection, TLS or time limit, or a reply that is not
  /// SMTP. Deferred; the run stops sending until its next start.
  case unreachable(reason: String)
  /// The server refused the login, requires one, or refused the session before any recipient
  /// (the sender, EHLO, STARTTLS): the run stops, nothing is lost. `reason` names what.
  case refused(reason: String)
}

/// One SMTP session through libcurl, reused for consecutive messages (libcurl keeps the
/// connection open between transfers of the same handle). Not thread-safe: one per worker.
public final class SMTPClient {
  private let handle: UnsafeMutableRawPointer
  private let settings: SMTPSettings
  private let transcript = Transcript()

  /// libcurl's process-wide setup; call once before any client exists and before threads start.
  public static func initialiseLibrary() {
    _ = beccaria_curl_global_init()
  }

  public init(settings: SMTPSettings) throws {
    guard let handle = curl_easy_init() else { throw SMTPClientError(tr("libcurl could not make a handle")) }
    self.handle = handle
    self.settings = settings
    set(CURLOPT_URL, settings.url)
    set(CURLOPT_CONNECTTIMEOUT, settings.connectTimeout)
    set(CURLOPT_TIMEOUT, settings.timeout)
    set(CURLOPT_NOSIGNAL, 1)
    let tls: curl_usessl =
      switch settings.startTLS {
      case .required: CURLUSESSL_ALL
      case .opportunistic: CURLUSESSL_TRY
      case .never: CURLUSESSL_NONE
      }
    set(CURLOPT_USE_SSL, Int(tls.rawValue))
    if let caFile = settings.caFile { set(CURLOPT_CAINFO, caFile) }
    if let file = settings.credentialsFile {
      set(CURLOPT_NETRC, Int(CURL_NETRC_REQUIRED.rawValue))
      set(CURLOPT_NETRC_FILE, file)
    }
    // The server's replies are read from libcurl's debug stream (incoming lines only: what is
    // sent includes AUTH, whose credentials must never be kept).
    _ = beccaria_curl_setopt_debug(handle, debugCallback)
    _ = beccaria_curl_setopt_pointer(handle, CURLOPT_DEBUGDATA, Unmanaged.passUnretained(transcript).toOpaque())
    set(CURLOPT_VERBOSE, 1)
  }

  deinit {
    curl_easy_cleanup(handle)
  }

  /// Hands `message` over: envelope from `settings.envelopeSender`, one recipient, a
  /// multipart/mixed body of the text (quoted-printable UTF-8) and the attachments (base64).
  public func send(_ message: OutgoingMessage) -> SMTPOutcome {
    transcript.reset()
    var headers: UnsafeMutablePointer<curl_slist>?
    for field in message.headers(settings) { headers = curl_slist_append(headers, field) }
    let recipients = curl_slist_append(nil, "<\(message.to)>")
    defer {
      curl_slist_free_all(headers)
      curl_slist_free_all(recipients)
    }
    guard let mime = curl_mime_init(handle) else {
      return .unreachable(reason: Localisation.inEnglish { tr("libcurl could not build the message") })
    }
    defer { curl_mime_free(mime) }
    let text = curl_mime_addpart(mime)
    let body = message.body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
    let bodyBytes = Array(body.utf8)
    curl_mime_data(text, bodyBytes.map { CChar(bitPattern: $0) }, bodyBytes.count)
    curl_mime_type(text, "text/plain; charset=UTF-8")
    curl_mime_encoder(text, "quoted-printable")
    for attachment in message.attachments {
      let part = curl_mime_addpart(mime)
      attachment.data.withUnsafeBytes { raw in
        _ = curl_mime_data(part, raw.bindMemory(to: CChar.self).baseAddress, raw.count)
      }
      curl_mime_type(part, attachment.mediaType)
      curl_mime_filename(part, attachment.fileName)
      curl_mime_encoder(part, "base64")
    }
    set(CURLOPT_MAIL_FROM, "<\(settings.envelopeSender(message: message.number, messageID: message.messageID))>")
    _ = beccaria_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients)
    _ = beccaria_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers)
    _ = beccaria_curl_setopt_mime(handle, mime)
    let result = curl_easy_perform(handle)
    // The handle keeps pointers to these until the next transfer sets new ones.
    _ = beccaria_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, nil)
    _ = beccaria_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
    _ = beccaria_curl_setopt_mime(handle, nil)
    var code = 0
    _ = beccaria_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
    // An outcome's reason is stored with the message (last_reply) in one language, English;
    // `SMTPClient.reasons` lets a reader's display translate it.
    return Localisation.inEnglish { Self.outcome(result: result, code: code, transcript: transcript) }
  }

  /// The reasons `outcome` and `failure` give, as catalogue texts, to translate a stored one.
  public static let reasons = MessageFormats(msgids: [
    "libcurl could not build the message",
    "the server does not offer STARTTLS (for a relay on this host give --starttls never; for TLS from the start, smtps://)",
    "the login", "the login (%@)", "the session: %@ (to %@)",
  ])

  static func outcome(result: CURLcode, code: Int, transcript: Transcript) -> SMTPOutcome {
    let reply = transcript.reply(code: code)
    if result == CURLE_OK { return .sent(reply: reply) }
    if result == CURLE_USE_SSL_FAILED {
      return .unreachable(
        reason:
          tr(
            "the server does not offer STARTTLS (for a relay on this host give --starttls never; for TLS from the start, smtps://)"
          ))
    }
    if result == CURLE_LOGIN_DENIED { return .refused(reason: reply.isEmpty ? tr("the login") : tr("the login (%@)", reply)) }
    return failure(code: code, libraryError: String(cString: curl_easy_strerror(result)), transcript: transcript)
  }

  /// What a transfer that failed with SMTP reply `code` (0: none) means for its message.
  static func failure(code: Int, libraryError: String, transcript: Transcript) -> SMTPOutcome {
    let reply = transcript.reply(code: code)
    if code == 530 || code == 535 || code == 534 || code == 538 {
      return .refused(reason: tr("the login (%@)", reply.isEmpty ? libraryError : reply))
    }
    // A refusal before the recipient (the greeting, EHLO, STARTTLS, AUTH, the sender) is about
    // this client or its settings, not about the message: the run stops, nothing fails.
    let before = !["RCPT", "DATA"].contains(transcript.lastCommand)
    let stage = transcript.lastCommand.isEmpty ? tr("the connection") : transcript.lastCommand
    if (500..<600).contains(code) && before { return .refused(reason: tr("the session: %@ (to %@)", reply, stage)) }
    // "Try later" before the recipient (421 at the greeting, a busy server) is the server's, too.
    if (400..<500).contains(code) && before { return .unreachable(reason: "\(reply) (to \(stage))") }
    // Servers refuse the client at RCPT too (Postfix's default): relaying denied, the sender or
    // the client's host or name rejected. Such an answer is not about the recipient, and the
    // next message would get it too.
    if (500..<600).contains(code) && transcript.lastCommand == "RCPT" && refusesClient(reply) {
      return .refused(reason: tr("the session: %@ (to %@)", reply, "RCPT"))
    }
    switch code {
    case 400..<500: return .deferred(reply: reply)
    case 500..<600:
      // Only a recipient's mailbox or domain named as bad (RFC 3463: 5.1.1 mailbox, 5.1.2
      // system, 5.1.3 syntax, 5.1.6 moved, 5.1.10 null MX) puts the address on the list; a
      // refusal without an enhanced code ("550 Relaying denied") may be about this client.
      let addressError = transcript.lastCommand == "RCPT" && enhancedStatus(reply).map(Self.isAddressError) == true
      return .failed(reply: reply, addressError: addressError)
    default:
      return .unreachable(reason: reply.isEmpty ? libraryError : "\(libraryError) (\(reply))")
    }
  }

  /// Whether a refusal at RCPT is about this client rather than the recipient: the wording mail
  /// servers use for relaying, sender, client and HELO refusals (a 5.7.x status alone may be a
  /// recipient's own policy, which fails that message only).
  static func refusesClient(_ reply: String) -> Bool {
    let text = reply.lowercased()
    return ["relay", "sender address rejected", "client host rejected", "helo command rejected", "authentication required"]
      .contains { text.contains($0) }
  }

  /// Whether an enhanced status says the recipient's address is bad (not the sender's, 5.1.7/8).
  public static func isAddressError(_ status: String) -> Bool {
    ["5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10"].contains(status)
  }

  /// The enhanced status code (`5.1.1`) at the start of a reply's text, if any.
  static func enhancedStatus(_ reply: String) -> String? {
    let words = reply.split(separator: " ", maxSplits: 2)
    guard words.count >= 2 else { return nil }
    let candidate = words[1]
    let parts = candidate.split(separator: ".")
    guard parts.count == 3, ["2", "4", "5"].contains(parts[0]), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) })
    else { return nil }
    return String(candidate)
  }

  private func set(_ option: CURLoption, _ value: String) { _ = beccaria_curl_setopt_string(handle, option, value) }
  private func set(_ option: CURLoption, _ value: Int) { _ = beccaria_curl_setopt_long(handle, option, value) }
}

/// The server's last reply and the last command's verb, collected from libcurl's debug stream.
final class Transcript {
  private(set) var lastReply = ""
  private(set) var lastCommand = ""
  private var replyLines: [String] = []
  /// After QUIT (libcurl ends a failed transfer with it) the reply that mattered is kept.
  private var quitting = false

  /// The last reply, or its code alone when the server's text was not seen.
  func reply(code: Int) -> String {
    lastReply.isEmpty ? (code > 0 ? "\(code)" : "") : lastReply
  }

  func reset() {
    lastReply = ""
    lastCommand = ""
    replyLines = []
    quitting = false
  }

  /// A line from the server: `250-…` continues a reply, `250 …` ends it.
  func incoming(_ text: String) {
    if quitting { return }
    // "\r\n" is one Character in Swift: lines are split on the normalised text.
    let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(whereSeparator: { $0 == "\r" || $0 == "\n" })
    for line in lines where line.count >= 3 {
      replyLines.append(String(line))
      if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] != "-" {
        lastReply = replyLines.map { $0.count > 4 ? String($0.dropFirst(4)) : "" }.joined(separator: " ")
        lastReply = "\(line.prefix(3)) \(lastReply)".trimmingCharacters(in: .whitespaces)
        replyLines = []
      }
    }
  }

  /// A command sent: only a known verb is kept (AUTH's argument and the lines after it hold
  /// credentials).
  func outgoing(_ text: String) {
    let verb = String(text.prefix { $0.isLetter }).uppercased()
    if verb == "QUIT" {
      quitting = true
      return
    }
    if Self.verbs.contains(verb) { lastCommand = verb }
    replyLines = []
  }

  static let verbs: Set<String> = ["EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT"]
}

private let debugCallback: beccaria_curl_debug_callback = { _, type, data, size, context in
  guard let data, let context else { return 0 }
  let transcript = Unmanaged<Transcript>.fromOpaque(context).takeUnretainedValue()
  switch type {
  case CURLINFO_HEADER_IN:
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    transcript.incoming(String(decoding: bytes, as: UTF8.self))
  case CURLINFO_HEADER_OUT:
    // The verb only, read without copying the rest of the line.
    let bytes = UnsafeRawBufferPointer(start: data, count: min(size, 8))
    transcript.outgoing(String(decoding: bytes, as: UTF8.self))
  default: break
  }
  return 0
}

/// A failure of the SMTP machinery itself (not of a message).
public struct SMTPClientError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}
