import BeccariaCore
import BeccariaStore
import Documents
import Files
import Foundation
import Logging
import Postgres
import Signing

/// The nightly certificate run, as a library function: claims due participants with
/// `FOR UPDATE SKIP LOCKED` (so any number of runs, on any number of machines, share the work),
/// issues every certificate that became due exactly once, and records the run. A run killed at
/// any instant leaves no half-issued certificate and no used serial without one; the next run
/// marks it failed and finishes the work.
public struct CertificateRun: Sendable {
  public let database: Database
  public let options: CertificateRunOptions
  /// Prints each claimed batch at once (drawn before its serials are taken); when a batch
  /// fails, its certificates are issued one by one, each rendered whole, so that one bad
  /// certificate does not hold back the others.
  public let printer: any CertificatePrinting
  public let signer: SigningKey
  public let events: @Sendable (CertificateRunEvent) -> Void

  /// A run with `printer` (by default the certificate layout on `CertificatePrinter`'s threads:
  /// see `renderingThreads(workers:)`).
  public init(
    database: Database, options: CertificateRunOptions, signer: SigningKey,
    printer: any CertificatePrinting = CertificatePrinter(threads: CertificateRun.renderingThreads(workers: 2)),
    events: @escaping @Sendable (CertificateRunEvent) -> Void = { _ in }
  ) {
    self.database = database
    self.signer = signer
    self.options = options
    self.printer = printer
    self.events = events
  }

