import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension AttendanceCommand {
  /// `beccaria attendance record`.
  struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "record",
      abstract: tr("Record (or correct) a participant's attendance at a session, or everyone's as present."),
      discussion: tr(
        """
        Name the person by --participant (the number the sign-in sheet prints under each name) \
        or by --row (the row of the sheet printed last for that session). present counts the \
        session's full UE unless --ue says less; late needs --ue; absent and excused mean 0 UE. \
        Recording again corrects the entry (the earlier value stays in the audit log); a \
        correction after the session's day needs --reason. --all-present records everyone not \
        yet recorded as present, and those given with --except as absent (record an excused one \
        with --status excused first).

        Example:
          beccaria attendance record --session 3 --participant 12 --status present
          beccaria attendance record --session 3 --row 7 --status late --ue 6
          beccaria attendance record --session 3 --all-present --except 14 --except 15
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Session number."), valueName: "id")) var session: SessionArgument
    @Option(help: ArgumentHelp(tr("Participant number."), valueName: "id")) var participant: ParticipantArgument?
    @Option(help: ArgumentHelp(tr("Row on the session's printed sign-in sheet."), valueName: "n")) var row: Int?
    @Flag(help: ArgumentHelp(tr("Record everyone on the roster not yet recorded as present, with the session's full UE.")))
    var allPresent = false
    @Option(
      help: ArgumentHelp(
        tr("With --all-present: a participant who was not there, recorded absent (repeatable)."), valueName: "id"))
    var except: [ParticipantArgument] = []
    @Option(help: ArgumentHelp(tr("present, late, excused or absent."), valueName: "status")) var status: String?
    @Option(help: ArgumentHelp(tr("UE actually attended (45 minutes each; in half steps, such as 6 or 6.5)."))) var ue: String?
    @Option(help: ArgumentHelp(tr("Why an entry is corrected after the session's day."))) var reason: String?
    @Option(help: ArgumentHelp(tr("A remark kept with the entry."))) var note: String?

    func validate() throws {
      if allPresent {
        if participant != nil || row != nil || status != nil || ue != nil {
          throw ValidationError(
            tr("--all-present records everyone as present: it takes no --participant, --row, --status or --ue."))
        }
      } else {
        if (participant == nil) == (row == nil) { throw ValidationError(tr("give --participant or --row (or --all-present).")) }
        if !except.isEmpty { throw ValidationError(tr("--except goes with --all-present.")) }
        guard let status else { throw ValidationError(tr("--status is required (present, late, excused or absent).")) }
        if AttendanceRule.status(status) == nil {
          throw ValidationError(tr("--status must be present, late, excused or absent (not \"%@\").", status))
        }
      }
      if let row, !(1...100_000).contains(row) { throw ValidationError(tr("--row must be a row of the sheet (1 or more).")) }
      if let ue, Self.decimal(ue) == nil {
        throw ValidationError(tr("--ue must be a number of UE such as 6 or 1.5 (not \"%@\").", ue))
      }
      if let reason, reason.trimmingCharacters(in: .whitespaces).isEmpty {
        throw ValidationError(tr("--reason must not be empty."))
      }
    }

    static func decimal(_ text: String) -> Decimal? {
      let normalised = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
      guard normalised.range(of: #"^[0-9]{1,3}(\.[0-9]{1,2})?$"#, options: .regularExpression) != nil else { return nil }
      return Decimal(string: normalised, locale: Locale(identifier: "en_US_POSIX"))
    }

    func run() throws {
      try reportingFailures {
        let connection = try global.connect()
        let store = AttendanceStore(connection)
        let session = SessionID(self.session.id)
        if allPresent {
          let outcome = try store.recordAllPresent(session, except: except.map(\.id), note: note)
          Self.report(outcome, session: session)
          return
        }
        guard let status = status.flatMap(AttendanceRule.status) else { return }
        let participant = try participant?.id ?? store.participant(onSheetOf: session, row: row ?? 0)
        let outcome = try store.record(
          session: session, participant: participant, status: status, ue: ue.flatMap(Self.decimal), reason: reason, note: note)
        let person = "\(try store.name(of: participant)) (\(participant))"
        let at = row.map { tr("at session %@ (row %@ of its sheet)", session, $0) } ?? tr("at session %@", session)
        let now = Term.word(status.rawValue)
        switch outcome {
        case .recorded(let ue):
          print(tr("Recorded %@ %@: %@, %@ UE.", person, at, now, Reader.number(ue)))
        case .corrected(let oldStatus, let oldUE, let ue):
          print(
            tr(
              "Corrected %@ %@: %@, %@ UE → %@, %@ UE.", person, at, Term.word(oldStatus.rawValue), Reader.number(oldUE), now,
              Reader.number(ue)))
        case .noteChanged:
          print(tr("%@ was recorded so %@ already; the note was saved.", person, at))
        case .unchanged: print(tr("%@ is already recorded so %@; nothing changed.", person, at))
        }
        if case .corrected = outcome, try connection.canRead("certificate") {
          let resting = try CertificateReview(connection).resting(participant: participant, session: session)
          if !resting.isEmpty {
            warn(
              tr(
                "participant %@ holds %@, which rests on this attendance; it stays as issued: beccaria report review lists certificates to check (revoke or re-issue)",
                participant, resting.joined(separator: ", ")))
          }
        }
      }
    }

    static func report(_ outcome: AllPresentOutcome, session: SessionID) {
      let names = { (people: [(ParticipantID, String)]) in people.map { "\($0.1) (\($0.0))" }.joined(separator: ", ") }
      var sentence =
        outcome.recorded.isEmpty
        ? tr("Nobody was left to record at session %@", session)
        : tr(
          "Recorded %@ present at session %@, %@ UE each", Plural.count(outcome.recorded.count, "participant"), session,
          outcome.ue)
      if !outcome.excepted.isEmpty { sentence += tr("; absent: %@", names(outcome.excepted)) }
      if outcome.recordedBefore > 0 {
        sentence += trn(
          "; %@ recorded before, left as it was", "; %@ recorded before, left as they were", outcome.recordedBefore,
          outcome.recordedBefore)
      }
      print(sentence + ".")
      if !outcome.recorded.isEmpty { print(tr("Present: %@.", names(outcome.recorded))) }
    }
  }
}
