import BeccariaCore
import Foundation
import Postgres

/// Participants: the people in the programme.
public struct ParticipantStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  static let listingSQL: SQL = """
    SELECT p.id, p.family_name, p.given_names, p.birth_date, p.email, p.municipality_ags, m.name AS municipality,
           p.organisation, p.function, p.erased_at IS NOT NULL AS erased
    FROM participant p LEFT JOIN municipality m ON m.ags = p.municipality_ags
    """

  static func listing(_ row: Row) throws -> ParticipantListing {
    ParticipantListing(
      id: ParticipantID(try row.decode("id")), familyName: try row.decode("family_name"),
      givenNames: try row.decode("given_names"), birthDate: try row.optionalDate("birth_date"),
      email: try row.decode("email"), municipalityAGS: try row.decode("municipality_ags"),
      municipality: try row.decode("municipality"), organisation: try row.decode("organisation"),
      function: try row.decode("function"), erased: try row.decode("erased"))
  }

  /// Existing participants with the same name and birth date, or the same e-mail.
  public func likelyDuplicates(of draft: ParticipantDraft) throws -> [LikelyDuplicate] {
    try connection.query(
      """
      \(Self.listingSQL)
      WHERE p.erased_at IS NULL
        AND ((beccaria_fold(p.family_name) = beccaria_fold(\(draft.familyName))
              AND beccaria_fold(p.given_names) = beccaria_fold(\(draft.givenNames))
              AND p.birth_date = \(draft.birthDate.postgres))
             OR lower(p.email) = lower(\(draft.email)))
      ORDER BY p.id
      """
    ).map { row in
      let existing = try Self.listing(row)
      let sameEmail = existing.email?.lowercased() == draft.email.lowercased()
      return LikelyDuplicate(existing: existing, reason: sameEmail ? tr("the same e-mail") : tr("the same name and birth date"))
    }
  }

  /// Likely duplicates among `drafts`: of someone registered (same folded name and birth date,
  /// or same e-mail), or of an earlier draft in the same input, which `naming` names (by default
  /// "entry N"). Each as the index of the draft and why.
  public func duplicateProblems(
    _ drafts: [ParticipantDraft], naming: (Int) -> String = { tr("entry %@", $0 + 1) }
  ) throws -> [(index: Int, reason: String)] {
    var problems: [(index: Int, reason: String)] = []
    var seen: [String: Int] = [:]
    let fold = { (text: String) in text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) }
    for (index, draft) in drafts.enumerated() {
      for duplicate in try likelyDuplicates(of: draft) {
        problems.append((index, tr("likely duplicate: %@; use --force to add anyway", duplicate)))
      }
      let identity = "\(fold(draft.familyName))|\(fold(draft.givenNames))|\(draft.birthDate)"
      for key in [identity, "mail:" + draft.email.lowercased()] {
        if let earlier = seen[key] {
          problems.append((index, tr("likely duplicate of %@ in the same input; use --force to add anyway", naming(earlier))))
        } else {
          seen[key] = index
        }
      }
    }
    return problems
  }

  /// Registers participants in one transaction. Unless `force`, a likely duplicate (in the
  /// database, or earlier in `drafts`) refuses the whole batch; the error lists every one.
  public func add(_ drafts: [ParticipantDraft], force: Bool) throws -> [ParticipantID] {
    try connection.transaction { db in
      if !force {
        let problems = try ParticipantStore(db).duplicateProblems(drafts)
        if !problems.isEmpty {
          throw StoreError.invalid(
            problems.map { drafts.count == 1 ? $0.reason : tr("entry %@", $0.index + 1) + ": " + $0.reason }.joined(
              separator: "\n"))
        }
      }
      return try drafts.map { draft in
        let row = try db.queryOne(
          """
          INSERT INTO participant (family_name, given_names, birth_date, email, municipality_ags, organisation, function)
          VALUES (\(draft.familyName), \(draft.givenNames), \(draft.birthDate.postgres), \(draft.email),
                  \(draft.municipality.value), \(draft.organisation), \(draft.function))
          RETURNING id
          """)
        return ParticipantID(try row?.decode("id", as: Int64.self) ?? 0)
      }
    }
  }

  /// Filters of `list`.
  public struct Filter: Sendable {
    public var municipality: String?
    public var course: String?
    /// Matched case- and accent-insensitively against "family given" and "given family".
    public var search: String?
    /// nil: all.
    public var limit: Int?
    public init(municipality: String? = nil, course: String? = nil, search: String? = nil, limit: Int? = 1000) {
      self.municipality = municipality
      self.course = course
      self.search = search
      self.limit = limit
    }
  }

  public func list(_ filter: Filter) throws -> [ParticipantListing] { try listCounted(filter).items }

  /// The first `filter.limit` matches and how many match in all.
  public func listCounted(_ filter: Filter) throws -> (items: [ParticipantListing], total: Int) {
    let pattern = filter.search.map {
      "%"
        + $0.replacingOccurrences(of: "\\", with: "\\\\")
        .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
    }
    // With a search, the matches come from the trigram index and are sorted; without the `|| ''`
    // PostgreSQL walks the name-order index instead and tests every row on the way, which for a
    // fragment whose matches sort late (Łukasiewicz) read half the country: 1.3 s, not 0.15 s.
    let order: SQL =
      pattern == nil
      ? "p.family_name COLLATE german, p.given_names COLLATE german, p.id"
      : "(p.family_name || '') COLLATE german, p.given_names COLLATE german, p.id"
    let conditions: SQL = """
      (\(filter.municipality)::text IS NULL OR p.municipality_ags = \(filter.municipality))
        AND (\(filter.course)::text IS NULL OR EXISTS (
              SELECT 1 FROM enrolment e JOIN course c ON c.id = e.course_id
              WHERE e.participant_id = p.id AND c.code = \(filter.course) AND e.status IN ('enrolled', 'waiting')))
        AND (\(pattern)::text IS NULL
             OR participant_search_text(p.family_name, p.given_names, p.email) LIKE beccaria_fold(\(pattern)))
      """
    let items = try connection.query(
      """
      \(Self.listingSQL)
      WHERE \(conditions)
      ORDER BY \(order)
      LIMIT \(filter.limit.map(Int64.init))
      """
    ).map(Self.listing)
    // Counted only when the limit may have cut the list.
    guard let limit = filter.limit, items.count >= limit else { return (items, items.count) }
    let total =
      try connection.queryOne("SELECT count(*) AS n FROM participant p WHERE \(conditions)")?.decode("n", as: Int64.self)
      ?? Int64(items.count)
    return (items, Int(total))
  }

  public func find(_ id: ParticipantID) throws -> ParticipantListing {
    guard let row = try connection.queryOne("\(Self.listingSQL) WHERE p.id = \(id)") else {
      throw StoreError.notFound(tr("participant %@", id))
    }
    return try Self.listing(row)
  }

  /// Changes the name, keeping the old one with the reason in `participant_name_change`.
  public func rename(_ id: ParticipantID, familyName: String?, givenNames: String?, reason: String) throws -> (
    old: String, new: String
  ) {
    try connection.transaction { db in
      guard
        let row = try db.queryOne(
          "SELECT family_name, given_names, erased_at IS NOT NULL AS erased FROM participant WHERE id = \(id) FOR UPDATE"
        )
      else { throw StoreError.notFound(tr("participant %@", id)) }
      if try row.decode("erased", as: Bool.self) {
        throw StoreError.conflict(tr("participant %@ was erased and cannot be renamed", id))
      }
      let oldFamily: String = try row.decode("family_name")
      let oldGiven: String = try row.decode("given_names")
      let newFamily = familyName ?? oldFamily
      let newGiven = givenNames ?? oldGiven
      if newFamily == oldFamily && newGiven == oldGiven {
        throw StoreError.invalid(tr("participant %@ is already called %@ %@", id, oldGiven, oldFamily))
      }
      try db.execute("SELECT set_config('beccaria.reason', \(reason), true)")
      try db.execute(
        """
        INSERT INTO participant_name_change (participant_id, old_family_name, old_given_names, new_family_name, new_given_names, reason)
        VALUES (\(id), \(oldFamily), \(oldGiven), \(newFamily), \(newGiven), \(reason))
        """)
      try db.execute(
        "UPDATE participant SET family_name = \(newFamily), given_names = \(newGiven), updated_at = now() WHERE id = \(id)"
      )
      return ("\(oldGiven) \(oldFamily)", "\(newGiven) \(newFamily)")
    }
  }

  /// Earlier names, oldest first.
  public func nameHistory(_ id: ParticipantID) throws -> [NameChange] {
    try connection.query(
      """
      SELECT old_family_name, old_given_names, new_family_name, new_given_names, reason, changed_at
      FROM participant_name_change WHERE participant_id = \(id) ORDER BY changed_at, id
      """
    ).map { row in
      NameChange(
        from: "\(try row.decode("old_given_names", as: String.self)) \(try row.decode("old_family_name", as: String.self))",
        to: "\(try row.decode("new_given_names", as: String.self)) \(try row.decode("new_family_name", as: String.self))",
        reason: try row.decode("reason"), changedAt: try row.decode("changed_at"))
    }
  }
}
