import BeccariaCore
import BeccariaStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MultipartKit
import NIOCore
import NIOPosix
import Postgres
import Signing
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// How `beccaria serve` runs.
public struct VerificationServerConfiguration: Sendable {
  /// Address and port to listen on (behind nginx: 127.0.0.1).
  public var host: String = "127.0.0.1"
  public var port: Int = 8080
  /// libpq connection string of the verifier login; nil leaves it to libpq's defaults.
  public var conninfo: String?
  /// Database connections, each with its own thread (libpq blocks): one per core, at least 2.
  /// The service, PostgreSQL and these threads share the cores; more connections than cores
  /// answered fewer lookups, as each adds context switches (scripts/bench, wrk).
  public var connections: Int = max(2, ProcessInfo.processInfo.activeProcessorCount)
  /// Lookups per client address and minute (`RateLimiter`).
  public var lookupsPerMinute: Int = 30
  /// Peers whose `X-Real-IP` header names the client (nginx on the same host).
  public var trustedProxies: Set<String> = ["127.0.0.1", "::1"]
  /// Paths to serve besides those of the programmes' verification URLs.
  public var extraPaths: [String] = []
  /// Idle connections are closed after this long; a request must arrive complete within it.
  public var idleTimeout: Duration = .seconds(30)
  /// A statement that takes longer is cancelled, and its request answered 503.
  public var requestTimeout: Duration = .seconds(5)

  public init() {}
}

/// A refusal at start: the login is too privileged, the schema too old, nothing to serve.
public struct VerificationServerRefusal: Error, CustomStringConvertible {
  public let description: String
}

/// The request context: the peer's address, for the rate limiter.
struct VerifierContext: RequestContext, RemoteAddressRequestContext {
  var coreContext: CoreRequestContextStorage
  let remoteAddress: SocketAddress?

  init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    remoteAddress = source.channel.remoteAddress
  }

  /// Bodies are collected with their own limits per route (`Limits`); this is the ceiling.
  var maxUploadSize: Int { Limits.upload }
}

/// Request body limits, bytes.
enum Limits {
  /// A PDF sent by the form without JavaScript: issued certificates are about 40 KB; a copy
  /// printed to PDF a few hundred.
  static let upload = 4 << 20
  /// A form or an API body with a code: a token is under 1 KB.
  static let form = 16 << 10
  /// Time a request's body may take to arrive, however slowly its bytes trickle in.
  static let bodyTime = Duration.seconds(20)
  /// Uploads (PDFs sent without JavaScript) handled at once; more get 503 and Retry-After.
  static let uploadsAtOnce = 2
}

/// The uploads in progress, and the threads that parse them (MultipartKit, SHA-256, the code
/// search: CPU work that must not hold up the threads answering requests).
final class UploadGate: Sendable {
  let threads: NIOThreadPool
  let count: Mutex<Int>
  let limit: Int

  init(limit: Int) {
    self.limit = limit
    self.threads = NIOThreadPool(numberOfThreads: limit)
    self.count = Mutex(0)
    threads.start()
  }

  /// A slot, or nil when `limit` uploads are in progress.
  func enter() -> Int? {
    count.withLock { count in
      guard count < limit else { return nil }
      count += 1
      return count
    }
  }

  func leave(_ slot: Int) { count.withLock { $0 -= 1 } }
}