  /// The cores shared among `workers`: one Cairo document per thread, and each document's
  /// fonts are subset and compressed once, so fewer, larger shares cost less.
  public static func renderingThreads(workers: Int) -> Int {
    max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, workers))
  }

  public func execute() throws -> CertificateRunSummary {
    MemoryReuse.keepBetweenBatches()
    // The export folder is recorded by its real path, so that a later run given another spelling
    // of it finds the exports this one leaves pending.
    if let directory = options.outputDirectory {
      let real = try Exporter.prepare(directory)
      if real != directory {
        var options = options
        options.outputDirectory = real
        return try CertificateRun(database: database, options: options, signer: signer, printer: printer, events: events)
          .execute()
      }
    }
    let started = Date()
    let control = try database.connect()
    if options.dryRun { return try dryRun(control, started: started) }
    try SigningKeyStore(control).requireUsable(signer)
    var summary = CertificateRunSummary()
    // The liveness lock is taken before the run's row exists, so that no other run can ever see
    // this run's row without its lock and reap it as dead.
    let liveness = try Self.takeLivenessLock(control)
    guard
      let runID: CertificateRunID = try control.queryOne(
        """
        INSERT INTO certificate_run (host, pid, workers, export_directory, export_pending, liveness_key)
        VALUES (\(options.host), \(Int(options.pid)), \(options.workers), \(options.outputDirectory),
                \(options.outputDirectory != nil), \(liveness))
        RETURNING id
        """)?.decode("id")
    else { throw StoreError.corrupt(tr("the run could not be recorded")) }
    summary.runID = runID
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
      try Self.releaseLivenessLock(control, key: liveness)
      summary.auditHead = try AuditChain(control).head()
      return summary
    } catch {
      // Best effort: a broken connection cannot record anything; the next run reaps this one.
      // What the other worker committed before this one failed counts: the register says how many.
      _ = try? control.execute(
        """
        UPDATE certificate_run SET status = 'failed', finished_at = clock_timestamp(),
               issued = (SELECT count(*) FROM certificate WHERE run_id = \(runID)),
               error = \(String(describing: error)) WHERE id = \(runID)
        """)
      throw error
    }
  }

  /// A random advisory lock key (two 31-bit halves, so that pg_locks shows them as they are)
  /// that this connection now holds for the run's lifetime. Random, because any login can take
  /// any advisory lock: a predictable key let another session keep a dead run looking alive.
  static func takeLivenessLock(_ db: Connection) throws -> Int64 {
    for _ in 0..<8 {
      let high = Int32.random(in: 1...Int32.max)
      let low = Int32.random(in: 1...Int32.max)
      if try db.queryOne("SELECT pg_try_advisory_lock(\(high), \(low)) AS taken")?.decode("taken", as: Bool.self) == true {
        return Int64(high) << 32 | Int64(low)
      }
    }
    throw StoreError.conflict(tr("no free advisory lock key was found for the run's liveness lock"))
  }

  static func releaseLivenessLock(_ db: Connection, key: Int64) throws {
    try db.execute("SELECT pg_advisory_unlock(\(Int32(truncatingIfNeeded: key >> 32)), \(Int32(truncatingIfNeeded: key)))")
  }

  /// Runs marked running whose process is gone become failed. A run is alive while the server
  /// process that recorded it holds its liveness key (pg_locks names the holder, so a session
  /// that takes a dead run's key does not make it look alive).
  func reapDeadRuns(_ db: Connection, except runID: CertificateRunID) throws -> [CertificateRunID] {
    try db.query(
      """
      UPDATE certificate_run r SET status = 'failed', finished_at = clock_timestamp(),
             error = \(Localisation.inEnglish { tr("the run ended without finishing (killed or lost its connection); its work was taken up by run %@", runID) })
      WHERE r.status = 'running' AND r.id <> \(runID)
        AND NOT EXISTS (
          SELECT 1 FROM pg_locks l
          WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.database = (
                  SELECT oid FROM pg_database WHERE datname = current_database())
            AND l.pid = r.backend_pid AND l.classid::bigint = r.liveness_key >> 32
            AND l.objid::bigint = r.liveness_key & 2147483647)
      RETURNING r.id
      """
    ).map { try $0.decode("id", as: CertificateRunID.self) }.sorted()
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

  /// Cohorts whose last session is past are ended, and their participants marked due
  /// (`course_end_finished`, schema 0015: the run writes no course row itself).
  func endCohorts(_ db: Connection) throws -> Int {
    try db.transaction { tx in try tx.queryOne("SELECT course_end_finished() AS n")?.decode("n") ?? 0 }
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
    runID: CertificateRunID, batchSize: Int, flush: BackgroundFlush?, expectation: SerialExpectation = SerialExpectation()
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

  func workerLoop(runID: CertificateRunID, batchSize: Int, expectation: SerialExpectation, flush: BackgroundFlush?) throws
    -> WorkResult
  {
    let db = try database.connect()
    var result = WorkResult()
    let exporter = options.outputDirectory.map { Exporter(connection: db, directory: $0) }
    while true {
      let batch = try db.transaction {
        tx -> (issued: [IssuedCertificate], documents: [CertificateID: Data], failures: [String], checked: Int)? in
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
        let issuer = CertificateIssuer(connection: tx, printer: printer, today: today, runID: runID, signer: signer)
        var issued: [IssuedCertificate] = []
        var failures: [String] = []
        // Each participant's own failures: the marker keeps what went wrong for them, not for the
        // batch's last.
        var failedKeys: [DueKey: [String]] = [:]
        let cases = try EligibilityReader(tx).cases(for: claimed).filter { !$0.erased }
        let plan = cases.flatMap { eligibility in
          Eligibility.evaluate(eligibility.input).due.map { (due: $0, eligibility: eligibility) }
        }
        var batchFailed = false
        var documents: [CertificateID: Data] = [:]
        do {
          let results = try tx.transaction { _ in try issuer.issueAll(plan, expectation: expectation) }
          issued = results.map(\.certificate)
          for result in results { documents[result.certificate.id] = result.pdf }
        } catch let error as PostgresError where error.isConnectionFailure {
          throw error
        } catch {
          // Something in the batch failed (rolled back to before its serials): issue one by one,
          // so that the failure is pinned to its certificate and the others are issued.
          database.logger.warning(
            "\(tr("certificate batch of %@ failed (%@); issuing them one by one", plan.count, "\(error)"))")
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
            let participant = eligibility.key.participant
            let describe = {
              due.module.map { tr("participant %@: %@ module %@: %@", participant, Term.word(due.kind), $0, "\(error)") }
                ?? tr("participant %@: %@: %@", participant, Term.word(due.kind), "\(error)")
            }
            let reason = describe()
            failures.append(reason)
            // Stored (certificate_due.last_error): one language (English) whoever runs it.
            failedKeys[eligibility.key, default: []].append(Localisation.inEnglish(describe))
            events(.failed(participant: eligibility.key.participant, reason: reason))
          }
        }
        for key in claimed {
          guard let reasons = failedKeys[key] else { continue }
          try tx.execute(
            """
            UPDATE certificate_due SET attempts = attempts + 1, last_error = \(reasons.joined(separator: "\n")), last_run_id = \(runID)
            WHERE participant_id = \(key.participant) AND programme_id = \(key.programme)
            """)
        }
        let done = claimed.filter { failedKeys[$0] == nil }
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
            let verdict = Eligibility.evaluate(eligibility.input)
            summary.blocked += verdict.blocked.map { tr("participant %@: %@", eligibility.key.participant, $0.sentence) }
            for due in verdict.due {
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
