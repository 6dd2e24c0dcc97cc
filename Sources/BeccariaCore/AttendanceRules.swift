import Foundation

/// How a recorded status turns into UE attended.
public enum AttendanceRule {
  /// The UE attended for `status`: `present` defaults to the whole session, `late` needs the UE
  /// given, `absent` and `excused` mean 0. Fails with a phrase when `ue` does not fit. UE are
  /// recorded in half steps (the CHECK `attendance_ue_half_steps`).
  public static func ueAttended(status: AttendanceStatus, ue: Decimal?, sessionUE: Int) -> Result<Decimal, AttendanceProblem> {
    let full = Decimal(sessionUE)
    if let ue, !isHalfStep(ue) {
      return .failure(.init(tr("UE are recorded in half steps (6 or 6.5), not %@", ue)))
    }
    switch status {
    case .present:
      guard let ue else { return .success(full) }
      if ue <= 0 { return .failure(.init(tr("present needs more than 0 UE; record absent instead"))) }
      if ue > full { return .failure(.init(tr("%@ UE is more than the session's %@ UE", ue, sessionUE))) }
      return .success(ue)
    case .late:
      guard let ue else { return .failure(.init(tr("late needs the UE actually attended (--ue)"))) }
      if ue <= 0 { return .failure(.init(tr("late needs more than 0 UE"))) }
      if ue > full { return .failure(.init(tr("%@ UE is more than the session's %@ UE", ue, sessionUE))) }
      return .success(ue)
    case .absent, .excused:
      if let ue, ue != 0 { return .failure(.init(tr("%@ means 0 UE, not %@", Term.word(status), ue))) }
      return .success(0)
    }
  }

  /// Whether `ue` is a whole or half UE.
  public static func isHalfStep(_ ue: Decimal) -> Bool {
    var doubled = ue * 2
    var whole = Decimal()
    NSDecimalRound(&whole, &doubled, 0, .down)
    return whole == ue * 2
  }

  /// Reads a status from English or German words and the sheet's one-letter codes.
  public static func status(_ text: String) -> AttendanceStatus? {
    switch text.trimmingCharacters(in: .whitespaces).lowercased() {
    case "present", "anwesend", "a", "p", "x": .present
    case "late", "verspätet", "verspaetet", "teilweise", "partial", "v", "l": .late
    case "excused", "entschuldigt", "e": .excused
    case "absent", "abwesend", "fehlt", "unentschuldigt", "f", "u": .absent
    default: nil
    }
  }
}
