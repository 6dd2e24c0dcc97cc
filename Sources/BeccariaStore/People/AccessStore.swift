import BeccariaCore
import Foundation
import Postgres

/// Database logins and their group roles. The CLI never stores passwords: authentication is
/// PostgreSQL's (peer, password set by a DBA, certificate). Giving a login a group role needs
/// ADMIN OPTION on it, which the owner has through `beccaria_steward` (scripts/dba-roles.sql).
/// Logins themselves are the DBA's to create; only an owner with CREATEROLE (a development
/// cluster) creates a missing one here.
public struct AccessStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// PostgreSQL identifiers as beccaria accepts them for logins.
  public static func validate(login: String) throws {
    guard login.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
      throw StoreError.invalid(
        tr(
          "\"%@\" is not a login name beccaria accepts (lower-case letters, digits and _, starting with a letter or _, at most 63)",
          login)
      )
    }
    guard !login.hasPrefix("beccaria_"), !login.hasPrefix("pg_") else {
      throw StoreError.invalid(tr("\"%@\" is reserved (beccaria_* and pg_* name roles, not people)", login))
    }
  }

  /// Creates the login if it does not exist and makes it a member of the role; a trainer login is
  /// bound to the trainer with `trainerEmail` (row-level security follows that binding).
  /// Returns whether the login was created.
  @discardableResult
  public func grant(login: String, role: AccessRole, trainerEmail: String?) throws -> Bool {
    try Self.validate(login: login)
    return try connection.transaction { db in
      if role == .trainer {
        if let trainerEmail {
          guard
            let trainer = try db.queryOne(
              "SELECT id, db_login FROM trainer WHERE lower(email) = lower(\(trainerEmail)) FOR UPDATE")
          else { throw StoreError.notFound(tr("trainer %@", trainerEmail)) }
          if let bound: String = try trainer.decode("db_login"), bound != login {
            throw StoreError.conflict(tr("trainer %@ is already bound to the login %@; revoke that first", trainerEmail, bound))
          }
          try db.execute("UPDATE trainer SET db_login = \(login) WHERE id = \(try trainer.decode("id", as: Int64.self))")
        } else if try db.queryOne("SELECT 1 FROM trainer WHERE db_login = \(login)") == nil {
          throw StoreError.invalid(tr("a trainer login must be bound to a trainer: add --trainer EMAIL"))
        }
      } else if trainerEmail != nil {
        throw StoreError.invalid(tr("--trainer only goes with --role trainer"))
      }
      let exists = try db.queryOne("SELECT 1 FROM pg_roles WHERE rolname = \(login)") != nil
      if !exists {
        let mayCreate =
          try db.queryOne("SELECT rolcreaterole OR rolsuper AS may FROM pg_roles WHERE rolname = current_user")?.decode(
            "may", as: Bool.self) ?? false
        guard mayCreate else {
          throw StoreError.invalid(
            tr(
              "the login %@ does not exist; a DBA creates logins (CREATE ROLE %@ LOGIN; see scripts/dba-roles.sql)", login, login)
          )
        }
        try db.execute("CREATE ROLE \(identifier: login) LOGIN")
      }
      try db.execute("GRANT \(identifier: role.groupRole) TO \(identifier: login)")
      return !exists
    }
  }

  /// Removes the login from one role (or all beccaria roles); the login itself stays (it may be
  /// used elsewhere in the cluster), and a trainer binding is removed with the trainer role.
  public func revoke(login: String, role: AccessRole?) throws -> [AccessRole] {
    try Self.validate(login: login)
    return try connection.transaction { db in
      let current = try memberships(db, login: login)
      guard !current.isEmpty else { throw StoreError.notFound(tr("a beccaria role of the login %@", login)) }
      let removing = role.map { [$0] } ?? current
      if let role, !current.contains(role) { throw StoreError.invalid(tr("%@ does not have the role %@", login, role.rawValue)) }
      for role in removing { try db.execute("REVOKE \(identifier: role.groupRole) FROM \(identifier: login)") }
      if removing.contains(.trainer) { try db.execute("UPDATE trainer SET db_login = NULL WHERE db_login = \(login)") }
      return removing
    }
  }

  func memberships(_ db: Connection, login: String) throws -> [AccessRole] {
    try db.query(
      """
      SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member
      WHERE r.rolname = \(login) AND g.rolname LIKE 'beccaria\\_%' ORDER BY g.rolname
      """
    ).compactMap { AccessRole(rawValue: String((try $0.decode("rolname", as: String.self)).dropFirst("beccaria_".count))) }
  }

  public func list() throws -> [AccessListing] {
    try connection.query(
      """
      SELECT r.rolname AS login, to_jsonb(array_agg(substr(g.rolname, 10) ORDER BY g.rolname)) AS roles, r.rolcanlogin,
             (SELECT t.email FROM trainer t WHERE t.db_login = r.rolname) AS trainer_email
      FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member
      WHERE g.rolname IN ('beccaria_admin', 'beccaria_trainer', 'beccaria_issuer', 'beccaria_auditor', 'beccaria_verifier', 'beccaria_mailer')
        AND r.rolname NOT LIKE 'beccaria\\_%'
      GROUP BY r.rolname, r.rolcanlogin ORDER BY r.rolname
      """
    ).map {
      AccessListing(
        login: try $0.decode("login"), roles: try $0.decodeJSON("roles"), canLogIn: try $0.decode("rolcanlogin"),
        trainerEmail: try $0.decode("trainer_email"))
    }
  }
}
