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
      else { throw StoreError.notFound("a trainer with the e-mail \(current)") }
      let id = TrainerID(try row.decode("id"))
      var changes: [String] = []
      let oldName: String = try row.decode("name")
      let oldEmail: String = try row.decode("email")
      let oldLogin: String? = try row.decode("db_login")
      if let name, name != oldName { changes.append("name \(oldName) → \(name)") }
      if let email, email != oldEmail { changes.append("e-mail \(oldEmail) → \(email)") }
      let newLogin = login.map { $0.isEmpty ? nil : $0 }
      if let newLogin, newLogin != oldLogin { changes.append("login \(oldLogin ?? "–") → \(newLogin ?? "–")") }
      guard !changes.isEmpty else { return (id, []) }
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
          throw StoreError.conflict("a trainer with the e-mail \(email ?? "") is already registered")
        }
        throw StoreError.conflict("the login \(login ?? "") already belongs to another trainer")
      }
      return (id, changes)
    }
  }
}
