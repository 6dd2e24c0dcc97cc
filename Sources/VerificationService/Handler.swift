import BeccariaCore
import BeccariaStore
import Foundation
import HTTPTypes
import Hummingbird
import MultipartKit
import NIOCore
import Postgres
import Signing

#if canImport(Glibc)
  import Glibc
#endif

/// The routes under one verification path (`/beccaria/pruefen`):
///
///     GET  P?nr=SERIAL            status, programme, kind and dates; no name; the match form
///     GET  P?c=TOKEN              result of a printed (BQ1) or pasted code
///     GET  P                      start page; its script posts a code found after `#c=`
///     POST P                      result of a code (form field c)
///     POST P/datei                a file: its SHA-256 and code (from the script) or the file
///     POST P/abgleich             family name and birth date against a serial: yes or no
///     GET  P/api/status/SERIAL    JSON, PublicCertificateStatus
///     POST P/api/verify           JSON {"token": …} or the token as text → PublicVerdict
///     GET  P/impressum, P/datenschutz, P/barrierefreiheit, P/static/pruefen.{js,css}
///
/// Every route that asks the register counts against the client's lookups (429 beyond).
struct Handler: Sendable {
  let pages: Pages
  let pool: DatabasePool
  let limiter: RateLimiter
  let trusted: Set<String>
  let site: Site
  let uploads: UploadGate

  var prefix: String { pages.prefix }

  func register(on router: Router<VerifierContext>) {
    router.get(RouterPath(prefix)) { request, context in try await start(request, context) }
    router.post(RouterPath(prefix)) { request, context in try await postedCode(request, context) }
    router.post(RouterPath(prefix + "/datei")) { request, context in try await file(request, context) }
    router.post(RouterPath(prefix + "/abgleich")) { request, context in try await match(request, context) }
    router.get(RouterPath(prefix + "/api/status/:serial")) { request, context in try await apiStatus(request, context) }
    router.post(RouterPath(prefix + "/api/verify")) { request, context in try await apiVerify(request, context) }
    router.get(RouterPath(prefix + "/static/pruefen.js")) { _, _ in
      Self.asset(Assets.script, type: "text/javascript; charset=utf-8")
    }
    router.get(RouterPath(prefix + "/static/pruefen.css")) { _, _ in Self.asset(Assets.style, type: "text/css; charset=utf-8") }
    let programme = site.programme(prefix)
    for (path, title, text) in [
      ("impressum", \PageTexts.imprint, programme?.page?.imprint),
      ("datenschutz", \PageTexts.privacy, programme?.page?.privacy),
      ("barrierefreiheit", \PageTexts.accessibility, programme?.page?.accessibility),
    ] {
      router.get(RouterPath(prefix + "/" + path)) { request, _ in
        let language = PageLanguage(request.uri.queryParameters["lang"])
        return Self.html(.ok, pages.legal(language, title: language.texts[keyPath: title], text: text), cache: true)
      }
    }
  }

  // MARK: Responses

  static func html(_ status: HTTPResponse.Status, _ page: String, cache: Bool = false) -> Response {
    var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
    if cache { headers[.cacheControl] = "public, max-age=3600" }
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
  }

  static func asset(_ text: String, type: String) -> Response {
    Response(
      status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=86400"],
      body: .init(byteBuffer: ByteBuffer(string: text)))
  }

  /// The 503 answer while the register cannot be reached: a page, or JSON under /api/.
  /// `pages` are those of the path the request came for (its style sheet and links), or nil.
  static func unavailable(_ request: Request, pages: Pages?) -> Response {
    let language = PageLanguage(request.uri.queryParameters["lang"])
    var response: Response
    if request.uri.path.contains("/api/") {
      response = VerificationServer.json(.serviceUnavailable, ["error": "the register cannot be reached; try again later"])
    } else {
      let pages = pages ?? Pages(prefix: "", issuer: "Beccaria")
      response = html(
        .serviceUnavailable,
        pages.problem(language, title: language.texts.unavailableTitle, text: language.texts.unavailable))
    }
    response.headers[.retryAfter] = "30"
    return response
  }

  func problem(_ status: HTTPResponse.Status, _ language: PageLanguage, title: String, text: String) -> Response {
    Self.html(status, pages.problem(language, title: title, text: text))
  }

  // MARK: Limits

