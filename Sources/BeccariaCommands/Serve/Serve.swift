import ArgumentParser
import BeccariaCore
import BeccariaStore
import Dispatch
import Foundation
import Logging
import VerificationService

/// `beccaria serve`: the public verification service.
struct Serve: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: tr("Serve the public verification pages behind every certificate's QR code and printed address."),
    discussion: tr(
      """
      Serves the path of every loaded programme's verification URL (documents.verification_url, \
      e.g. /beccaria/pruefen): the page a QR code opens (its code after #c=, never sent to the \
      server), ?nr=SERIAL (status without a name, and a yes-or-no match of family name and birth \
      date), ?c=TOKEN (codes printed before schema 0023), a PDF check, the legal pages, and the \
      JSON API …/api/status/SERIAL and …/api/verify. GET /health answers 200 or 503.

      It runs only as a login with the role verifier and no other (beccaria access grant LOGIN \
      --role verifier): that role reads no table and calls only the verification functions. \
      Meant to run behind nginx (scripts/deploy/nginx-beccaria-verify.conf) under systemd \
      (scripts/deploy/beccaria-verify.service). The access log (JSON lines, without query \
      strings, client addresses, codes or names) goes to standard output; SIGTERM finishes the \
      requests in progress and stops.

      Example:
        beccaria serve \\
          --database "host=/run/postgresql dbname=beccaria user=pruefdienst" \\
          --port 8080
      """))

  @OptionGroup var global: GlobalOptions
  @Option(help: ArgumentHelp(tr("Address to listen on."))) var host = "127.0.0.1"
  @Option(help: ArgumentHelp(tr("Port to listen on."))) var port = 8080
  @Option(
    help: ArgumentHelp(
      tr(
        "Database connections, each with its own thread (default: one per core, at least 2; more only add context switches: measured with scripts/bench)."
      ),
      valueName: "n"))
  var connections = max(2, ProcessInfo.processInfo.activeProcessorCount)
  @Option(help: ArgumentHelp(tr("Lookups per client address and minute (then 429 with Retry-After)."))) var lookupsPerMinute = 30
  @Option(
    name: .customLong("trusted-proxy"),
    help: ArgumentHelp(
      tr("Address of a proxy whose X-Real-IP header names the client; repeatable (default: 127.0.0.1 and ::1)."),
      valueName: "address"
    ))
  var trustedProxies: [String] = []
  @Option(
    name: .customLong("path"),
    help: ArgumentHelp(
      tr("Serve this path too (e.g. /pruefen), besides the programmes' verification URLs; repeatable."), valueName: "path"))
  var paths: [String] = []
  @Option(help: ArgumentHelp(tr("Seconds a lookup may take in the database before its request is answered 503.")))
  var requestTimeout = 5

  func validate() throws {
    guard (1...65535).contains(port) else { throw ValidationError(tr("--port must be between 1 and 65535.")) }
    guard (1...64).contains(connections) else { throw ValidationError(tr("--connections must be between 1 and 64.")) }
    guard lookupsPerMinute >= 1 else { throw ValidationError(tr("--lookups-per-minute must be at least 1.")) }
    guard (1...60).contains(requestTimeout) else {
      throw ValidationError(tr("--request-timeout must be between 1 and 60 seconds."))
    }
    for path in paths where !path.hasPrefix("/") || path.count < 2 || path.contains("?") || path.contains("#") {
      throw ValidationError(tr("--path %@ is not a path such as /pruefen.", path))
    }
  }

  func run() throws {
    let database = try reportingFailures { try global.makeDatabase() }
    var logger = Logger(label: "beccaria.serve")
    logger.logLevel = global.verbose ? .debug : .info
    var configuration = VerificationServerConfiguration()
    configuration.host = host
    configuration.port = port
    configuration.conninfo = database.conninfo
    configuration.connections = connections
    configuration.lookupsPerMinute = lookupsPerMinute
    if !trustedProxies.isEmpty { configuration.trustedProxies = Set(trustedProxies) }
    configuration.extraPaths = paths
    configuration.requestTimeout = .seconds(requestTimeout)
    // libpq waits for ever for an unreachable host unless told otherwise.
    if ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] == nil { setenv("PGCONNECT_TIMEOUT", "3", 1) }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    Task { [configuration, logger] in
      do {
        try await VerificationServer.run(configuration, logger: logger)
      } catch {
        outcome.set(error)
      }
      done.signal()
    }
    done.wait()
    if let error = outcome.error {
      if let refusal = error as? VerificationServerRefusal { throw CommandFailure(refusal.description) }
      throw CommandFailure(Explain.sentence(for: error))
    }
  }

  /// The server task's error, handed to the waiting thread.
  final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?
    var error: (any Error)? { lock.withLock { stored } }
    func set(_ error: any Error) { lock.withLock { stored = error } }
  }
}
