import BeccariaCore
import Foundation
import Logging
import Postgres

/// How a certificate run goes about its work.
public struct CertificateRunOptions: Sendable {
  public var workers: Int
  /// Where to export issued PDFs (`DIR/<year>/<serial>.pdf`); nil exports nothing.
  public var outputDirectory: String?
  public var dryRun: Bool
  /// Participants claimed per transaction, at most: a run with fewer due than workers times
  /// this shares them evenly, so that every worker has a batch.
  public var batchSize: Int
  public var host: String
  public var pid: Int32

  public init(
    workers: Int = 2, outputDirectory: String? = nil, dryRun: Bool = false, batchSize: Int = 100,
    host: String = ProcessInfo.processInfo.hostName, pid: Int32 = ProcessInfo.processInfo.processIdentifier
  ) {
    self.workers = workers
    self.outputDirectory = outputDirectory
    self.dryRun = dryRun
    self.batchSize = batchSize
    self.host = host
    self.pid = pid
  }
}

/// What a run did.
public struct CertificateRunSummary: Sendable {
  public var runID: Int64?
  public var issued: [IssuedCertificate] = []
  public var planned: [PlannedCertificate] = []
  public var failures: [String] = []
  public var cohortsEnded = 0
  public var exported = 0
  public var reapedRuns: [Int64] = []
  public var checked = 0
  public var seconds: Double = 0
}

/// Something a run reports while it works.
public enum CertificateRunEvent: Sendable {
  case started(runID: Int64?, due: Int)
  case issued(IssuedCertificate)
  case failed(participant: Int64, reason: String)
  case exported(path: String)
}

/// The nightly certificate run, as a library function: claims due participants with
/// `FOR UPDATE SKIP LOCKED` (so any number of runs, on any number of machines, share the work),
/// issues every certificate that became due exactly once, and records the run. A run killed at
/// any instant leaves no half-issued certificate and no used serial without one; the next run
/// marks it failed and finishes the work.
public struct CertificateRun: Sendable {
  public let database: Database
  public let options: CertificateRunOptions
  public let renderer: CertificateRenderer
  /// Renders a claimed batch at once (drawn before its serials are taken); when it fails, the
  /// batch is issued one by one with `renderer`, so that one bad certificate does not hold back
  /// the others.
  public let batchRenderer: CertificateBatchRenderer
  public let signer: SigningKey
  public let events: @Sendable (CertificateRunEvent) -> Void

  public init(
    database: Database, options: CertificateRunOptions, renderer: @escaping CertificateRenderer,
    batchRenderer: CertificateBatchRenderer? = nil, signer: SigningKey,
    events: @escaping @Sendable (CertificateRunEvent) -> Void = { _ in }
  ) {
    self.database = database
    self.signer = signer
    self.options = options
    self.renderer = renderer
    self.batchRenderer = batchRenderer ?? oneByOne(renderer)
    self.events = events
  }

  /// Advisory lock a running run holds, so that others can tell a live run from a killed one.
  static func livenessKey(_ runID: Int64) -> Int64 { 0x4243_5255_0000_0000 | runID }

  public func execute() throws -> CertificateRunSummary {
    let started = Date()
    let control = try database.connect()
    if options.dryRun { return try dryRun(control, started: started) }
    try SigningKeyStore(control).requireUsable(signer)
    var summary = CertificateRunSummary()
    guard
      let runID: Int64 = try control.queryOne(
        """
        INSERT INTO certificate_run (host, pid, workers, export_directory, export_pending)
        VALUES (\(options.host), \(Int(options.pid)), \(options.workers), \(options.outputDirectory), \(options.outputDirectory != nil))
        RETURNING id
        """)?.decode("id")
    else { throw StoreError.corrupt("the run could not be recorded") }
    summary.runID = runID
    _ = try control.tryAdvisoryLock(Self.livenessKey(runID))
    do {
      summary.reapedRuns = try reapDeadRuns(control, except: runID)
      summary.cohortsEnded = try endCohorts(control)
      if let directory = options.outputDirectory {
        try Exporter.removeStaleTemporaryFiles(in: directory)
        summary.exported += try Exporter(connection: control, directory: directory).exportPending(except: runID)
      }
      let due = try control.queryOne("SELECT count(*)::integer AS n FROM certificate_due")?.decode("n", as: Int.self) ?? 0
      events(.started(runID: runID, due: due))
      let flush = options.outputDirectory.map(BackgroundFlush.init(directory:))
      let results: WorkResult
      do {
        defer { flush?.stop() }
        results = try work(
          runID: runID, batchSize: Self.batchSize(due: due, options: options), flush: flush,
          expectation: try firstExpectation(control))
      }
      summary.issued = results.issued
      summary.failures = results.failures
      summary.exported += results.exported
      summary.checked = results.checked
      if let directory = options.outputDirectory, results.exported > 0 { try Exporter.sync(directory) }
      summary.seconds = Date().timeIntervalSince(started)
      try control.execute(
        """
        UPDATE certificate_run SET status = \(results.failures.isEmpty ? "succeeded" : "failed"), finished_at = clock_timestamp(),
               issued = \(summary.issued.count), failed = \(summary.failures.count), exported = \(summary.exported),
               cohorts_ended = \(summary.cohortsEnded), export_pending = false,
               error = \(results.failures.isEmpty ? nil : results.failures.prefix(20).joined(separator: "\n"))
        WHERE id = \(runID)
        """)
      try control.advisoryUnlock(Self.livenessKey(runID))
      return summary
    } catch {
      // Best effort: a broken connection cannot record anything; the next run reaps this one.
      _ = try? control.execute(
        """
        UPDATE certificate_run SET status = 'failed', finished_at = clock_timestamp(), issued = \(summary.issued.count),
               error = \(String(describing: error)) WHERE id = \(runID)
        """)
      throw error
    }
  }

