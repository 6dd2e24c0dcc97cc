import BeccariaCore
import Foundation
import Postgres

/// Changes to a participant's contact and work details (`participant update`); nil fields stay,
/// an empty string clears an optional one. Names change through `rename`, which keeps the old one.
public struct ParticipantChange: Sendable, Equatable {
  public var email: String?
  public var organisation: String?
  public var function: String?
  /// An AGS (resolved by the caller).
  public var municipalityAGS: String?
  public var notes: String?

  public init(
    email: String? = nil, organisation: String? = nil, function: String? = nil, municipalityAGS: String? = nil,
    notes: String? = nil
  ) {
    self.email = email
    self.organisation = organisation
    self.function = function
    self.municipalityAGS = municipalityAGS
    self.notes = notes
  }

  public var isEmpty: Bool { self == ParticipantChange() }
}

extension ParticipantStore {
  /// Applies `change` in one audited transaction (the reason, if any, goes into the audit log).
  /// Returns each changed field as "what: old → new" (empty when nothing changed: then nothing
  /// is written). An erased participant does not change.
  public func update(_ id: ParticipantID, _ change: ParticipantChange, reason: String?) throws -> [String] {
    try connection.transaction { db in
      guard
        let row = try db.queryOne(
          """
          SELECT p.email, p.organisation, p.function, p.municipality_ags, m.name AS municipality, p.notes,
                 p.erased_at IS NOT NULL AS erased
          FROM participant p LEFT JOIN municipality m ON m.ags = p.municipality_ags WHERE p.id = \(id) FOR UPDATE OF p
          """)
      else { throw StoreError.notFound(tr("participant %@", id)) }
      if try row.decode("erased", as: Bool.self) {
        throw StoreError.conflict(tr("participant %@ was erased on request; the record does not change any more", id))
      }
      func cleared(_ value: String?) -> String? {
        guard let value else { return nil }
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        return trimmed
      }
      var changes: [String] = []
      func note(_ old: String?, _ new: String?, _ sentence: (String, String) -> String) {
        guard let new else { return }
        let newValue = new.isEmpty ? nil : new
        if old != newValue { changes.append(sentence(old ?? "–", newValue ?? "–")) }
      }
      let oldEmail: String? = try row.decode("email")
      note(oldEmail, cleared(change.email)) { tr("e-mail %@ → %@", $0, $1) }
      note(try row.decode("organisation"), cleared(change.organisation)) { tr("organisation %@ → %@", $0, $1) }
      note(try row.decode("function"), cleared(change.function)) { tr("function %@ → %@", $0, $1) }
      if let ags = change.municipalityAGS {
        let oldAGS: String? = try row.decode("municipality_ags")
        if oldAGS != ags {
          let oldName: String? = try row.decode("municipality")
          let newName =
            try db.queryOne("SELECT name FROM municipality WHERE ags = \(ags)")?.decode("name", as: String.self) ?? ags
          let was = oldName.map { "\($0) (\(oldAGS ?? ""))" } ?? "–"
          changes.append(tr("municipality %@ → %@", was, "\(newName) (\(ags))"))
        }
      }
      if let notes = change.notes, notes != (try row.decode("notes", as: String?.self) ?? "") {
        changes.append(tr("notes changed"))
      }
      guard !changes.isEmpty else { return [] }
      if let reason { try db.execute("SELECT set_config('beccaria.reason', \(reason), true)") }
      let keep = { (value: String?) in value == nil }
      try db.execute(
        """
        UPDATE participant SET
          email = CASE WHEN \(keep(change.email)) THEN email ELSE nullif(\(cleared(change.email) ?? ""), '') END,
          organisation = CASE WHEN \(keep(change.organisation)) THEN organisation ELSE nullif(\(cleared(change.organisation) ?? ""), '') END,
          function = CASE WHEN \(keep(change.function)) THEN function ELSE nullif(\(cleared(change.function) ?? ""), '') END,
          municipality_ags = coalesce(\(change.municipalityAGS), municipality_ags),
          notes = CASE WHEN \(keep(change.notes)) THEN notes ELSE nullif(\(change.notes ?? ""), '') END,
          updated_at = now()
        WHERE id = \(id)
        """)
      return changes
    }
  }

  /// Other (not erased) participants registered with `email`, case-insensitively.
  public func others(withEmail email: String, excluding id: ParticipantID) throws -> [ParticipantListing] {
    try connection.query(
      "\(Self.listingSQL) WHERE lower(p.email) = lower(\(email)) AND p.id <> \(id) AND p.erased_at IS NULL ORDER BY p.id"
    ).map(Self.listing)
  }
}
