import BeccariaCore
import BeccariaStore
import Foundation
import HTTPTypes
import Hummingbird
import MultipartKit
import NIOCore
import Postgres
import Signing

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
  static func unavailable(_ request: Request) -> Response {
    let language = PageLanguage(request.uri.queryParameters["lang"])
    var response: Response
    if request.uri.path.contains("/api/") {
      response = VerificationServer.json(.serviceUnavailable, ["error": "the register cannot be reached; try again later"])
    } else {
      let pages = Pages(prefix: "", issuer: "Beccaria")
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

  /// The client's address: the peer's, or what a trusted proxy (nginx) says in `X-Real-IP`.
  func client(_ request: Request, _ context: VerifierContext) -> String {
    let peer = context.remoteAddress?.ipAddress ?? "unknown"
    if trusted.contains(peer), let forwarded = request.headers[.xRealIP], !forwarded.isEmpty {
      return String(forwarded.prefix(64))
    }
    return peer
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

  static func form(_ body: ByteBuffer) -> [String: String] {
    var components = URLComponents()
    components.percentEncodedQuery = String(buffer: body).replacingOccurrences(of: "+", with: "%20")
    var values: [String: String] = [:]
    for item in components.queryItems ?? [] where values[item.name] == nil { values[item.name] = item.value ?? "" }
    return values
  }

  func collectForm(_ request: Request) async throws -> [String: String] {
    var request = request
    return Self.form(try await request.collectBody(upTo: Limits.form))
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
    let trimmed = text.replacingOccurrences(of: "+", with: " ").trimmingCharacters(in: .whitespacesAndNewlines)
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
    var request = request
    let type = request.headers[.contentType] ?? ""
    var language = PageLanguage.de
    var sha256 = ""
    var code: String?
    if type.lowercased().hasPrefix("multipart/form-data") {
      guard let boundary = Self.boundary(type) else {
        return problem(
          .badRequest, language, title: language.texts.badRequestTitle, text: language.texts.explainNotOriginalNoCode)
      }
      let body = try await request.collectBody(upTo: Limits.upload)
      let upload: Upload
      do {
        upload = try FormDataDecoder().decode(Upload.self, from: body, boundary: boundary)
      } catch {
        return problem(
          .badRequest, language, title: language.texts.badRequestTitle, text: language.texts.explainNotOriginalNoCode)
      }
      language = PageLanguage(upload.lang.map { Substring($0) })
      if let data = upload.datei, !data.isEmpty {
        sha256 = data.sha256Hex
        code = PDFCode.find(in: data)?.token
      } else {
        sha256 = upload.sha256 ?? ""
        code = upload.c
      }
    } else {
      let values = Self.form(try await request.collectBody(upTo: Limits.form))
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
    return VerificationServer.json(.ok, status)
  }

  struct VerifyRequest: Decodable {
    var token: String
  }

  func apiVerify(_ request: Request, _ context: VerifierContext) async throws -> Response {
    var request = request
    let type = (request.headers[.contentType] ?? "").lowercased()
    let body = try await request.collectBody(upTo: Limits.form)
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
    return VerificationServer.json(.ok, verdict)
  }
}