  /// Runs marked running whose process is gone (their liveness lock is free) become failed.
  func reapDeadRuns(_ db: Connection, except runID: Int64) throws -> [Int64] {
    var reaped: [Int64] = []
    for row in try db.query("SELECT id FROM certificate_run WHERE status = 'running' AND id <> \(runID) ORDER BY id") {
      let id: Int64 = try row.decode("id")
      guard try db.tryAdvisoryLock(Self.livenessKey(id)) else { continue }
      try db.execute(
        """
        UPDATE certificate_run SET status = 'failed', finished_at = clock_timestamp(),
               error = 'the run ended without finishing (killed or lost its connection); its work was taken up by run ' || \(runID)
        WHERE id = \(id) AND status = 'running'
        """)
      try db.advisoryUnlock(Self.livenessKey(id))
      reaped.append(id)
    }
    return reaped
  }

  /// The workers' first batches expect the serial counter's next number as it stands now, so
  /// that they, too, are sealed before the counter's lock (another run or a re-issue taking
  /// numbers meanwhile only makes them sealed again under it).
  func firstExpectation(_ db: Connection) throws -> SerialExpectation {
    guard
      let row = try db.queryOne(
        """
        SELECT y.year, coalesce((SELECT last_number FROM certificate_serial_counter c WHERE c.year = y.year), 0) + 1 AS first
        FROM (SELECT extract(year FROM beccaria_today())::integer AS year) y
        """)
    else { return SerialExpectation() }
    return SerialExpectation(year: try row.decode("year"), first: try row.decode("first"))
  }

  /// Cohorts whose last session is past are ended, and their participants marked due.
  func endCohorts(_ db: Connection) throws -> Int {
    try db.transaction { tx in
      try tx.queryOne(
        """
        WITH ended AS (
          UPDATE course c SET status = 'ended'
          WHERE c.status IN ('open', 'running')
            AND (SELECT max(s.day) FROM session s WHERE s.course_id = c.id) < beccaria_today()
          RETURNING c.id, c.programme_version_id
        ), marked AS (
          INSERT INTO certificate_due (participant_id, programme_id)
          SELECT DISTINCT e.participant_id, v.programme_id
          FROM ended JOIN enrolment e ON e.course_id = ended.id AND e.enrolled_at IS NOT NULL
          JOIN programme_version v ON v.id = ended.programme_version_id
          ON CONFLICT (participant_id, programme_id) DO NOTHING
        )
        SELECT count(*)::integer AS n FROM ended
        """)?.decode("n") ?? 0
    }
  }

  struct WorkResult {
    var issued: [IssuedCertificate] = []
    var failures: [String] = []
    var exported = 0
    var checked = 0
  }

  /// Participants a worker claims at a time: the batch size, or an even share of what is due
  /// when that is less (100 due and 2 workers: 50 each, not 100 for one and none for the other).
  static func batchSize(due: Int, options: CertificateRunOptions) -> Int {
    let workers = max(1, options.workers)
    return max(1, min(options.batchSize, (due + workers - 1) / workers))
  }

  /// Workers, each with its own connection, claim batches until the queue is empty.
  func work(
    runID: Int64, batchSize: Int, flush: BackgroundFlush?, expectation: SerialExpectation = SerialExpectation()
  ) throws -> WorkResult {
    let lock = NSLock()
    nonisolated(unsafe) var combined = WorkResult()
    nonisolated(unsafe) var errors: [any Error] = []
    DispatchQueue.concurrentPerform(iterations: max(1, options.workers)) { _ in
      do {
        let result = try workerLoop(runID: runID, batchSize: batchSize, expectation: expectation, flush: flush)
        lock.lock()
        combined.issued += result.issued
        combined.failures += result.failures
        combined.exported += result.exported
        combined.checked += result.checked
        lock.unlock()
      } catch {
        lock.lock()
        errors.append(error)
        lock.unlock()
      }
    }
    if let first = errors.first { throw first }
    combined.issued.sort { $0.serial < $1.serial }
    return combined
  }

