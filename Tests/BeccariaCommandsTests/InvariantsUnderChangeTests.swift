import BeccariaCore
import BeccariaStore
import Documents
import Foundation
import Issuance
import Postgres
import Signing
import TestSupport
import Testing

/// Rules that must keep holding when what they depend on changes later (schema 0019): each case
/// is tried as the office would, with the CLI, and with a second client writing to the database
/// directly. The database's own rules are tested through a connection of their own.
@Suite struct InvariantsUnderChangeTests {
  static func refusal(_ body: () throws -> Void) -> PostgresError? {
    do {
      try body()
      return nil
    } catch let error as PostgresError {
      return error
    } catch {
      return nil
    }
  }

  static func count(_ db: Connection, _ sql: SQL) throws -> Int {
    try db.queryOne(sql)?.decode("n", as: Int.self) ?? -1
  }

  // MARK: 1. Sessions changed after attendance was recorded

  @Test func aRecordedSessionKeepsItsDayModuleAndCohortAndIsNotCancelled() throws {
    let fixture = try AttendanceFixture(participants: 2)
    defer { fixture.database.drop() }
    let db = try fixture.database.database().connect()
    let (recorded, open) = (fixture.module1[0], fixture.module1[1])
    try fixture.record(recorded, fixture.participants[0], .present)
    let today = CalendarDate.today()
    for (change, expected) in [
      ("day = '\(today.adding(days: 5))'", "would lie in the future"),
      ("module_number = 2", "its module or cohort changed"),
    ] {
      let error = Self.refusal { try db.execute("UPDATE session SET \(unsafeRaw: change) WHERE id = \(recorded.rawValue)") }
      #expect(error?.constraint == "session_keeps_attendance", "\(change)")
      #expect(error?.message.contains("session \(recorded) has 1 attendance record(s)") == true, "\(error?.message ?? "")")
      #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }
    let deleted = Self.refusal { try db.execute("DELETE FROM session WHERE id = \(recorded.rawValue)") }
    #expect(deleted?.constraint == "session_keeps_attendance")
    #expect(deleted?.message.contains("has 1 attendance record(s)") == true)
    // A session nobody recorded may move (within the past, say) and be cancelled.
    try db.execute("UPDATE session SET day = day - 3 WHERE id = \(open.rawValue)")
    // Cancelling takes its UE out of the plan: 4 sessions of 8 UE were planned for module 2.
    let future = fixture.module2[3]
    let cancel = try Beccaria.run(
      ["session", "cancel", String(future.rawValue), "--reason", "Referentin erkrankt"], database: fixture.database)
    #expect(cancel.status == 0, "\(cancel.stderr)")
    #expect(cancel.stdout.contains("module 2 is planned without it"))
    let planned = try Self.count(
      db,
      "SELECT planned_ue AS n FROM module_attendance WHERE participant_id = \(fixture.participants[0].rawValue) AND module_number = 2"
    )
    #expect(planned == 24)
    #expect(
      try Self.count(
        db, "SELECT count(*)::integer AS n FROM audit_log WHERE table_name = 'session' AND reason = 'Referentin erkrankt'")
        == 1)
    let refused = try Beccaria.run(
      ["session", "cancel", String(recorded.rawValue), "--reason", "Versehen"], database: fixture.database)
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("has 1 attendance record: it took place and is not cancelled"), "\(refused.stderr)")
  }

  @Test func sessionsStayWithinTheirCohortsDatesWhicheverSideChanges() throws {
    let fixture = try AttendanceFixture(participants: 1)
    defer { fixture.database.drop() }
    let db = try fixture.database.database().connect()
    // The fixture's cohort starts on 2026-01-10.
    let early = Self.refusal {
      _ = try SessionStore(db).add([
        NewSession(
          courseCode: AttendanceFixture.course, module: 1, day: CalendarDate(year: 2025, month: 12, day: 6)!, start: 540,
          end: 945, ue: 8, location: nil, trainerEmails: [])
      ])
    }
    #expect(early?.constraint == "session_within_course")
    #expect(early?.message.contains("lies outside cohort BQ-SN-2026-1's dates (2026-01-10 to open)") == true)
    let today = CalendarDate.today()
    for change in ["starts_on = '\(today)'", "ends_on = '\(today.adding(days: -100))'"] {
      let error = Self.refusal { try db.execute("UPDATE course SET \(unsafeRaw: change) WHERE code = 'BQ-SN-2026-1'") }
      #expect(error?.constraint == "session_within_course", "\(change)")
      #expect(error?.message.contains("session(s) outside") == true)
    }
    let moved = try Beccaria.run(
      ["course", "update", AttendanceFixture.course, "--ends", today.adding(days: 10).description], database: fixture.database)
    #expect(moved.status == 1)
    #expect(moved.stderr.contains("move or cancel them first"), "\(moved.stderr)")
    let fine = try Beccaria.run(
      ["course", "update", AttendanceFixture.course, "--ends", today.adding(days: 40).description], database: fixture.database)
    #expect(fine.status == 0, "\(fine.stderr)")
  }

  @Test func anEnrolmentThatAttendanceRestsOnIsNotNarrowedDeletedOrBackdated() throws {
    let fixture = try AttendanceFixture(participants: 2)
    defer { fixture.database.drop() }
    let db = try fixture.database.database().connect()
    let person = fixture.participants[0]
    try fixture.record(fixture.module1[0], person, .present)
    let withdrawn = try EnrolmentStore(db).withdraw(courseCode: AttendanceFixture.course, participant: person, reason: "Umzug")
    #expect(withdrawn.previousStatus == .enrolled)
    // The withdrawal keeps the record (it was before); ending the enrolment before it cannot be made.
    let backdated = Self.refusal {
      try db.execute(
        "UPDATE enrolment SET ended_at = now() - interval '200 days' WHERE participant_id = \(person.rawValue) AND status = 'withdrawn'"
      )
    }
    // (the end of an enrolment is the database's time, which no client backdates)
    #expect(backdated?.sqlState == "42501")
    #expect(backdated?.message.contains("are the database's") == true, "\(backdated?.message ?? "went through")")
    // Ended, it is history; still running with a record, the record rests on it.
    let deleted = Self.refusal { try db.execute("DELETE FROM enrolment WHERE participant_id = \(person.rawValue)") }
    #expect(deleted?.constraint == "enrolment_history_kept")
    try fixture.record(fixture.module1[0], fixture.participants[1], .present)
    let running = Self.refusal {
      try db.execute("DELETE FROM enrolment WHERE participant_id = \(fixture.participants[1].rawValue)")
    }
    #expect(running?.constraint == "enrolment_keeps_attendance")
    // Someone who booked module 1 alone keeps it while it has records.
    let single = try Fixtures.participants(db, count: 1, prefix: "Einzel")[0]
    _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: single, modules: [1, 2])
    try fixture.record(fixture.module1[1], single, .present)
    let narrowed = Self.refusal {
      try db.execute(
        """
        DELETE FROM enrolment_module WHERE module_number = 1
          AND enrolment_id = (SELECT id FROM enrolment WHERE participant_id = \(single.rawValue))
        """)
    }
    #expect(narrowed?.constraint == "enrolment_keeps_attendance")
    try db.execute(
      "DELETE FROM enrolment_module WHERE module_number = 2 AND enrolment_id = (SELECT id FROM enrolment WHERE participant_id = \(single.rawValue))"
    )
  }

  // MARK: 2. Capacity raised while people wait

  @Test func moreCapacityGoesToTheWaitingListAtOnce() throws {
    let fixture = try AttendanceFixture(participants: 1, capacity: 1)
    defer { fixture.database.drop() }
    let db = try fixture.database.database().connect()
    let store = EnrolmentStore(db)
    let people = try Fixtures.participants(db, count: 4, prefix: "Warte")
    for person in people.prefix(2) {
      guard case .waiting = try store.enrol(courseCode: AttendanceFixture.course, participant: person, modules: nil) else {
        Issue.record("\(person) got a place in a full cohort")
        return
      }
    }
    // psql raises the capacity: the first waiting person has the place in the same statement.
    try db.execute("UPDATE course SET capacity = 2 WHERE code = \(AttendanceFixture.course)")
    func status(_ person: ParticipantID) throws -> String? {
      try db.queryOne(
        "SELECT status FROM enrolment WHERE participant_id = \(person.rawValue) AND status IN ('enrolled', 'waiting')"
      )?.decode("status")
    }
    #expect(try status(people[0]) == "enrolled")
    #expect(try status(people[1]) == "waiting")
    // A newcomer waits behind them.
    guard
      case .waiting(_, let position) = try store.enrol(courseCode: AttendanceFixture.course, participant: people[2], modules: nil)
    else {
      Issue.record("a newcomer overtook the waiting list")
      return
    }
    #expect(position == 2)
    // The CLI says who moved up.
    let update = try Beccaria.run(["course", "update", AttendanceFixture.course, "--capacity", "4"], database: fixture.database)
    #expect(update.status == 0, "\(update.stderr)")
    #expect(update.stdout.contains("4 places (4 enrolled, 0 waiting)"), "\(update.stdout)")
    #expect(update.stdout.contains("Moved up from the waiting list: Test Warte1 (\(people[1]))"))
    #expect(update.stdout.contains("Moved up from the waiting list: Test Warte2 (\(people[2]))"))
    // Below the places taken: refused with a sentence.
    let shrink = try Beccaria.run(["course", "update", AttendanceFixture.course, "--capacity", "2"], database: fixture.database)
    #expect(shrink.status == 1)
    #expect(shrink.stderr.contains("has 4 participants enrolled"), "\(shrink.stderr)")
    // Nobody waits while a place is free; nobody is promoted over an earlier arrival.
    try db.execute("UPDATE course SET capacity = 5 WHERE code = \(AttendanceFixture.course)")
    let waitingWhileFree = Self.refusal {
      try db.execute(
        """
        INSERT INTO enrolment (course_id, programme_version_id, participant_id, scope, status, queue_number)
        SELECT id, programme_version_id, \(people[3].rawValue), 'programme', 'waiting', nextval('enrolment_queue_seq')
        FROM course WHERE code = \(AttendanceFixture.course)
        """)
    }
    #expect(waitingWhileFree?.constraint == "enrolment_waiting_list_first")
    #expect(waitingWhileFree?.message.contains("has a free place") == true)
  }

  @Test func aPlaceGoesToTheFirstArrivalWhoeverFreesIt() throws {
    let fixture = try AttendanceFixture(participants: 1, capacity: 1)
    defer { fixture.database.drop() }
    let db = try fixture.database.database().connect()
    let people = try Fixtures.participants(db, count: 2, prefix: "Warte")
    for person in people {
      _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: person, modules: nil)
    }
    // One statement withdraws the enrolled person and hands the place to the second in line.
    let overtaking = Self.refusal {
      try db.execute(
        """
        UPDATE enrolment SET status = CASE WHEN participant_id = \(fixture.participants[0].rawValue) THEN 'withdrawn' ELSE 'enrolled' END,
               queue_number = NULL,
               ended_at = CASE WHEN participant_id = \(fixture.participants[0].rawValue) THEN now() END,
               end_reason = CASE WHEN participant_id = \(fixture.participants[0].rawValue) THEN 'weg' END,
               enrolled_at = coalesce(enrolled_at, now())
        WHERE participant_id IN (\(fixture.participants[0].rawValue), \(people[1].rawValue))
        """)
    }
    #expect(overtaking?.constraint == "enrolment_waiting_list_first")
    #expect(overtaking?.message.contains("1 person(s) waiting came first") == true, "\(overtaking?.message ?? "")")
    // A withdrawal by psql alone fills the place from the front of the list.
    try db.execute(
      """
      UPDATE enrolment SET status = 'withdrawn', ended_at = now(), end_reason = 'weg'
      WHERE participant_id = \(fixture.participants[0].rawValue)
      """)
    #expect(
      try db.queryOne("SELECT status FROM enrolment WHERE participant_id = \(people[0].rawValue)")?.decode(
        "status", as: String.self)
        == "enrolled")
  }

  @Test func simultaneousCapacityChangesWithdrawalsAndEnrolmentsNeverLetAnyoneOvertake() throws {
    let fixture = try AttendanceFixture(participants: 0, capacity: 3)
    defer { fixture.database.drop() }
    let db = try fixture.database.database().connect()
    let people = try Fixtures.participants(db, count: 40, prefix: "Andrang")
    let database = try fixture.database.database()
    nonisolated(unsafe) var unexpected: [String] = []
    let lock = NSLock()
    DispatchQueue.concurrentPerform(iterations: 4) { worker in
      do {
        let connection = try database.connect()
        let enrolments = EnrolmentStore(connection)
        for (index, person) in people.enumerated() where index % 4 == worker {
          _ = try enrolments.enrol(courseCode: AttendanceFixture.course, participant: person, modules: nil)
          switch index % 5 {
          case 1:
            // Refused (correctly) when the cohort has more enrolled by now.
            do {
              _ = try CourseStore(connection).update(code: AttendanceFixture.course, CourseChange(capacity: 3 + index / 3))
            } catch StoreError.conflict(_) {}
          case 2:
            // Withdraw someone earlier (enrolled or waiting), if still there.
            let earlier = people[index / 2]
            _ = try? enrolments.withdraw(courseCode: AttendanceFixture.course, participant: earlier, reason: "abgesagt")
          case 3:
            // psql's way: a capacity change by a plain UPDATE.
            try connection.execute("UPDATE course SET capacity = capacity + 1 WHERE code = \(AttendanceFixture.course)")
          default: break
          }
        }
      } catch {
        lock.lock()
        unexpected.append("\(error)")
        lock.unlock()
      }
    }
    #expect(unexpected.isEmpty, "\(unexpected)")
    // Nobody holds a place given after an earlier arrival began to wait, nobody waits while a
    // place is free, and the seat counter agrees with the enrolments.
    let overtaken = try Self.count(
      db,
      """
      SELECT count(*)::integer AS n FROM enrolment w JOIN enrolment e ON e.course_id = w.course_id AND e.status = 'enrolled'
      WHERE w.status = 'waiting' AND e.requested_at > w.requested_at AND e.enrolled_at > w.requested_at
      """)
    #expect(overtaken == 0)
    let state = try #require(
      try db.queryOne(
        """
        SELECT c.capacity, c.seats_taken, (SELECT count(*)::integer FROM enrolment e WHERE e.course_id = c.id AND e.status = 'enrolled') AS enrolled,
               (SELECT count(*)::integer FROM enrolment e WHERE e.course_id = c.id AND e.status = 'waiting') AS waiting
        FROM course c WHERE c.code = \(AttendanceFixture.course)
        """))
    let capacity: Int = try state.decode("capacity")
    let enrolled: Int = try state.decode("enrolled")
    let waiting: Int = try state.decode("waiting")
    #expect(try state.decode("seats_taken", as: Int.self) == enrolled)
    #expect(waiting == 0 || enrolled == capacity, "\(waiting) wait while \(capacity - enrolled) places are free")
  }

  // MARK: 3. Re-enrolment in the same cohort

  @Test func attendanceCountsOnceWhateverTheEnrolmentHistory() throws {
    let fixture = try AttendanceFixture(participants: 1)
    defer { fixture.database.drop() }
    let db = try fixture.database.database().connect()
    let person = fixture.participants[0]
    _ = try EnrolmentStore(db).withdraw(courseCode: AttendanceFixture.course, participant: person, reason: "Dienstreise")
    _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: person, modules: nil)
    try fixture.record(fixture.module1[0], person, .present)
    let progress = try ParticipantStore(db).progress(person)
    let module1 = try #require(progress.first { $0.module == 1 })
    #expect(module1.attendedUE == 8)
    #expect(module1.plannedUE == 32)
    #expect(progress.filter { $0.module == 1 }.count == 1)
    #expect(
      try Self.count(
        db, "SELECT count(*)::integer AS n FROM module_attendance WHERE participant_id = \(person.rawValue) AND module_number = 1"
      ) == 1)
    let show = try Beccaria.run(["participant", "show", String(person.rawValue)], database: fixture.database)
    #expect(show.stdout.contains("8/32 UE"), "\(show.stdout)")
    #expect(!show.stdout.contains("16/"))
  }

  // MARK: 4. Erased people on the waiting list

  @Test func erasureEndsWaitingPlacesAndPromotionSkipsTheErased() throws {
    let fixture = try AttendanceFixture(participants: 1, capacity: 1)
    defer { fixture.database.drop() }
    let db = try fixture.database.database().connect()
    let people = try Fixtures.participants(db, count: 2, prefix: "Warte")
    for person in people {
      _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: person, modules: nil)
    }
    let erase = try Beccaria.run(
      ["participant", "erase", "--yes", String(people[0].rawValue), "--reason", "Antrag vom 20.11.2026"],
      database: fixture.database)
    #expect(erase.status == 0, "\(erase.stderr)")
    #expect(erase.stdout.contains("BQ-SN-2026-1"), "\(erase.stdout)")
    #expect(
      try db.queryOne("SELECT status FROM enrolment WHERE participant_id = \(people[0].rawValue)")?.decode(
        "status", as: String.self)
        == "withdrawn")
    let withdrawal = try EnrolmentStore(db).withdraw(
      courseCode: AttendanceFixture.course, participant: fixture.participants[0], reason: "Krankheit")
    #expect(withdrawal.promoted?.id == people[1])
    // Erasing an enrolled person hands the place on too.
    let next = try Fixtures.participants(db, count: 1, prefix: "Nach")[0]
    _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: next, modules: nil)
    let outcome = try DataProtection(db).erase(people[1], reason: "Antrag")
    #expect(outcome.promoted.map(\.participant) == [next.rawValue], "\(outcome.promoted)")
  }

  // MARK: 5. Verification of a chain whose end is revoked

  @Test func theOriginalOfARevokedReplacementSaysNoValidCertificateExists() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    let original = try #require(try cohort.run().issued.first?.serial)
    let person = String(cohort.people[0].rawValue)
    #expect(
      try Beccaria.run(
        ["participant", "rename", person, "--family-name", "Neumann", "--reason", "Heirat"], database: cohort.database
      ).status == 0)
    let reissue = try Beccaria.run(
      ["certificate", "reissue", original, "--reason", "Namensänderung"], database: cohort.database,
      environment: cohort.environment)
    #expect(reissue.status == 0, "\(reissue.stderr)")
    let replacement = try #require(
      try cohort.connection.queryOne("SELECT serial FROM certificate WHERE serial <> \(original)")?.decode(
        "serial", as: String.self))
    #expect(
      try Beccaria.run(["certificate", "revoke", "--yes", replacement, "--reason", "Plagiat"], database: cohort.database).status
        == 0)
    let verify = try Beccaria.run(["certificate", "verify", original], database: cohort.database)
    #expect(
      verify.stdout.contains(
        "was replaced by \(replacement), which was revoked on \(CalendarDate.today()): Plagiat; no valid certificate exists"),
      "\(verify.stdout)")
    #expect(!verify.stdout.contains("the current one is"))
  }

  // MARK: 6. After a revocation, a new certificate only when the office reopens

  @Test func aRevokedCertificateIsReplacedOnlyAfterTheOfficeReopensIt() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    let revoked = try #require(try cohort.run().issued.first?.serial)
    let person = cohort.people[0]
    #expect(
      try Beccaria.run(["certificate", "revoke", "--yes", revoked, "--reason", "Plagiat"], database: cohort.database).status == 0)
    let project = try Beccaria.run(
      ["assessment", "record", "--participant", String(person.rawValue), "--result", "passed", "--title", "Neues Projekt"],
      database: cohort.database)
    #expect(project.status == 0, "\(project.stderr)")
    // Nothing is issued, and both the dry run and participant show say why.
    let dryRun = try Beccaria.run(
      ["certificate", "run", "--dry-run"], database: cohort.database, environment: cohort.environment)
    #expect(dryRun.stdout.contains("Held back: participant \(person): zertifikat would be due"), "\(dryRun.stdout)")
    #expect(dryRun.stdout.contains("the revoked certificate \(revoked) blocks it: beccaria certificate reopen \(revoked)"))
    #expect(try cohort.run().issued.isEmpty)
    let show = try Beccaria.run(["participant", "show", String(person.rawValue)], database: cohort.database)
    #expect(show.stdout.contains("held back: zertifikat would be due"), "\(show.stdout)")
    let reissue = try Beccaria.run(
      ["certificate", "reissue", revoked, "--reason", "neu"], database: cohort.database, environment: cohort.environment)
    #expect(reissue.status == 1)
    #expect(reissue.stderr.contains("beccaria certificate reopen \(revoked) --reason"), "\(reissue.stderr)")
    // Reopening is the office's audited decision, through its function only.
    let planted = Self.refusal {
      try cohort.connection.execute(
        "INSERT INTO certificate_reopening (certificate_id, participant_id, reason) SELECT id, participant_id, 'x' FROM certificate"
      )
    }
    #expect(planted?.sqlState == "42501")
    let reopen = try Beccaria.run(
      ["certificate", "reopen", revoked, "--reason", "Neue Projektarbeit bestanden"], database: cohort.database)
    #expect(reopen.status == 0, "\(reopen.stderr)")
    #expect(reopen.stdout.contains("it stays revoked"))
    let again = try Beccaria.run(["certificate", "reopen", revoked, "--reason", "nochmal"], database: cohort.database)
    #expect(again.status == 1)
    #expect(again.stderr.contains("was reopened on \(CalendarDate.today()) already"), "\(again.stderr)")
    let next = try cohort.run()
    #expect(next.issued.map(\.kind) == [.zertifikat])
    let fresh = try #require(next.issued.first?.serial)
    #expect(fresh != revoked)
    let verify = try Beccaria.run(["certificate", "verify", revoked], database: cohort.database)
    #expect(verify.status == 3, "\(verify.stdout)")
    #expect(
      try Self.count(
        cohort.connection,
        "SELECT count(*)::integer AS n FROM audit_log WHERE table_name = 'certificate_reopening' AND reason = 'Neue Projektarbeit bestanden'"
      )
        == 1)
    // A valid certificate is not reopened.
    let valid = try Beccaria.run(["certificate", "reopen", fresh, "--reason", "x"], database: cohort.database)
    #expect(valid.status == 1)
    #expect(valid.stderr.contains("only a revoked certificate is reopened"))
  }

  // MARK: 7. A batch in which every certificate fails

  @Test func aBatchInWhichEveryCertificateFailsIsRecordedPerCertificate() throws {
    let cohort = try CertifiedCohort(count: 4)
    defer { cohort.database.drop() }
    struct Broken: Error, CustomStringConvertible {
      var name: String
      var description: String { "no font for \(name)" }
    }
    let run = try cohort.run(workers: 2, renderer: { snapshot in throw Broken(name: snapshot.holderName) })
    #expect(run.issued.isEmpty)
    #expect(run.failures.count == 4)
    let markers = try cohort.connection.query(
      "SELECT participant_id, attempts, last_error FROM certificate_due ORDER BY participant_id")
    #expect(markers.count == 4)
    for (marker, person) in zip(markers, cohort.people) {
      #expect(try marker.decode("participant_id", as: Int64.self) == person.rawValue)
      #expect(try marker.decode("attempts", as: Int.self) == 1)
      let error: String = try marker.decode("last_error")
      #expect(error.contains("participant \(person): zertifikat: no font for Test Person"), "\(error)")
      #expect(error.split(separator: "\n").count == 1)
    }
    let recorded = try #require(
      try cohort.connection.queryOne(
        "SELECT status, issued, failed, (SELECT count(*)::integer FROM certificate c WHERE c.run_id = r.id) AS stored FROM certificate_run r ORDER BY id DESC LIMIT 1"
      ))
    #expect(try recorded.decode("status", as: String.self) == "failed")
    #expect(try recorded.decode("failed", as: Int.self) == 4)
    #expect(try recorded.decode("issued", as: Int.self) == (try recorded.decode("stored", as: Int.self)))
    // The next run issues them all, its counts matching the register.
    let next = try cohort.run(workers: 2)
    #expect(next.issued.count == 4)
    #expect(
      try Self.count(
        cohort.connection,
        "SELECT count(*)::integer AS n FROM certificate_run r WHERE r.issued <> (SELECT count(*) FROM certificate c WHERE c.run_id = r.id)"
      )
        == 0)
    try cohort.expectGapless(4)
  }

  // MARK: 8. Imports and adds leave alone what they were not given

  @Test func municipalityImportAndAddKeepWhatTheyAreNotGiven() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let db = try database.database().connect()
    try Fixtures.programmeAndMunicipalities(db)
    let add = try Beccaria.run(
      ["municipality", "add", "--ags", "14612000", "--name", "Dresden", "--district", "Dresden", "--member-since", "2020-03-01"],
      database: database)
    #expect(add.stdout.contains("Updated 14612000 Dresden: ASSKomm member since – → 2020-03-01"), "\(add.stdout)")
    let file = FileManager.default.temporaryDirectory.appending(path: "kommunen-\(UUID().uuidString).csv")
    defer { try? FileManager.default.removeItem(at: file) }
    try Data("ags;name;district\n14612000;Dresden;Dresden, Stadt\n14625020;Bautzen;Bautzen\n".utf8).write(to: file)
    let imported = try Beccaria.run(["municipality", "import", file.path], database: database)
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stdout.contains("0 new, 1 updated, 1 unchanged"), "\(imported.stdout)")
    #expect(imported.stdout.contains("updated 14612000 Dresden: district \"Dresden\" → \"Dresden, Stadt\""))
    #expect(imported.stdout.contains("stored membership dates were kept"))
    let renamed = try Beccaria.run(["municipality", "add", "--ags", "14612000", "--name", "Dresden"], database: database)
    #expect(renamed.stdout.contains("Unchanged: Dresden (14612000)"), "\(renamed.stdout)")
    let row = try #require(
      try db.queryOne("SELECT district, asskomm_member_since::text AS since FROM municipality WHERE ags = '14612000'"))
    #expect(try row.decode("district", as: String.self) == "Dresden, Stadt")
    #expect(try row.decode("since", as: String.self) == "2020-03-01")
  }

  // MARK: 9. Corrections after issue

  @Test func aCorrectionAfterIssueNamesTheCertificateAndTheReviewListsIt() throws {
    let cohort = try CertifiedCohort(count: 2)
    defer { cohort.database.drop() }
    let issued = try cohort.run().issued
    let (person, other) = (cohort.people[0], cohort.people[1])
    let serial = try #require(issued.first { $0.participantID == person }?.serial)
    let session = try #require(
      try cohort.connection.queryOne("SELECT id FROM session WHERE module_number = 1")?.decode("id", as: Int64.self))
    let correct = try Beccaria.run(
      [
        "attendance", "record", "--session", String(session), "--participant", String(person.rawValue), "--status", "absent",
        "--reason", "Liste verwechselt",
      ], database: cohort.database)
    #expect(correct.status == 0, "\(correct.stderr)")
    #expect(correct.stdout.contains("present, 8 UE → absent, 0 UE"))
    #expect(
      correct.stderr.contains("Warning: participant \(person) holds \(serial) (issued \(CalendarDate.today()))"),
      "\(correct.stderr)")
    let review = try Beccaria.run(["report", "review", "--format", "csv"], database: cohort.database)
    #expect(review.status == 0, "\(review.stderr)")
    let lines = review.stdout.split(whereSeparator: \.isNewline)
    #expect(lines.count == 2, "\(review.stdout)")
    #expect(lines.last?.contains(serial) == true)
    #expect(lines.last?.contains("attendance \(CalendarDate.today().description)") == true, "\(review.stdout)")
    #expect(
      lines.last?.contains("no longer met: module 1: the attendance threshold is no longer met") == true, "\(review.stdout)")
    #expect(!review.stdout.contains("Test Person1"))
    let assessment = try Beccaria.run(
      ["assessment", "record", "--participant", String(other.rawValue), "--result", "failed", "--kind", "colloquium"],
      database: cohort.database)
    #expect(assessment.stderr.contains("Warning: participant \(other) already holds"), "\(assessment.stderr)")
    // The project result a Zertifikat rests on does not silently become another.
    for change in [
      "UPDATE assessment SET result = 'failed'", "DELETE FROM assessment",
      "UPDATE assessment SET recorded_at = now() - interval '1 year'",
    ] {
      let error = Self.refusal { try cohort.connection.execute("\(unsafeRaw: change) WHERE participant_id = \(person.rawValue)") }
      #expect(error?.message.contains("is kept as recorded") == true, "\(change): \(error?.message ?? "went through")")
    }
    let both = try CertificateReview(cohort.connection).list()
    #expect(Set(both.map(\.participantID)) == [person, other])
    #expect(both.first { $0.participantID == other }?.changes.map(\.kind) == ["assessment"])
    #expect(both.first { $0.participantID == other }.map { $0.noLongerMet == nil } == true)
  }

  // MARK: 10. Export after an erasure

  @Test func anExportSkipsAndNamesTheCertificatesOfErasedHolders() throws {
    let cohort = try CertifiedCohort(count: 3)
    defer { cohort.database.drop() }
    let issued = try cohort.run().issued
    let erased = try #require(issued.first { $0.participantID == cohort.people[0] }?.serial)
    _ = try DataProtection(cohort.connection).erase(cohort.people[0], reason: "Antrag")
    let folder = FileManager.default.temporaryDirectory.appending(path: "export-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let export = try Beccaria.run(["certificate", "export", "--output", folder.path], database: cohort.database)
    #expect(export.status == 0, "\(export.stderr)")
    #expect((export.stdout + export.stderr).contains(erased))
    let files = try FileManager.default.contentsOfDirectory(
      atPath: folder.appending(path: String(CalendarDate.today().year)).path)
    #expect(files.count == 2)
    #expect(!files.contains("\(erased).pdf"))
  }

  // MARK: 11. at-risk with unrecorded past sessions

  @Test func pastSessionsWithoutARecordAreNamedAndNeverCountedAsReachable() throws {
    let fixture = try AttendanceFixture(participants: 1)
    defer { fixture.database.drop() }
    // Module 1's four sessions are past; one is recorded.
    try fixture.record(fixture.module1[0], fixture.participants[0], .present)
    let report = try Beccaria.run(["report", "at-risk", "--course", AttendanceFixture.course], database: fixture.database)
    #expect(report.status == 0, "\(report.stderr)")
    #expect(
      report.stdout.contains(
        "cannot pass module 1 in this cohort: needs 26 UE of 32, at most 8 reachable; 3 past sessions (24 UE) without a record, counted as not attended: record them"
      ), "\(report.stdout)")
    let standing = ModuleStanding(
      plannedUE: 32, attendedUE: 8, openUE: 24, largestOpenSession: 0, threshold: Decimal(string: "0.8")!, pastUnrecordedUE: 24,
      pastUnrecordedSessions: 3)
    #expect(standing.reachableUE == 8)
    #expect(standing.risk == .cannotPass)
  }

  // MARK: 12. Smaller ones

  @Test func rosterLabelsNotesCorrectionsTransfersWarningsAndUESteps() throws {
    let fixture = try AttendanceFixture(participants: 2)
    defer { fixture.database.drop() }
    let db = try fixture.database.database().connect()
    let run = { (arguments: [String]) in try Beccaria.run(arguments, database: fixture.database) }
    // A single module booked without another cohort is no make-up; with one, it is.
    let single = try Fixtures.participants(db, count: 1, prefix: "Einzel")[0]
    _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: single, modules: [1])
    try Fixtures.course(db, code: "BQ-SN-2025-9", starts: "2025-01-11")
    let makeUp = try Fixtures.participants(db, count: 1, prefix: "Nachhol")[0]
    _ = try EnrolmentStore(db).enrol(courseCode: "BQ-SN-2025-9", participant: makeUp, modules: nil)
    _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: makeUp, modules: [1])
    let roster = try AttendanceStore(db).roster(fixture.module1[0])
    let singleEntry = try #require(roster.first { $0.participantID == single })
    let makeUpEntry = try #require(roster.first { $0.participantID == makeUp })
    #expect(singleEntry.singleModules && !singleEntry.makeUp)
    #expect(makeUpEntry.singleModules && makeUpEntry.makeUp)
    let printed = try run(["attendance", "roster", "--session", String(fixture.module1[0].rawValue)])
    #expect(printed.stdout.split(separator: "\n").contains { $0.contains("Einzel0") && $0.contains("single module") })
    #expect(printed.stdout.split(separator: "\n").contains { $0.contains("Nachhol0") && $0.contains("make-up") })
    // A note on an unchanged record is kept; a correction names the new UE.
    let session = String(fixture.module1[0].rawValue)
    let person = String(fixture.participants[0].rawValue)
    #expect(try run(["attendance", "record", "--session", session, "--participant", person, "--status", "present"]).status == 0)
    let noted = try run(
      ["attendance", "record", "--session", session, "--participant", person, "--status", "present", "--note", "kam mit Bahn"])
    #expect(noted.stdout.contains("the note was saved"), "\(noted.stdout)")
    #expect(
      try db.queryOne(
        "SELECT note FROM attendance WHERE session_id = \(fixture.module1[0].rawValue) AND participant_id = \(fixture.participants[0].rawValue)"
      )?.decode("note", as: String.self) == "kam mit Bahn")
    let corrected = try run(
      [
        "attendance", "record", "--session", session, "--participant", person, "--status", "late", "--ue", "6.5", "--reason",
        "Zug",
      ])
    #expect(corrected.stdout.contains("present, 8 UE → late, 6.5 UE"), "\(corrected.stdout)")
    // The last correction's reason does not carry over to the next change by psql.
    let reused = Self.refusal {
      try db.execute(
        "UPDATE attendance SET status = 'absent', ue_attended = 0 WHERE session_id = \(fixture.module1[0].rawValue) AND participant_id = \(fixture.participants[0].rawValue)"
      )
    }
    #expect(reused?.constraint == "attendance_correction_has_reason")
    // UE in half steps.
    let odd = try run(
      [
        "attendance", "record", "--session", session, "--participant", String(fixture.participants[1].rawValue), "--status",
        "late",
        "--ue", "6.3",
      ])
    #expect(odd.status != 0)
    #expect(odd.stderr.contains("half steps"), "\(odd.stderr)")
    let psqlOdd = Self.refusal {
      try db.execute(
        "INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (\(fixture.module1[1].rawValue), \(fixture.participants[1].rawValue), 'late', 6.25)"
      )
    }
    #expect(psqlOdd?.constraint == "attendance_ue_half_steps")
    // A transfer says who moved up; an enrolment in a second running cohort is named.
    try Fixtures.course(db, code: "BQ-SN-2026-2", capacity: 1)
    let full = try Fixtures.participants(db, count: 1, prefix: "Voll")[0]
    _ = try EnrolmentStore(db).enrol(courseCode: "BQ-SN-2026-2", participant: full, modules: nil)
    let waiting = try Fixtures.participants(db, count: 1, prefix: "Wartend")[0]
    _ = try EnrolmentStore(db).enrol(courseCode: "BQ-SN-2026-2", participant: waiting, modules: nil)
    try Fixtures.course(db, code: "BQ-SN-2026-3")
    let transfer = try run(
      [
        "enrolment", "transfer", "--participant", String(full.rawValue), "--from", "BQ-SN-2026-2", "--to", "BQ-SN-2026-3",
        "--reason",
        "Termine",
      ])
    #expect(transfer.status == 0, "\(transfer.stderr)")
    #expect(
      transfer.stdout.contains("Moved up from the waiting list of BQ-SN-2026-2: Test Wartend0 (\(waiting))"), "\(transfer.stdout)"
    )
    let second = try run(["enrolment", "add", "--course", "BQ-SN-2026-3", "--participant", person])
    #expect(second.status == 0, "\(second.stderr)")
    #expect(
      second.stderr.contains("Warning: participant \(person) is also enrolled in cohort BQ-SN-2026-1 (open)"), "\(second.stderr)")
  }

  @Test func enrollingSomeoneCertifiedAlreadyIsNamed() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    let serial = try #require(try cohort.run().issued.first?.serial)
    try Fixtures.course(cohort.connection, code: "BQ-SN-2027-1", starts: "2026-01-10")
    let again = try Beccaria.run(
      ["enrolment", "add", "--course", "BQ-SN-2027-1", "--participant", String(cohort.people[0].rawValue)],
      database: cohort.database)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(
      again.stderr.contains("Warning: participant \(cohort.people[0]) already holds the Zertifikat of this programme (\(serial)"),
      "\(again.stderr)")
  }

  // MARK: Derived and workflow columns, and history, are the database's

  @Test func seatsQueueAndTimesCannotBeWrittenAndErasedPeopleNotEnrolled() throws {
    let fixture = try AttendanceFixture(participants: 1, capacity: 1)
    defer { fixture.database.drop() }
    let db = try fixture.database.database().connect()
    let people = try Fixtures.participants(db, count: 3, prefix: "Warte")
    for person in people.prefix(2) {
      _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: person, modules: nil)
    }
    let seats = Self.refusal { try db.execute("UPDATE course SET seats_taken = 0 WHERE code = \(AttendanceFixture.course)") }
    #expect(seats?.message.contains("counted from its enrolments") == true, "\(seats?.message ?? "went through")")
    let queue = Self.refusal {
      try db.execute("UPDATE enrolment SET queue_number = 1 WHERE participant_id = \(people[1].rawValue)")
    }
    #expect(queue?.message.contains("are the database's") == true)
    let asked = Self.refusal {
      try db.execute("UPDATE enrolment SET requested_at = now() - interval '1 year' WHERE participant_id = \(people[1].rawValue)")
    }
    #expect(asked?.sqlState == "42501")
    // A newcomer's queue number and time are the database's, whatever the INSERT says.
    try db.execute(
      """
      INSERT INTO enrolment (course_id, programme_version_id, participant_id, scope, status, queue_number, requested_at)
      SELECT id, programme_version_id, \(people[2].rawValue), 'programme', 'waiting', 0, now() - interval '1 year'
      FROM course WHERE code = \(AttendanceFixture.course)
      """)
    let order = try db.query(
      "SELECT participant_id FROM enrolment WHERE status = 'waiting' ORDER BY queue_number"
    ).map { ParticipantID(try $0.decode("participant_id", as: Int64.self)) }
    #expect(order == [people[0], people[1], people[2]])
    // Nobody enrols an erased person, by any client.
    let erased = try Fixtures.participants(db, count: 1, prefix: "Weg")[0]
    _ = try DataProtection(db).erase(erased, reason: "Antrag")
    let enrolErased = Self.refusal {
      try db.execute(
        """
        INSERT INTO enrolment (course_id, programme_version_id, participant_id, scope, status)
        SELECT id, programme_version_id, \(erased.rawValue), 'programme', 'waiting' FROM course WHERE code = \(AttendanceFixture.course)
        """)
    }
    #expect(enrolErased?.constraint == "enrolment_not_erased")
  }

  @Test func attendanceIsNotDeletedExceptByTheRetentionPeriodAndBookingsNotSwappedUnderIt() throws {
    let fixture = try AttendanceFixture(participants: 1)
    defer { fixture.database.drop() }
    let db = try fixture.database.database().connect()
    let person = fixture.participants[0]
    try fixture.record(fixture.module1[0], person, .present)
    // A DELETE and INSERT would be a correction without a reason.
    let deleted = Self.refusal { try db.execute("DELETE FROM attendance WHERE participant_id = \(person.rawValue)") }
    #expect(
      deleted?.message.contains("is kept; correct it with a reason instead") == true, "\(deleted?.message ?? "went through")")
    // A module swapped in a booking under a record.
    let single = try Fixtures.participants(db, count: 1, prefix: "Einzel")[0]
    _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: single, modules: [2])
    try fixture.record(fixture.module2[0], single, .present)
    let swapped = Self.refusal {
      try db.execute(
        "UPDATE enrolment_module SET module_number = 1 WHERE enrolment_id = (SELECT id FROM enrolment WHERE participant_id = \(single.rawValue))"
      )
    }
    #expect(swapped?.constraint == "enrolment_keeps_attendance")
    // Records of a cohort that ended longer ago than the retention period do go.
    try db.execute("UPDATE retention_policy SET attendance_detail_years = 1")
    try db.execute("UPDATE course SET status = 'ended' WHERE code = \(AttendanceFixture.course)")
    let recent = Self.refusal { try db.execute("DELETE FROM attendance WHERE participant_id = \(person.rawValue)") }
    #expect(recent?.sqlState == "42501")
  }

  @Test func aCohortThatEndsClosesItsWaitingListAndOneOpenedAgainFillsItsPlaces() throws {
    let fixture = try AttendanceFixture(participants: 1, capacity: 1)
    defer { fixture.database.drop() }
    let db = try fixture.database.database().connect()
    let waiting = try Fixtures.participants(db, count: 1, prefix: "Warte")[0]
    _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: waiting, modules: nil)
    try db.execute("UPDATE course SET status = 'ended' WHERE code = \(AttendanceFixture.course)")
    let closed = try #require(
      try db.queryOne("SELECT status, end_reason FROM enrolment WHERE participant_id = \(waiting.rawValue)"))
    #expect(try closed.decode("status", as: String.self) == "withdrawn")
    #expect(try closed.decode("end_reason", as: String.self) == "Durchgang beendet, kein Platz frei geworden")
    // Opened again with more places: nobody is left waiting while places are free.
    try db.execute("UPDATE course SET status = 'open', capacity = 3 WHERE code = \(AttendanceFixture.course)")
    let newcomer = try Fixtures.participants(db, count: 1, prefix: "Neu")[0]
    guard case .enrolled = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: newcomer, modules: nil)
    else {
      Issue.record("a newcomer waits in a cohort with free places")
      return
    }
  }

  @Test func aPromotionIntoACohortWithoutSessionsDoesNotStopTheRun() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    try Fixtures.course(cohort.connection, code: "BQ-SN-2027-2", capacity: 1)
    let people = try Fixtures.participants(cohort.connection, count: 2, prefix: "Neu")
    for person in people {
      _ = try EnrolmentStore(cohort.connection).enrol(courseCode: "BQ-SN-2027-2", participant: person, modules: nil)
    }
    _ = try EnrolmentStore(cohort.connection).withdraw(courseCode: "BQ-SN-2027-2", participant: people[0], reason: "abgesagt")
    let dryRun = try Beccaria.run(
      ["certificate", "run", "--dry-run"], database: cohort.database, environment: cohort.environment)
    #expect(dryRun.status == 0, "\(dryRun.stderr)")
    #expect(dryRun.stdout.contains("Dry run: 1 certificate would be issued"), "\(dryRun.stdout)")
    let show = try Beccaria.run(["participant", "show", String(people[1].rawValue)], database: cohort.database)
    #expect(show.status == 0, "\(show.stderr)")
    #expect(try cohort.run().issued.count == 1)
  }

  @Test func aRevokedCertificateBlocksANewOneInTheDatabaseToo() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    let revoked = try #require(try cohort.run().issued.first?.serial)
    try CertificateRevision(cohort.connection).revoke(serial: revoked, reason: "Plagiat")
    let person = cohort.people[0].rawValue
    let planted = Self.refusal {
      try cohort.connection.transaction { tx in
        let number: Int = try tx.queryOne("SELECT certificate_take_serials(1) AS n")?.decode("n") ?? 0
        let serial = SerialNumber.make(year: CalendarDate.today().year, number: number)
        try tx.execute(
          """
          INSERT INTO certificate (serial, kind, participant_id, programme_id, programme_version_id, completed_on, pdf,
                                   pdf_sha256, snapshot, key_id, signature)
          VALUES (\(serial), 'zertifikat', \(person), 1, 1, beccaria_today(),
                  convert_to('%PDF- /Keywords (' || \(serial) || ' https://example.org/p?c=BQ1.e30.' || repeat('B', 86) || ')', 'UTF8'),
                  encode(sha256(\(serial)::bytea), 'hex'),
                  jsonb_build_object('serial', \(serial), 'keyID', \(cohort.signer.keyID),
                                     'qrPayload', 'https://example.org/p?c=BQ1.e30.' || repeat('B', 86)),
                  \(cohort.signer.keyID), repeat('B', 86))
          """)
      }
    }
    #expect(planted?.constraint == "certificate_not_blocked", "\(planted?.message ?? "went through")")
  }

  @Test func theReviewSeesAChangedPlanAndTheRulesAsTheyStandToday() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    let serial = try #require(try cohort.run().issued.first?.serial)
    // Two more module-4 sessions, past: 8 of 24 planned UE attended now.
    let today = CalendarDate.today()
    _ = try SessionStore(cohort.connection).add(
      (1...2).map {
        NewSession(
          courseCode: CertifiedCohort.course, module: 4, day: today.adding(days: -$0), start: 540, end: 945, ue: 8, location: nil,
          trainerEmails: [])
      })
    let review = try CertificateReview(cohort.connection).list()
    #expect(review.map(\.serial) == [serial])
    #expect(review.first?.changes.map(\.kind) == ["plan"])
    #expect(review.first?.noLongerMet == "module 4: the attendance threshold is no longer met")
  }

  // MARK: What the new user's week found

  @Test func assessmentsNameOnlyTheParticipantsOwnCohorts() throws {
    let fixture = try AttendanceFixture(participants: 1)
    defer { fixture.database.drop() }
    try Fixtures.course(fixture.connection, code: "BQ-SN-2027-1")
    let elsewhere = try Beccaria.run(
      [
        "assessment", "record", "--participant", String(fixture.participants[0].rawValue), "--result", "passed", "--course",
        "BQ-SN-2027-1",
      ], database: fixture.database)
    #expect(elsewhere.status == 1)
    #expect(elsewhere.stderr.contains("was not enrolled in that cohort"), "\(elsewhere.stderr)")
    let own = try Beccaria.run(
      [
        "assessment", "record", "--participant", String(fixture.participants[0].rawValue), "--result", "passed", "--course",
        AttendanceFixture.course,
      ], database: fixture.database)
    #expect(own.status == 0, "\(own.stderr)")
  }

  @Test func aTransferredParticipantGetsNoTeilnahmebescheinigungWhileTheLaterCohortRuns() throws {
    let fixture = try AttendanceFixture(participants: 1)
    defer { fixture.database.drop() }
    let db = fixture.connection
    let person = fixture.participants[0]
    for session in fixture.module1 { try fixture.record(session, person, .present) }
    // Module 2's sessions to come are cancelled.
    for session in fixture.module2.suffix(2) { _ = try SessionStore(db).cancel(session, reason: "abgesagt") }
    for session in fixture.module2.prefix(2) { try fixture.record(session, person, .absent) }
    // Modules 3 and 4 are not planned: the cohort runs on until its last day, set to yesterday.
    #expect(try db.queryOne("SELECT course_end_finished() AS n")?.decode("n", as: Int.self) == 0)
    _ = try CourseStore(db).update(code: AttendanceFixture.course, CourseChange(endsOn: CalendarDate.today().adding(days: -1)))
    func planned() throws -> String {
      try Beccaria.run(["certificate", "run", "--dry-run"], database: fixture.database).stdout
    }
    #expect(try planned().contains("teilnahmebescheinigung module 1"))
    try Fixtures.course(db, code: "BQ-SN-2027-1")
    _ = try SessionStore(db).add([
      NewSession(
        courseCode: "BQ-SN-2027-1", module: 2, day: CalendarDate.today().adding(days: 20), start: 540, end: 945, ue: 8,
        location: nil, trainerEmails: [])
    ])
    let transfer = try Beccaria.run(
      [
        "enrolment", "transfer", "--participant", String(person.rawValue), "--from", AttendanceFixture.course, "--to",
        "BQ-SN-2027-1",
        "--reason", "Nachholen",
      ], database: fixture.database)
    #expect(transfer.status == 0, "\(transfer.stderr)")
    #expect(transfer.stderr.contains("BQ-SN-2027-1 plans no session for module 3, 4 yet"), "\(transfer.stderr)")
    #expect(!(try planned()).contains("teilnahmebescheinigung"))
  }

  @Test func erasedPeopleLeaveTheEarlyWarningAndPartialPresenceShowsAsPartial() throws {
    let fixture = try AttendanceFixture(participants: 2)
    defer { fixture.database.drop() }
    let db = fixture.connection
    try db.execute("UPDATE course SET status = 'ended' WHERE code = \(AttendanceFixture.course)")
    _ = try DataProtection(db).erase(fixture.participants[1], reason: "Antrag")
    let report = try Beccaria.run(["report", "at-risk", "--course", AttendanceFixture.course], database: fixture.database)
    #expect(report.stdout.contains("Person0"), "\(report.stdout)")
    #expect(!report.stdout.contains("Gelöscht"))
    try fixture.record(fixture.module1[0], fixture.participants[0], .present, ue: 6)
    let matrix = try Beccaria.run(["attendance", "report", "--course", AttendanceFixture.course], database: fixture.database)
    #expect(
      matrix.stdout.split(separator: "\n").contains { $0.hasPrefix("Person0, Test") && $0.contains(" ½··· ") }, "\(matrix.stdout)"
    )
  }

  // MARK: The second attack round

  @Test func anEnrolmentStaysItsPersonsInItsCohortAndFutureAssessmentsAreRefused() throws {
    let fixture = try AttendanceFixture(participants: 2, capacity: 2)
    defer { fixture.database.drop() }
    let db = fixture.connection
    let stranger = try Fixtures.participants(db, count: 1, prefix: "Fremd")[0]
    try Fixtures.course(db, code: "BQ-SN-2026-2")
    for change in [
      "participant_id = \(stranger.rawValue)", "course_id = (SELECT id FROM course WHERE code = 'BQ-SN-2026-2')",
    ] {
      let error = Self.refusal {
        try db.execute("UPDATE enrolment SET \(unsafeRaw: change) WHERE participant_id = \(fixture.participants[0].rawValue)")
      }
      #expect(error?.message.contains("stays the enrolment of its participant in its cohort") == true, "\(change)")
    }
    // A mistaken enrolment nobody was recorded for may go; its place goes to the waiting list.
    let waiting = try Fixtures.participants(db, count: 1, prefix: "Warte")[0]
    _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: waiting, modules: nil)
    try db.execute("DELETE FROM enrolment WHERE participant_id = \(fixture.participants[1].rawValue)")
    #expect(
      try db.queryOne("SELECT status FROM enrolment WHERE participant_id = \(waiting.rawValue)")?.decode(
        "status", as: String.self)
        == "enrolled")
    // One that ended is history and stays.
    _ = try EnrolmentStore(db).withdraw(courseCode: AttendanceFixture.course, participant: waiting, reason: "Umzug")
    let history = Self.refusal { try db.execute("DELETE FROM enrolment WHERE participant_id = \(waiting.rawValue)") }
    #expect(history?.constraint == "enrolment_history_kept", "\(history?.message ?? "deleted")")
    let future = Self.refusal {
      try db.execute(
        "INSERT INTO assessment (participant_id, programme_id, result, assessed_on) VALUES (\(stranger.rawValue), 1, 'passed', '2030-08-01')"
      )
    }
    #expect(future?.constraint == "assessment_not_in_future")
  }

  @Test func aCohortIsOverOnItsLastDayOrWhenEveryModuleIsPlannedAndPast() throws {
    let fixture = try AttendanceFixture(participants: 1)
    defer { fixture.database.drop() }
    let db = fixture.connection
    for session in fixture.module2.suffix(2) { _ = try SessionStore(db).cancel(session, reason: "abgesagt") }
    // Every planned session is past, but modules 3 and 4 have none yet: the cohort runs on.
    #expect(try db.queryOne("SELECT course_end_finished() AS n")?.decode("n", as: Int.self) == 0)
    _ = try CourseStore(db).update(code: AttendanceFixture.course, CourseChange(endsOn: CalendarDate.today().adding(days: 30)))
    #expect(try db.queryOne("SELECT course_end_finished() AS n")?.decode("n", as: Int.self) == 0)
    _ = try CourseStore(db).update(code: AttendanceFixture.course, CourseChange(endsOn: CalendarDate.today().adding(days: -1)))
    #expect(try db.queryOne("SELECT course_end_finished() AS n")?.decode("n", as: Int.self) == 1)
  }

  @Test func aCohortWithoutALastDayIsOverOnlyWhenEachModulesSessionsAddUpToItsUE() throws {
    let fixture = try AttendanceFixture(participants: 1)
    defer { fixture.database.drop() }
    let db = fixture.connection
    let over = { try db.queryOne("SELECT course_over(id) AS o FROM course")?.decode("o", as: Bool.self) }
    for session in fixture.module2.suffix(2) { _ = try SessionStore(db).cancel(session, reason: "abgesagt") }
    // Modules 1 and 2: 32 UE each, four past sessions for module 1, two for module 2 (16 UE).
    // One past 8-UE session each for modules 3 and 4 is not "planned": the cohort runs on.
    let past = CalendarDate.today().adding(days: -30)
    _ = try SessionStore(db).add(
      [3, 4].map { module in
        NewSession(
          courseCode: AttendanceFixture.course, module: module, day: past.adding(days: module), start: 540, end: 945, ue: 8,
          location: nil, trainerEmails: [])
      })
    #expect(try over() == false)
    // Every module's sessions add up to its UE and the last is past: over.
    let moduleUE = try db.query("SELECT number, ue FROM programme_module ORDER BY number").map {
      (try $0.decode("number", as: Int.self), try $0.decode("ue", as: Int.self))
    }
    var day = past.adding(days: -40)
    for (module, ue) in moduleUE {
      let planned =
        try db.queryOne(
          "SELECT coalesce(sum(ue), 0)::integer AS n FROM session WHERE module_number = \(module)")?.decode("n", as: Int.self)
        ?? 0
      for _ in 0..<max(0, (ue - planned + 7) / 8) {
        day = day.adding(days: 1)
        _ = try SessionStore(db).add([
          NewSession(
            courseCode: AttendanceFixture.course, module: module, day: day, start: 540, end: 945, ue: 8, location: nil,
            trainerEmails: [])
        ])
      }
    }
    #expect(try over() == true)
  }

  @Test func nothingNewIsRecordedAboutAnErasedPersonNorDoTheyHoldAPlaceAgain() throws {
    let fixture = try AttendanceFixture(participants: 2, capacity: 2)
    defer { fixture.database.drop() }
    let db = fixture.connection
    let (erased, other) = (fixture.participants[0], fixture.participants[1])
    let waiting = try Fixtures.participants(db, count: 1, prefix: "Wartend")[0]
    _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: waiting, modules: nil)
    try db.execute("UPDATE course SET status = 'ended'")
    _ = try DataProtection(db).erase(erased, reason: "Antrag")
    // The ended cohort keeps the erased person's enrolment as history; nothing new attaches to them.
    let attendance = Self.refusal {
      try db.execute(
        "INSERT INTO attendance (session_id, participant_id, status, ue_attended, note) VALUES (\(fixture.module1[0].rawValue), \(erased.rawValue), 'present', 8, 'kam zu spät')"
      )
    }
    #expect(attendance?.constraint == "attendance_not_of_erased", "\(attendance?.message ?? "accepted")")
    let assessment = Self.refusal {
      try db.execute(
        "INSERT INTO assessment (participant_id, programme_id, result, assessed_on, title) VALUES (\(erased.rawValue), 1, 'passed', current_date - 1, 'Projekt')"
      )
    }
    #expect(assessment?.constraint == "assessment_not_of_erased", "\(assessment?.message ?? "accepted")")
    try db.execute(
      "INSERT INTO attendance (session_id, participant_id, status, ue_attended) VALUES (\(fixture.module1[0].rawValue), \(other.rawValue), 'present', 8)"
    )
    // Opened again, the cohort ends the erased person's enrolment; the waiting list was closed
    // when it ended, so the place stays free for the office to give.
    try db.execute("UPDATE course SET status = 'running'")
    let enrolments = try db.query("SELECT participant_id, status FROM enrolment ORDER BY participant_id").map {
      (try $0.decode("participant_id", as: Int64.self), try $0.decode("status", as: String.self))
    }
    #expect(enrolments.map(\.1) == ["withdrawn", "enrolled", "withdrawn"], "\(enrolments)")
    #expect(try db.queryOne("SELECT seats_taken FROM course")?.decode("seats_taken", as: Int.self) == 1)
  }

  @Test func aNoteIsNoChangeACertificateRestsOn() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    _ = try #require(try cohort.run().issued.first?.serial)
    try cohort.connection.execute(
      "UPDATE attendance SET note = 'hat Ausweis vergessen' WHERE participant_id = \(cohort.people[0].rawValue)")
    #expect(try CertificateReview(cohort.connection).list().isEmpty)
  }

  @Test func placesGivenOnByACapacityChangeOrAReopeningAreAuditedInOrder() throws {
    let fixture = try AttendanceFixture(participants: 1, capacity: 1)
    defer { fixture.database.drop() }
    let db = fixture.connection
    let waiting = try Fixtures.participants(db, count: 2, prefix: "Wartend")
    for person in waiting {
      _ = try EnrolmentStore(db).enrol(courseCode: AttendanceFixture.course, participant: person, modules: nil)
    }
    let update = try Beccaria.run(["course", "update", AttendanceFixture.course, "--capacity", "2"], database: fixture.database)
    #expect(update.status == 0, "\(update.stderr)")
    #expect(update.stdout.contains("Moved up from the waiting list"))
    try db.execute("UPDATE course SET status = 'ended'")
    try db.execute("UPDATE course SET status = 'running', capacity = 3")
    let verify = try Beccaria.run(["audit", "verify", "--all-tables"], database: fixture.database)
    #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    #expect(verify.stdout.contains("INTACT"), "\(verify.stdout)")
  }

  @Test func aReissueKeepsAReviewAndARoomChangeMakesNone() throws {
    let cohort = try CertifiedCohort(count: 1)
    defer { cohort.database.drop() }
    let serial = try #require(try cohort.run().issued.first?.serial)
    try cohort.connection.execute("UPDATE session SET location = 'Raum 2'")
    #expect(try CertificateReview(cohort.connection).list().isEmpty)
    let session = try #require(
      try cohort.connection.queryOne("SELECT id FROM session WHERE module_number = 1")?.decode("id", as: Int64.self))
    _ = try AttendanceStore(cohort.connection).record(
      session: SessionID(session), participant: cohort.people[0], status: .absent, ue: nil, reason: "Liste verwechselt", note: nil
    )
    #expect(try CertificateReview(cohort.connection).list().map(\.serial) == [serial])
    let reissue = try Beccaria.run(
      ["certificate", "reissue", serial, "--reason", "Tippfehler im Namen"], database: cohort.database,
      environment: cohort.environment)
    #expect(reissue.status == 0, "\(reissue.stderr)")
    #expect(
      reissue.stderr.contains("but the rules are no longer met (module 1: the attendance threshold is no longer met)"),
      "\(reissue.stderr)")
    let listed = try CertificateReview(cohort.connection).list()
    #expect(listed.count == 1)
    #expect(listed.first?.serial != serial)
    #expect(listed.first?.noLongerMet == "module 1: the attendance threshold is no longer met")
  }
}