/// The public verification service (issue: the page behind every certificate's QR code).
public enum VerificationServer {
  /// Checks the login and the schema, then serves until SIGTERM or SIGINT (graceful: requests
  /// in progress finish). Throws `VerificationServerRefusal` when it must not start.
  public static func run(_ configuration: VerificationServerConfiguration, logger: Logger) async throws {
    let pool = DatabasePool(
      conninfo: configuration.conninfo, size: configuration.connections, statementTimeout: configuration.requestTimeout,
      logger: logger)
    let site: Site
    do {
      site = try await pool.run { connection in
        try checkLogin(connection)
        return try Site(programmes: PublicVerifier(connection).programmes(), extraPaths: configuration.extraPaths)
      }
    } catch {
      try? await pool.shutdown()
      throw error
    }
    let limiter = RateLimiter(capacity: configuration.lookupsPerMinute)
    let uploads = UploadGate(limit: Limits.uploadsAtOnce)
    let served = site.prefixes.map { Pages(prefix: $0, issuer: site.issuer($0), programmes: site.programmes) }
    let router = Router(context: VerifierContext.self)
    router.add(middleware: Frame(logger: logger, pages: served))
    router.get("/health") { _, _ in
      do {
        let schema = try await pool.run { connection in
          try connection.queryOne("SELECT max(version) AS version FROM schema_migration")?.decode("version", as: Int.self)
        }
        return Self.json(.ok, ["status": "ok", "database": "ok", "schema": schema.map(String.init) ?? "none"])
      } catch {
        return Self.json(.serviceUnavailable, ["status": "unavailable", "database": "unreachable"])
      }
    }
    for pages in served {
      let handler = Handler(
        pages: pages, pool: pool, limiter: limiter, trusted: configuration.trustedProxies, site: site, uploads: uploads)
      handler.register(on: router)
    }
    let address = "\(configuration.host):\(configuration.port)"
    let paths = site.prefixes.joined(separator: " ")
    let app = Application(
      router: router,
      server: .http1(configuration: .init(idleTimeout: .init(configuration.idleTimeout))),
      configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
      onServerRunning: { _ in logger.notice("serving", metadata: ["address": "\(address)", "paths": "\(paths)"]) },
      logger: logger)
    do {
      try await app.runService()
    } catch let error as IOError where error.errnoCode == EADDRINUSE {
      try? await pool.shutdown()
      throw VerificationServerRefusal(description: "cannot listen on \(address): the address is in use by another process")
    } catch {
      try? await pool.shutdown()
      throw error
    }
    try await pool.shutdown()
    logger.notice("stopped", metadata: ["address": "\(address)"])
  }

  /// The login must be the verifier's and nothing more: no table it can read or write (the
  /// schema's bookkeeping table aside), no other beccaria role, no superuser or role-making
  /// rights. A service running as the owner or the office would put every holder's data behind
  /// a public port.
  static func checkLogin(_ connection: Connection) throws {
    guard
      let row = try connection.queryOne(
        """
        SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolbypassrls OR r.rolreplication AS powerful,
               to_regrole('beccaria_verifier') IS NOT NULL AND pg_has_role(current_user, 'beccaria_verifier', 'USAGE') AS verifier,
               (SELECT string_agg(c.relname, ', ' ORDER BY c.relname) FROM pg_class c
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                   AND c.relname <> 'schema_migration'
                   AND has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')) AS tables,
               (SELECT string_agg(g.rolname, ', ' ORDER BY g.rolname) FROM pg_roles g
                 WHERE g.rolname LIKE 'beccaria\\_%' AND g.rolname <> 'beccaria_verifier'
                   AND pg_has_role(current_user, g.oid, 'MEMBER')) AS roles,
               (SELECT max(version) FROM schema_migration) AS schema
        FROM pg_roles r WHERE r.rolname = current_user
        """)
    else { throw VerificationServerRefusal(description: "the login's role cannot be read") }
    let login = connection.userName
    if try row.decode("powerful", as: Bool.self) {
      throw VerificationServerRefusal(
        description:
          "the login \(login) is a superuser or may create roles or databases: beccaria serve runs only as a login with the role verifier (beccaria access grant LOGIN --role verifier)"
      )
    }
    if let roles: String = try row.decode("roles") {
      throw VerificationServerRefusal(
        description:
          "the login \(login) has the roles \(roles): beccaria serve runs only as a login with the role verifier and no other (beccaria access grant LOGIN --role verifier)"
      )
    }
    if let tables: String = try row.decode("tables") {
      throw VerificationServerRefusal(
        description:
          "the login \(login) may read or write tables (\(tables.prefix(200))): beccaria serve runs only as a login with the role verifier, which reads no table"
      )
    }
    guard try row.decode("verifier", as: Bool.self) else {
      throw VerificationServerRefusal(
        description: "the login \(login) lacks the role verifier: beccaria access grant \(login) --role verifier")
    }
    guard let schema: Int = try row.decode("schema"), schema >= 23 else {
      throw VerificationServerRefusal(
        description: "the database's schema predates the verification service: run beccaria db migrate")
    }
  }

