import BeccariaCore
import CSVImport
import Foundation

/// Turns named input values (CSV columns or command options) into validated core values, collecting
/// every problem as (column, reason).
enum RecordInput {
  typealias Problems = [(column: String, reason: String)]

  static let participantColumns = ["family_name", "given_names", "birth_date", "email", "municipality"]
  static let participantOptional = ["organisation", "function"]
  /// The headers an office writes (German, or as a spreadsheet template spells them).
  static let participantAliases = [
    "municipality_ags": "municipality", "ags": "municipality", "nachname": "family_name", "familienname": "family_name",
    "vorname": "given_names", "vornamen": "given_names", "geburtsdatum": "birth_date",
    "geboren": "birth_date", "geburtstag": "birth_date", "e-mail": "email", "e-mail-adresse": "email", "mail": "email",
    "organisation/dienststelle": "organisation", "dienststelle": "organisation", "behörde": "organisation",
    "arbeitgeber": "organisation", "funktion": "function", "gemeinde": "municipality", "kommune": "municipality",
    "gemeindeschlüssel": "municipality", "gemeinde (ags)": "municipality",
  ]

  /// A participant's fields but the municipality, validated.
  struct ParticipantFields {
    var familyName: String
    var givenNames: String
    var birthDate: CalendarDate
    var email: String
    var organisation: String?
    var function: String?
  }

  static func participant(_ value: (String) -> String?, today: CalendarDate = .today()) -> Result<ParticipantDraft, ProblemList> {
    var (fields, problems) = participantFields(value, today: today)
    var ags: AGS?
    if let raw = value("municipality") {
      if let problem = AGS.problem(with: raw) { problems.append(("municipality", problem)) } else { ags = AGS(raw) }
    } else {
      problems.append(("municipality", tr("is required (the AGS of the participant's municipality)")))
    }
    guard let fields, let ags, problems.isEmpty else { return .failure(ProblemList(problems)) }
    return .success(
      ParticipantDraft(
        familyName: fields.familyName, givenNames: fields.givenNames, birthDate: fields.birthDate, email: fields.email,
        municipality: ags, organisation: fields.organisation, function: fields.function))
  }

  /// The municipality column of an import: an AGS, or a name the import resolves against the
  /// register (nil with the problems when it is neither).
  static func municipalityReference(_ value: (String) -> String?) -> (reference: String?, problems: Problems) {
    guard let raw = value("municipality") else {
      return (nil, [("municipality", tr("is required (the AGS or the name of the participant's municipality)"))])
    }
    if raw.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) {
      return AGS.problem(with: raw).map { (nil, [("municipality", $0)]) } ?? (raw, [])
    }
    return Validation.name(raw).map { (nil, [("municipality", $0)]) } ?? (raw, [])
  }

  /// Every field of a participant but the municipality, with the problems found.
  static func participantFields(_ value: (String) -> String?, today: CalendarDate = .today()) -> (
    fields: ParticipantFields?, problems: Problems
  ) {
    var problems: Problems = []
    func text(_ column: String) -> String? {
      guard let text = value(column) else {
        problems.append((column, tr("is required")))
        return nil
      }
      if let problem = Validation.name(text) {
        problems.append((column, problem))
        return nil
      }
      return text
    }
    let family = text("family_name")
    let given = text("given_names")
    var birth: CalendarDate?
    if let raw = value("birth_date") {
      switch Validation.date(raw) {
      case .success(let date):
        if let problem = Validation.birthDate(date, today: today) {
          problems.append(("birth_date", problem))
        } else {
          birth = date
        }
      case .failure(let problem): problems.append(("birth_date", problem.description))
      }
    } else {
      problems.append(("birth_date", tr("is required")))
    }
    var email: String?
    if let raw = value("email") {
      if let problem = Validation.email(raw) { problems.append(("email", problem)) } else { email = raw }
    } else {
      problems.append(("email", tr("is required")))
    }
    for column in participantOptional {
      if let raw = value(column), let problem = Validation.name(raw, maxLength: 300) { problems.append((column, problem)) }
    }
    guard let family, let given, let birth, let email else { return (nil, problems) }
    return (
      ParticipantFields(
        familyName: family, givenNames: given, birthDate: birth, email: email, organisation: value("organisation"),
        function: value("function")), problems
    )
  }

  static let municipalityColumns = ["ags", "name", "district"]
  static let municipalityOptional = ["asskomm_member_since"]
  static let municipalityAliases = [
    "gemeindeschluessel": "ags", "gemeindeschlüssel": "ags", "amtlicher gemeindeschlüssel": "ags", "gemeinde": "name",
    "gemeindename": "name", "landkreis": "district", "kreis": "district", "landkreis/kreisfreie stadt": "district",
    "asskomm-mitglied seit": "asskomm_member_since", "mitglied seit": "asskomm_member_since",
    "asskomm seit": "asskomm_member_since",
  ]

  static func municipality(_ value: (String) -> String?) -> Result<Municipality, ProblemList> {
    var problems: Problems = []
    var ags: AGS?
    if let raw = value("ags") {
      if let problem = AGS.problem(with: raw) { problems.append(("ags", problem)) } else { ags = AGS(raw) }
    } else {
      problems.append(("ags", tr("is required")))
    }
    var name: String?
    if let raw = value("name") {
      if let problem = Validation.name(raw) { problems.append(("name", problem)) } else { name = raw }
    } else {
      problems.append(("name", tr("is required")))
    }
    let district = value("district")
    if let district, let problem = Validation.name(district) { problems.append(("district", problem)) }
    var since: CalendarDate?
    if let raw = value("asskomm_member_since") {
      switch Validation.date(raw) {
      case .success(let date):
        if date < CalendarDate(year: 2019, month: 2, day: 6) ?? date {
          problems.append(("asskomm_member_since", tr("%@ is before ASSKomm was founded (2019-02-06)", date)))
        } else {
          since = date
        }
      case .failure(let problem): problems.append(("asskomm_member_since", problem.description))
      }
    }
    guard let ags, let name, problems.isEmpty else { return .failure(ProblemList(problems)) }
    return .success(Municipality(ags: ags, name: name, district: district, asskommMemberSince: since))
  }
}
