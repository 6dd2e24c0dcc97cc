import BeccariaCore
import Foundation
import Postgres

extension TrainerStore {
  /// Changes a trainer's name, e-mail or database login (`""` removes the login) in one audited
  /// transaction; returns each changed field as "what: old → new". The trainer is named by the
  /// current e-mail. A login already linked to another trainer, or an e-mail already registered,
  /// is refused.
  public func update(email current: String, name: String?, email: String?, login: String?, reason: String?) throws
    -> (id: TrainerID, changes: [String])
  {
    try connection.transaction { db in
      guard
        let row = try db.queryOne(
          "SELECT id, name, email, db_login FROM trainer WHERE lower(email) = lower(\(current)) FOR UPDATE")
      else { throw StoreError.notFound(tr("a trainer with the e-mail %@", current)) }
      let id = TrainerID(try row.decode("id"))
      var changes: [String] = []
      let oldName: String = try row.decode("name")
      let oldEmail: String = try row.decode("email")
      let oldLogin: String? = try row.decode("db_login")
      if let name, name != oldName { changes.append(tr("name %@ → %@", oldName, name)) }
      if let email, email != oldEmail { changes.append(tr("e-mail %@ → %@", oldEmail, email)) }
      let newLogin = login.map { $0.isEmpty ? nil : $0 }
      if let newLogin, newLogin != oldLogin { changes.append(tr("login %@ → %@", oldLogin ?? "–", newLogin ?? "–")) }
      guard !changes.isEmpty else { return (id, []) }
      // A trainer's login acts as that trainer in the audit log and is held to their sessions: an
      // office or service login, or the owner, is never one.
      if let newLogin = newLogin ?? nil,
        let other = try db.queryOne(
          """
          SELECT r.rolsuper OR r.oid = (SELECT datdba FROM pg_database WHERE datname = current_database())
                 OR EXISTS (SELECT 1 FROM unnest(ARRAY['beccaria_admin', 'beccaria_issuer', 'beccaria_auditor', 'beccaria_verifier', 'beccaria_mailer']) g
                             WHERE to_regrole(g) IS NOT NULL AND pg_has_role(r.oid, to_regrole(g), 'MEMBER')) AS privileged
          FROM pg_roles r WHERE r.rolname = \(newLogin)
          """), try other.decode("privileged", as: Bool.self)
      {
        throw StoreError.conflict(
          tr("%@ is a login of the office, a service or the owner; a trainer's login has the trainer role only", newLogin))
      }
      if let reason { try db.execute("SELECT set_config('beccaria.reason', \(reason), true)") }
      do {
        try db.execute(
          """
          UPDATE trainer SET name = coalesce(\(name), name), email = coalesce(\(email), email),
                 db_login = CASE WHEN \(login == nil) THEN db_login ELSE nullif(\(login ?? ""), '') END
          WHERE id = \(id)
          """)
      } catch let error as PostgresError where error.isUniqueViolation {
        if error.constraint == "trainer_email_unique" {
          throw StoreError.conflict(tr("a trainer with the e-mail %@ is already registered", email ?? ""))
        }
        throw StoreError.conflict(tr("the login %@ already belongs to another trainer", login ?? ""))
      }
      return (id, changes)
    }
  }
}