  /// A JSON answer already written (`text`), with a line feed.
  static func json(_ status: HTTPResponse.Status, text: String) -> Response {
    var buffer = ByteBuffer(string: text)
    buffer.writeString("\n")
    return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: buffer))
  }

  static func json(_ status: HTTPResponse.Status, _ object: some Encodable, extra: HTTPFields = [:]) -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    let data = (try? encoder.encode(object)) ?? Data("{}".utf8)
    var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
    headers.append(contentsOf: extra)
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data + Data("\n".utf8))))
  }
}

/// What the programmes' definitions say about the site: the paths of their verification URLs,
/// the issuer named in the header, the legal texts.
struct Site: Sendable {
  var prefixes: [String]
  var programmes: [PublicVerifier.Programme]

  init(programmes: [PublicVerifier.Programme], extraPaths: [String]) throws {
    self.programmes = programmes
    var paths: [String] = []
    for url in programmes.map(\.verificationURL) + extraPaths {
      let path = URLComponents(string: url)?.path ?? url
      let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
      guard trimmed.hasPrefix("/"), trimmed.count > 1 else {
        throw VerificationServerRefusal(
          description: "the verification address \(url) has no path to serve (such as /pruefen); give --path")
      }
      if !paths.contains(trimmed) { paths.append(trimmed) }
    }
    guard !paths.isEmpty else {
      throw VerificationServerRefusal(
        description: "no programme is loaded, so there is no verification address to serve; load one or give --path")
    }
    prefixes = paths
  }

  /// The newest programme version whose verification URL has this path.
  func programme(_ prefix: String) -> PublicVerifier.Programme? {
    programmes.first { (URLComponents(string: $0.verificationURL)?.path ?? "").hasPrefix(prefix) }
  }

  /// The header's name: the issuer and the programme.
  func issuer(_ prefix: String) -> String {
    guard let programme = programme(prefix) else { return "Beccaria" }
    return [programme.issuer, programme.title].compactMap { $0 }.joined(separator: " · ")
  }
}

/// Security headers on every response, the access log, and the 503 page when the register cannot
/// be reached. A request's time is bounded where it is spent: the body must arrive within the
/// idle timeout, and each statement within the pool's statement timeout.
struct Frame: RouterMiddleware {
  typealias Context = VerifierContext
  let logger: Logger
  /// The pages of each served path, for the 503 page's style sheet and links.
  let pages: [Pages]

  static let securityHeaders: HTTPFields = [
    .contentSecurityPolicy:
      "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
    .referrerPolicy: "no-referrer",
    .xRobotsTag: "noindex, nofollow",
    .xContentTypeOptions: "nosniff",
    .xFrameOptions: "DENY",
    .crossOriginOpenerPolicy: "same-origin",
    .permissionsPolicy: "camera=(), microphone=(), geolocation=(), interest-cohort=()",
  ]