  func workerLoop(runID: Int64, batchSize: Int, expectation: SerialExpectation, flush: BackgroundFlush?) throws -> WorkResult {
    let db = try database.connect()
    var result = WorkResult()
    let exporter = options.outputDirectory.map { Exporter(connection: db, directory: $0) }
    while true {
      let batch = try db.transaction {
        tx -> (issued: [IssuedCertificate], documents: [Int64: Data], failures: [String], checked: Int)? in
        let claimed = try tx.query(
          """
          SELECT participant_id, programme_id FROM certificate_due
          WHERE last_run_id IS DISTINCT FROM \(runID)
          ORDER BY marked_at, participant_id LIMIT \(batchSize) FOR UPDATE SKIP LOCKED
          """
        ).map { DueKey(participant: try $0.decode("participant_id"), programme: try $0.decode("programme_id")) }
        if claimed.isEmpty { return nil }
        Failpoint.pass("claimed")
        let today = try tx.queryOne("SELECT beccaria_today() AS today")?.date("today") ?? CalendarDate.today()
        let issuer = CertificateIssuer(connection: tx, renderer: renderer, today: today, runID: runID, signer: signer)
        var issued: [IssuedCertificate] = []
        var failures: [String] = []
        var failedKeys: Set<DueKey> = []
        let cases = try EligibilityReader(tx).cases(for: claimed).filter { !$0.erased }
        let plan = cases.flatMap { eligibility in
          Eligibility.evaluate(eligibility.input).due.map { (due: $0, eligibility: eligibility) }
        }
        var batchFailed = false
        var documents: [Int64: Data] = [:]
        do {
          let results = try tx.transaction { _ in try issuer.issueAll(plan, render: batchRenderer, expectation: expectation) }
          issued = results.map(\.certificate)
          for result in results { documents[result.certificate.id] = result.pdf }
        } catch let error as PostgresError where error.isConnectionFailure {
          throw error
        } catch {
          // Something in the batch failed (rolled back to before its serials): issue one by one,
          // so that the failure is pinned to its certificate and the others are issued.
          database.logger.warning("certificate batch of \(plan.count) failed (\(error)); issuing them one by one")
          batchFailed = true
        }
        for (due, eligibility) in batchFailed ? plan : [] {
          do {
            let result = try issuer.issue(due, for: eligibility)
            issued.append(result.certificate)
            documents[result.certificate.id] = result.pdf
          } catch let error as PostgresError where error.isConnectionFailure {
            throw error
          } catch {
            let reason =
              "participant \(eligibility.key.participant): \(due.kind.rawValue)\(due.module.map { " module \($0)" } ?? ""): \(error)"
            failures.append(reason)
            failedKeys.insert(eligibility.key)
            events(.failed(participant: eligibility.key.participant, reason: reason))
          }
        }
        for key in claimed where failedKeys.contains(key) {
          try tx.execute(
            """
            UPDATE certificate_due SET attempts = attempts + 1, last_error = \(failures.last), last_run_id = \(runID)
            WHERE participant_id = \(key.participant) AND programme_id = \(key.programme)
            """)
        }
        let done = claimed.filter { !failedKeys.contains($0) }
        try tx.execute(
          """
          DELETE FROM certificate_due
          WHERE (participant_id, programme_id) IN (
            SELECT * FROM unnest(\(PostgresArray(done.map(\.participant))), \(PostgresArray(done.map(\.programme)))))
          """)
        return (issued, documents, failures, claimed.count)
      }
      guard let batch else { break }
      if !batch.issued.isEmpty { Failpoint.pass("committed") }
      result.checked += batch.checked
      result.failures += batch.failures
      result.issued += batch.issued
      for certificate in batch.issued { events(.issued(certificate)) }
      // Files are exports of committed rows, written only after the commit, from the bytes just
      // stored.
      if let exporter {
        for certificate in batch.issued {
          let path =
            try batch.documents[certificate.id].map {
              try exporter.write(serial: certificate.serial, pdf: $0, sha256: certificate.sha256, hashed: true)
            } ?? exporter.export(id: certificate.id)
          result.exported += 1
          events(.exported(path: path))
        }
        if !batch.issued.isEmpty { flush?.written() }
      }
    }
    return result
  }

  /// What would be issued, and why, without writing anything.
  func dryRun(_ db: Connection, started: Date) throws -> CertificateRunSummary {
    struct Rollback: Error {}
    var summary = CertificateRunSummary()
    do {
      try db.transaction { tx in
        summary.cohortsEnded = try endCohorts(tx)
        let keys = try tx.query("SELECT participant_id, programme_id FROM certificate_due ORDER BY marked_at, participant_id")
          .map { DueKey(participant: try $0.decode("participant_id"), programme: try $0.decode("programme_id")) }
        summary.checked = keys.count
        var index = 0
        while index < keys.count {
          let slice = Array(keys[index..<min(index + 500, keys.count)])
          index += slice.count
          for eligibility in try EligibilityReader(tx).cases(for: slice) where !eligibility.erased {
            for due in Eligibility.evaluate(eligibility.input).due {
              summary.planned.append(
                PlannedCertificate(
                  participantID: eligibility.key.participant, holderName: eligibility.holderName, kind: due.kind,
                  module: due.module, completedOn: due.completedOn, reason: due.reason))
            }
          }
        }
        throw Rollback()
      }
    } catch is Rollback {}
    summary.seconds = Date().timeIntervalSince(started)
    return summary
  }
}
