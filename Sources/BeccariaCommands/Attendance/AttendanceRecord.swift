import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

extension AttendanceCommand {
  /// `beccaria attendance record`.
  struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "record",
      abstract: "Record (or correct) one participant's attendance at a session.",
      discussion: """
        present counts the session's full UE unless --ue says less; late needs --ue; absent and \
        excused mean 0 UE. Recording again corrects the entry (the earlier value stays in the \
        audit log); a correction after the session's day needs --reason.

        Example:
          beccaria attendance record --session 3 --participant 12 --status present
          beccaria attendance record --session 3 --participant 14 --status late --ue 6
        """)

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Session number.", valueName: "id")) var session: SessionArgument
    @Option(help: ArgumentHelp("Participant number.", valueName: "id")) var participant: ParticipantArgument
    @Option(help: ArgumentHelp("present, late, excused or absent.", valueName: "status")) var status: String
    @Option(help: "UE actually attended (45 minutes each; in half steps, such as 6 or 6.5).") var ue: String?
    @Option(help: "Why an entry is corrected after the session's day.") var reason: String?
    @Option(help: "A remark kept with the entry.") var note: String?

    func validate() throws {
      if AttendanceRule.status(status) == nil {
        throw ValidationError("--status must be present, late, excused or absent (not \"\(status)\").")
      }
      if let ue, Self.decimal(ue) == nil {
        throw ValidationError("--ue must be a number of UE such as 6 or 1.5 (not \"\(ue)\").")
      }
      if let reason, reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must not be empty.") }
    }

    static func decimal(_ text: String) -> Decimal? {
      let normalised = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
      guard normalised.range(of: #"^[0-9]{1,3}(\.[0-9]{1,2})?$"#, options: .regularExpression) != nil else { return nil }
      return Decimal(string: normalised, locale: Locale(identifier: "en_US_POSIX"))
    }

    func run() throws {
      try reportingFailures {
        guard let status = AttendanceRule.status(status) else { return }
        let connection = try global.connect()
        let outcome = try AttendanceStore(connection).record(
          session: SessionID(session.id), participant: participant.id, status: status, ue: ue.flatMap(Self.decimal),
          reason: reason, note: note)
        switch outcome {
        case .recorded(let ue):
          print("Recorded participant \(participant.id) at session \(session.id) as \(status) (\(UE.format(ue)) UE).")
        case .corrected(let oldStatus, let oldUE, let ue):
          print(
            "Corrected participant \(participant.id) at session \(session.id): \(oldStatus) (\(UE.format(oldUE)) UE) → \(status) (\(UE.format(ue)) UE)."
          )
        case .noteChanged:
          print("Participant \(participant.id) at session \(session.id) was recorded so already; the note was saved.")
        case .unchanged: print("Participant \(participant.id) at session \(session.id) is already recorded so; nothing changed.")
        }
        if case .corrected = outcome, try connection.canRead("certificate") {
          let resting = try CertificateReview(connection).resting(participant: participant.id, session: SessionID(session.id))
          if !resting.isEmpty {
            warn(
              "participant \(participant.id) holds \(resting.joined(separator: ", ")), which rests on this attendance; "
                + "it stays as issued: beccaria report review lists certificates to check (revoke or re-issue)")
          }
        }
      }
    }
  }
}