  func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
    -> Response
  {
    let started = ContinuousClock.now
    var response: Response
    do {
      // A page's form posted from another site (an attacker's page making this domain show
      // "unchanged" for a hash it chose): browsers say so in Sec-Fetch-Site. The JSON API is
      // for scripts anywhere, and shows nothing in a browser.
      if request.method == .post, !request.uri.path.contains("/api/"),
        let site = request.headers[.secFetchSite], site != "same-origin", site != "none"
      {
        response = Response(
          status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"],
          body: .init(byteBuffer: ByteBuffer(string: "403 Forbidden: forms are posted from this site's own pages\n")))
      } else {
        response = try await next(request, context)
      }
    } catch is Handler.BadInput {
      response = Response(
        status: .badRequest, headers: [.contentType: "text/plain; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: "400 Bad Request: the form's content cannot be read\n")))
    } catch let error as DatabaseUnavailable {
      logger.warning("register unreachable", metadata: ["error": "\(error.description)"])
      response = Handler.unavailable(request, pages: pages.first { request.uri.path.hasPrefix($0.prefix) })
    } catch let error as any HTTPResponseError {
      response = Response(
        status: error.status, headers: [.contentType: "text/plain; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: "\(error.status.code) \(error.status.reasonPhrase)\n")))
    } catch {
      // A fault of ours or of the register (never a verdict): logged without the request's
      // query or body, answered with the headers every answer carries.
      logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
      response = Response(
        status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: "500 Internal Server Error\n")))
    }
    for field in Self.securityHeaders where response.headers[field.name] == nil { response.headers.append(field) }
    if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
    // One JSON line per request: time, method, path without its query (a printed address's
    // query holds a serial; an old QR code's, a name), status and duration. No client address,
    // no token, no name.
    let elapsed = ContinuousClock.now - started
    let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
    AccessLog.write(
      method: request.method.rawValue, path: Self.loggedPath(request.uri.path), status: Int(response.status.code),
      milliseconds: milliseconds)
    return response
  }

  /// The path as logged: nothing from a `#` on (a client that sends a URL's fragment would log a
  /// code, and with it a name), at most 120 characters.
  static func loggedPath(_ path: String) -> String {
    var bytes = Array(path.utf8.prefix(120))
    if let hash = bytes.firstIndex(of: UInt8(ascii: "#")) { bytes.removeSubrange(hash...) }
    var index = 0
    while index + 2 < bytes.count {
      if bytes[index] == UInt8(ascii: "%"), bytes[index + 1] == UInt8(ascii: "2"), bytes[index + 2] == UInt8(ascii: "3") {
        bytes.removeSubrange(index...)
        break
      }
      index += 1
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// The access log: JSON lines on standard output (journald keeps them under systemd), written by
/// hand: Foundation's date formatter and JSON encoder cost more than the rest of a request.
enum AccessLog {
  /// `{"method":…,"ms":…,"path":…,"status":…,"time":"2026-11-30T07:11:46.123Z"}` and a line feed,
  /// in one write(2), so that lines of concurrent requests do not interleave.
  static func write(method: String, path: String, status: Int, milliseconds: Double) {
    var line = "{\"method\":" + JSONText.quoted(method) + ",\"ms\":" + String((milliseconds * 100).rounded() / 100)
    line += ",\"path\":" + JSONText.quoted(path) + ",\"status\":" + String(status) + ",\"time\":\"" + timestamp() + "\"}\n"
    var bytes = Array(line.utf8)
    bytes.withUnsafeMutableBytes { _ = Foundation.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
  }

  /// The current time in UTC, RFC 3339 with milliseconds.
  static func timestamp() -> String {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    var parts = tm()
    var seconds = now.tv_sec
    gmtime_r(&seconds, &parts)
    func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    let millis = Int(now.tv_nsec / 1_000_000)
    return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):"
      + "\(two(parts.tm_min)):\(two(parts.tm_sec)).\(millis < 10 ? "00" : millis < 100 ? "0" : "")\(millis)Z"
  }
}

extension HTTPField.Name {
  static let referrerPolicy = known("Referrer-Policy")
  static let xRobotsTag = known("X-Robots-Tag")
  static let xFrameOptions = known("X-Frame-Options")
  static let crossOriginOpenerPolicy = known("Cross-Origin-Opener-Policy")
  static let permissionsPolicy = known("Permissions-Policy")
  static let xRealIP = known("X-Real-IP")
  static let secFetchSite = known("Sec-Fetch-Site")

  /// A name HTTPTypes does not predefine; each is a valid token (RFC 9110 §5.1).
  static func known(_ name: String) -> Self {
    guard let field = Self(name) else { preconditionFailure("\(name) is not an HTTP field name") }
    return field
  }
}
