import Localisation

/// The words of the register's states as a person reads them (`tr`); CSV and JSON keep the
/// stored English keys, which scripts read and the imports take in either language.
public enum Term {
  /// The reader's word for a stored state key ("present" → "anwesend"); an unknown key as it is.
  public static func word(_ key: String) -> String {
    switch key {
    case "present": return tr("present")
    case "late": return tr("late")
    case "excused": return tr("excused")
    case "absent": return tr("absent")
    case "enrolled": return tr("enrolled")
    case "waiting": return tr("waiting")
    case "withdrawn": return tr("withdrawn")
    case "transferred": return tr("transferred")
    case "open": return tr("open")
    case "running": return tr("running")
    case "ended": return tr("ended")
    case "cancelled": return tr("cancelled")
    case "valid": return tr("valid")
    case "revoked": return tr("revoked")
    case "superseded": return tr("superseded")
    case "passed": return tr("passed")
    case "failed": return tr("failed")
    case "applied": return tr("applied")
    case "pending": return tr("pending")
    case "queued": return tr("queued")
    case "sending": return tr("sending")
    case "deferred": return tr("deferred")
    case "sent": return tr("sent")
    case "bounced": return tr("bounced")
    case "suppressed": return tr("suppressed")
    case "programme": return tr("programme")
    case "zertifikat": return tr("zertifikat")
    case "teilnahmebescheinigung": return tr("teilnahmebescheinigung")
    case "project": return tr("project")
    case "exam": return tr("exam")
    case "colloquium": return tr("colloquium")
    case "make-up": return tr("make-up")
    case "single module": return tr("single module")
    case "changed": return tr("changed")
    case "unknown": return tr("unknown")
    case "certificate": return tr("certificate")
    case "reissue": return tr("reissue")
    case "offer": return tr("offer")
    case "reminder": return tr("reminder")
    case "change": return tr("change")
    case "cancellation": return tr("cancellation")
    case "attendance": return tr("attendance")
    case "plan": return tr("plan")
    case "assessment": return tr("assessment")
    default: return key
    }
  }

  /// The reader's word for a stored state.
  public static func word<Key: RawRepresentable>(_ key: Key) -> String where Key.RawValue == String { word(key.rawValue) }
}