  /// The client whose lookups are counted: the peer's address, or what a trusted proxy (nginx)
  /// says in `X-Real-IP`. An IPv6 address counts by its /64 prefix: one connection to the
  /// internet gets a whole /64, and every address in it is the same client.
  func client(_ request: Request, _ context: VerifierContext) -> String {
    let peer = context.remoteAddress?.ipAddress ?? "unknown"
    var address = peer
    if trusted.contains(peer), let forwarded = request.headers[.xRealIP], !forwarded.isEmpty {
      address = String(forwarded.prefix(64)).trimmingCharacters(in: .whitespaces)
    }
    return Self.clientKey(address)
  }

  static func clientKey(_ address: String) -> String {
    var bytes = [UInt8](repeating: 0, count: 16)
    guard address.contains(":"), inet_pton(AF_INET6, address, &bytes) == 1 else { return address }
    // An IPv4 address written as IPv6 (::ffff:a.b.c.d) is that IPv4 address.
    if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
      return bytes[12..<16].map { String($0) }.joined(separator: ".")
    }
    return bytes[0..<8].map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
  }

  /// Takes a lookup; the 429 answer when the client has none left.
  func limited(_ request: Request, _ context: VerifierContext, json: Bool = false) -> Response? {
    let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    guard let wait = limiter.take(client(request, context), now: now) else { return nil }
    let language = PageLanguage(request.uri.queryParameters["lang"])
    var response =
      json
      ? VerificationServer.json(.tooManyRequests, ["error": "too many lookups from this address; retry after \(wait) seconds"])
      : problem(.tooManyRequests, language, title: language.texts.tooManyTitle, text: language.texts.tooMany(wait))
    response.headers[.retryAfter] = String(wait)
    return response
  }

  /// An `application/x-www-form-urlencoded` body (WHATWG URL standard: `+` is a space, `%XX` a
  /// byte, UTF-8): the first value of each name. Anything else in it (a bad escape, bytes that
  /// are not UTF-8) is `BadInput`, answered 400.
  static func form(_ body: ByteBuffer) throws -> [String: String] {
    guard let text = body.getString(at: body.readerIndex, length: body.readableBytes), text.utf8.count == body.readableBytes
    else { throw BadInput() }
    var values: [String: String] = [:]
    for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      func decoded(_ part: Substring) throws -> String {
        guard let value = part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else { throw BadInput() }
        return value
      }
      let name = try decoded(parts[0])
      if values[name] == nil { values[name] = parts.count > 1 ? try decoded(parts[1]) : "" }
    }
    return values
  }

  /// A request the service cannot read (a form body with a bad escape, say).
  struct BadInput: Error {}

  /// Collects a body of at most `limit` bytes that must arrive within `Limits.bodyTime`: the idle
  /// timeout alone restarts with every byte, so a client sending one byte every few seconds
  /// would hold the connection for ever (413 beyond the size, 408 beyond the time).
  static func collect(_ request: Request, upTo limit: Int) async throws -> ByteBuffer {
    try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
      group.addTask {
        var request = request
        return try await request.collectBody(upTo: limit)
      }
      group.addTask {
        try await Task.sleep(for: Limits.bodyTime)
        return nil
      }
      defer { group.cancelAll() }
      guard let body = try await group.next() ?? nil else { throw HTTPError(.requestTimeout) }
      return body
    }
  }

  func collectForm(_ request: Request) async throws -> [String: String] {
    try Self.form(try await Self.collect(request, upTo: Limits.form))
  }

  // MARK: Pages

  func start(_ request: Request, _ context: VerifierContext) async throws -> Response {
    let query = request.uri.queryParameters
    let language = PageLanguage(query["lang"])
    if let serial = query["nr"].map(String.init) {
      return try await serialPage(Self.normalizedSerial(serial), language, request, context)
    }
    if let code = query["c"].map(String.init) {
      return try await codePage(code, language, request, context)
    }
    return Self.html(.ok, pages.start(language))
  }

  func serialPage(
    _ serial: String, _ language: PageLanguage, _ request: Request, _ context: VerifierContext, match: Bool?? = .none,
    badDate: Bool = false
  ) async throws -> Response {
    guard SerialNumber.parse(serial) != nil else {
      return problem(
        .badRequest, language, title: language.texts.badRequestTitle, text: language.texts.badSerial(String(serial.prefix(40))))
    }
    if match == .none, !badDate, let limited = limited(request, context) { return limited }
    let status = try await pool.run { try PublicVerifier($0).status(serial: serial) }
    return Self.html(
      status == nil ? .notFound : .ok, pages.serial(status, typed: serial, language, match: match, badDate: badDate))
  }

  func codePage(_ code: String, _ language: PageLanguage, _ request: Request, _ context: VerifierContext) async throws
    -> Response
  {
    if let serial = Self.printedSerial(code) { return try await serialPage(serial, language, request, context) }
    guard let payload = try? VerificationPayload.parse(String(code.prefix(4096))) else {
      return problem(.badRequest, language, title: language.texts.verdictUnreadable, text: language.texts.explainUnreadable)
    }
    if let limited = limited(request, context) { return limited }
    let verdict = try await pool.run { try PublicVerifier($0).verify(payload) }
    return Self.html(
      .ok, pages.result(verdict, language, fileChecked: false, repost: .init(action: prefix, fields: [("c", payload.token)])))
  }

  /// A serial as typed or pasted: spaces around it (a form sends them as `+`) dropped, letters
  /// in capitals (`bq-2026-000042` is `BQ-2026-000042`).
  /// Anything else is returned trimmed, as typed (an error message quotes it).
  static func normalizedSerial(_ text: String) -> String {
    if SerialNumber.parse(text) != nil { return text }
    let spaced = String(text.map { $0 == "+" ? " " : $0 })
    let trimmed = String(spaced.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    return SerialNumber.parse(trimmed.uppercased()) != nil ? trimmed.uppercased() : trimmed
  }

  /// The serial of a printed address (`…/pruefen?nr=BQ-2026-000042`) typed into the code field.
  static func printedSerial(_ text: String) -> String? {
    let trimmed = normalizedSerial(text)
    if SerialNumber.parse(trimmed) != nil { return trimmed }
    guard let items = URLComponents(string: text.trimmingCharacters(in: .whitespacesAndNewlines))?.queryItems,
      let serial = items.first(where: { $0.name == "nr" })?.value.map(normalizedSerial), SerialNumber.parse(serial) != nil
    else { return nil }
    return serial
  }

  func postedCode(_ request: Request, _ context: VerifierContext) async throws -> Response {
    let values = try await collectForm(request)
    let language = PageLanguage(values["lang"].map { Substring($0) })
    return try await codePage(values["c"] ?? "", language, request, context)
  }

  /// What an upload gives: its language, the file's SHA-256 and the code found in it.
  struct Parsed: Sendable {
    var lang: String?
    var sha256: String
    var code: String?
  }

  struct Upload: Decodable {
    var lang: String?
    var sha256: String?
    var c: String?
    var datei: Data?
  }

  /// A file: from the script, its SHA-256 and the code found in it (the file stays in the
  /// browser); without JavaScript, the file itself, hashed here and dropped with the request.
  func file(_ request: Request, _ context: VerifierContext) async throws -> Response {
    // Counted before the body is read: a client out of lookups uploads nothing more.
    if let limited = limited(request, context) { return limited }
    let type = request.headers[.contentType] ?? ""
    var language = PageLanguage.de
    var sha256 = ""
    var code: String?
    if type.lowercased().hasPrefix("multipart/form-data") {
      guard let boundary = Self.boundary(type) else {
        return problem(
          .badRequest, language, title: language.texts.badRequestTitle, text: language.texts.explainNotOriginalNoCode)
      }
      // A few uploads at a time: parsing and hashing run on threads of their own, never where
      // requests are answered, and the rest get 503.
      guard let slot = uploads.enter() else {
        var busy = problem(
          .serviceUnavailable, language, title: language.texts.unavailableTitle, text: language.texts.unavailable)
        busy.headers[.retryAfter] = "10"
        return busy
      }
      defer { uploads.leave(slot) }
      let body = try await Self.collect(request, upTo: Limits.upload)
      let parsed: Parsed? = try await uploads.threads.runIfActive {
        guard let upload = try? FormDataDecoder().decode(Upload.self, from: body, boundary: boundary) else { return nil }
        if let data = upload.datei, !data.isEmpty {
          return Parsed(lang: upload.lang, sha256: data.sha256Hex, code: PDFCode.find(in: data)?.token)
        }
        return Parsed(lang: upload.lang, sha256: upload.sha256 ?? "", code: upload.c)
      }
      guard let parsed else {
        return problem(
          .badRequest, language, title: language.texts.badRequestTitle, text: language.texts.explainNotOriginalNoCode)
      }
      language = PageLanguage(parsed.lang.map { Substring($0) })
      sha256 = parsed.sha256
      code = parsed.code
    } else {
      let values = try Self.form(try await Self.collect(request, upTo: Limits.form))
      language = PageLanguage(values["lang"].map { Substring($0) })
      sha256 = values["sha256"] ?? ""
      code = values["c"]
    }
    let hash = sha256.lowercased()
    guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
      return problem(.badRequest, language, title: language.texts.badRequestTitle, text: language.texts.explainNotOriginalNoCode)
    }
    let payload = code.flatMap { $0.isEmpty ? nil : try? VerificationPayload.parse(String($0.prefix(4096))) }
    let verdict = try await pool.run { try PublicVerifier($0).verifyFile(sha256: hash, code: payload) }
    return Self.html(
      .ok,
      pages.result(
        verdict, language, fileChecked: true,
        repost: .init(action: prefix + "/datei", fields: [("sha256", hash), ("c", payload?.token ?? "")])))
  }

  static func boundary(_ contentType: String) -> String? {
    for parameter in contentType.split(separator: ";").dropFirst() {
      let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      if pair.count == 2, pair[0].lowercased() == "boundary" {
        let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        return value.isEmpty || value.count > 200 ? nil : value
      }
    }
    return nil
  }

  func match(_ request: Request, _ context: VerifierContext) async throws -> Response {
    let values = try await collectForm(request)
    let language = PageLanguage(values["lang"].map { Substring($0) })
    let serial = Self.normalizedSerial(values["nr"] ?? "")
    guard SerialNumber.parse(serial) != nil else {
      return problem(
        .badRequest, language, title: language.texts.badRequestTitle, text: language.texts.badSerial(String(serial.prefix(40))))
    }
    let family = String((values["familienname"] ?? "").prefix(200))
    if let limited = limited(request, context) { return limited }
    guard let birth = Self.birthDate(values["geburtsdatum"] ?? "") else {
      return try await serialPage(serial, language, request, context, badDate: true)
    }
    let answer = try await pool.run { try PublicVerifier($0).holderMatches(serial: serial, familyName: family, birthDate: birth) }
    return try await serialPage(serial, language, request, context, match: .some(answer))
  }

  /// A birth date as typed: `TT.MM.JJJJ` (also `T.M.JJJJ`) or `JJJJ-MM-TT`.
  static func birthDate(_ text: String) -> CalendarDate? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if let iso = CalendarDate(iso: trimmed) { return iso }
    let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[2].count == 4, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count),
      let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2])
    else { return nil }
    return CalendarDate(year: year, month: month, day: day)
  }

  // MARK: JSON

  func apiStatus(_ request: Request, _ context: VerifierContext) async throws -> Response {
    let serial = Self.normalizedSerial(context.parameters.get("serial") ?? "")
    guard SerialNumber.parse(serial) != nil else {
      return VerificationServer.json(.badRequest, ["error": "not a serial number (BQ-<year>-<6 digits>)"])
    }
    if let limited = limited(request, context, json: true) { return limited }
    guard let status = try await pool.run({ try PublicVerifier($0).status(serial: serial) }) else {
      return VerificationServer.json(.notFound, ["error": "no certificate with this serial was issued", "serial": serial])
    }
    return VerificationServer.json(.ok, text: status.json)
  }

  struct VerifyRequest: Decodable {
    var token: String
  }

  func apiVerify(_ request: Request, _ context: VerifierContext) async throws -> Response {
    let type = (request.headers[.contentType] ?? "").lowercased()
    let body = try await Self.collect(request, upTo: Limits.form)
    let text: String
    if type.hasPrefix("application/json") {
      guard let decoded = try? JSONDecoder().decode(VerifyRequest.self, from: Data(body.readableBytesView)) else {
        return VerificationServer.json(.badRequest, ["error": "expected a JSON object {\"token\": \"BQ2.…\"}"])
      }
      text = decoded.token
    } else if type.hasPrefix("text/plain") || type.isEmpty {
      text = String(buffer: body)
    } else {
      return VerificationServer.json(.unsupportedMediaType, ["error": "send application/json or text/plain"])
    }
    guard let payload = try? VerificationPayload.parse(text) else {
      return VerificationServer.json(
        .badRequest, ["error": "the token cannot be read (BQ2.… or BQ1.…, or a verification address)"])
    }
    if let limited = limited(request, context, json: true) { return limited }
    let verdict = try await pool.run { try PublicVerifier($0).verify(payload) }
    return VerificationServer.json(.ok, text: verdict.json)
  }
}
