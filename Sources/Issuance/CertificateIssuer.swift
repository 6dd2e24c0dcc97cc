import BeccariaCore
import BeccariaStore
import Documents
import Files
import Foundation
import Logging
import Postgres
import Signing

/// Issues the certificates due for a batch of participants inside the caller's transaction.
/// Each certificate walks, in `issueAll`: drafted (`CertificateDraft`), drawn with the batch
/// (`printer.prepare`), its serial taken, sealed and signed (`SigningKey.seal`), stamped
/// (`finish`), stored (one INSERT for the batch).
struct CertificateIssuer {
  let connection: Connection
  let printer: any CertificatePrinting
  let today: CalendarDate
  let runID: CertificateRunID?
  let signer: SigningKey

  /// The draft of a due certificate, before its serial is taken.
  func draft(_ due: DueCertificate, for eligibility: EligibilityCase) -> CertificateDraft {
    CertificateDraft(
      due: due, holderName: eligibility.holderName, birthDate: eligibility.birthDate, issuedOn: today,
      definition: eligibility.definition, keyID: signer.keyID, projectTitle: eligibility.projectTitle)
  }

  /// Takes `count` consecutive serial numbers of the (German) year and returns the first, through
  /// `certificate_take_serials` (schema 0015: nobody writes the counter directly). The counter
  /// row stays locked until the transaction ends, which is what makes serials gapless: a rollback
  /// gives the numbers back, and the database refuses a commit that leaves a taken number unused.
  func takeSerials(_ count: Int) throws -> Int {
    let row = try connection.queryOne("SELECT certificate_take_serials(\(count)::integer) AS first")
    guard let first: Int = try row?.decode("first") else { throw StoreError.corrupt(tr("no serial number was assigned")) }
    return first
  }

  /// The next serial of the year (see `takeSerials`).
  func nextSerial() throws -> String {
    SerialNumber.make(year: today.year, number: try takeSerials(1))
  }

  /// Issues one certificate rendered whole, in a savepoint of its own: the serial and the row
  /// live or die together, and a failure leaves the caller's transaction usable.
  func issue(_ due: DueCertificate, for eligibility: EligibilityCase) throws -> (certificate: IssuedCertificate, pdf: Data) {
    try connection.transaction { _ in try issueAll([(due, eligibility)], inBatch: false)[0] }
  }

  /// Issues a whole batch in the caller's transaction: the documents are drawn first, then one
  /// serial range is taken (the counter row stays locked until commit), then one row each. With
  /// `expectation`, the batch is sealed, stamped and encoded for the numbers it expects before it
  /// takes the lock, so that the lock is held only for storing (and for stamping again when the
  /// numbers differ). Any error leaves the caller to roll back the lot (the serials go back with
  /// it).
  func issueAll(
    _ plan: [(due: DueCertificate, eligibility: EligibilityCase)], inBatch: Bool = true, expectation: SerialExpectation? = nil
  ) throws -> [(certificate: IssuedCertificate, pdf: Data)] {
    guard !plan.isEmpty else { return [] }
    let drafts = plan.map { draft($0.due, for: $0.eligibility) }
    let prepared = inBatch ? try printer.prepare(drafts) : nil
    let finish: @Sendable ([SealedCertificate]) throws -> [Data] = { [printer] sealed in
      try prepared?.finish(sealed) ?? sealed.map { try printer.render($0) }
    }
    let ticket = expectation?.ticket(year: today.year, count: plan.count)
    var taken: Int?
    // The next batch's turn: this one has its numbers (its `UPDATE` of the counter then holds the
    // next one back until commit), or has given up.
    defer { if let ticket { expectation?.finished(ticket, first: taken) } }
    let expected = try ticket?.expectedFirst.map { try seal(plan, drafts: drafts, first: $0, finish: finish) }
    if let ticket { expectation?.waitForTurn(ticket) }
    let first = try takeSerials(plan.count)
    taken = first
    let batch = try expected.flatMap { $0.first == first ? $0 : nil } ?? seal(plan, drafts: drafts, first: first, finish: finish)
    for _ in plan { Failpoint.pass("rendered") }
    for reason in prepared?.renderedAlone ?? [] { connection.logger.info("\(tr("certificate %@; rendered on its own", reason))") }
    let rows = try connection.query(batch.insert)
    var ids: [String: CertificateID] = [:]
    for row in rows { ids[try row.decode("serial")] = try row.decode("id") }
    return try plan.indices.map { index in
      Failpoint.pass("inserted")
      let serial = batch.certificates[index].serial
      guard let id = ids[serial] else { throw StoreError.corrupt(tr("certificate %@ was not stored", serial)) }
      let certificate = IssuedCertificate(
        id: id, serial: serial, kind: plan[index].due.kind, module: plan[index].due.module,
        participantID: plan[index].eligibility.key.participant, holderName: plan[index].eligibility.holderName,
        sha256: batch.hashes[index], year: today.year)
      return (certificate, batch.pdfs[index])
    }
  }

  /// A batch sealed and stamped for the serial numbers from `first` on, and the statement that
  /// stores it.
  struct SealedBatch {
    var first: Int
    var certificates: [SealedCertificate]
    var pdfs: [Data]
    var hashes: [String]
    var insert: SQL
  }

  func seal(
    _ plan: [(due: DueCertificate, eligibility: EligibilityCase)], drafts: [CertificateDraft], first: Int,
    finish: @Sendable ([SealedCertificate]) throws -> [Data]
  ) throws -> SealedBatch {
    let sealed = try drafts.enumerated().map { index, draft in
      try signer.seal(draft, serial: SerialNumber.make(year: today.year, number: first + index))
    }
    let pdfs = try finish(sealed)
    guard pdfs.count == plan.count else {
      throw StoreError.corrupt(tr("%@ certificates gave %@ documents", plan.count, pdfs.count))
    }
    let hashes = pdfs.map(\.sha256Hex)
    // One statement for the batch (the statement-level triggers, audit and rules, run once), its
    // rows as VALUES: every PDF goes in as a bytea parameter of its own, which PostgreSQL takes as
    // it comes, where a bytea[] was parsed into an array and unnested through a tuple store.
    let rows = plan.indices.map { index -> SQL in
      let item = plan[index]
      let course = item.due.credits.last.flatMap { item.eligibility.courseIDs[$0.course] }
      return """
        (\(sealed[index].serial), \(item.due.kind), \(item.eligibility.key.participant),
         \(item.eligibility.key.programme), \(item.eligibility.programmeVersionID), \(item.due.module), \(course),
         \(item.due.completedOn.postgres), \(runID), \(pdfs[index]), \(hashes[index]), \(JSONB(sealed[index].snapshot)),
         \(signer.keyID), \(Base64URL.encode(sealed[index].signature)))
        """
    }
    let insert: SQL = """
      INSERT INTO certificate (serial, kind, participant_id, programme_id, programme_version_id, module_number, course_id,
                               completed_on, run_id, pdf, pdf_sha256, snapshot, key_id, signature)
      VALUES \(SQL.joined(rows, separator: ",\n"))
      RETURNING id, serial
      """
    return SealedBatch(first: first, certificates: sealed, pdfs: pdfs, hashes: hashes, insert: insert)
  }
}
