import BeccariaCore
import Foundation
import Postgres

/// Trainers and their database logins.
public struct TrainerStore {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// Registers a trainer; the e-mail must be new (case-insensitively).
  public func add(name: String, email: String, login: String?) throws -> TrainerID {
    do {
      let row = try connection.queryOne(
        "INSERT INTO trainer (name, email, db_login) VALUES (\(name), \(email), \(login)) RETURNING id")
      return TrainerID(try row?.decode("id", as: Int64.self) ?? 0)
    } catch let error as PostgresError where error.isUniqueViolation {
      if error.constraint == "trainer_email_unique" {
        throw StoreError.conflict(tr("a trainer with the e-mail %@ is already registered", email))
      }
      throw StoreError.conflict(tr("the login %@ already belongs to another trainer", login ?? ""))
    }
  }

  public func list() throws -> [TrainerListing] {
    try connection.query(
      """
      SELECT t.id, t.name, t.email, t.db_login, t.active,
             (SELECT count(*) FROM session_trainer st WHERE st.trainer_id = t.id) AS sessions
      FROM trainer t ORDER BY t.name COLLATE german, t.id
      """
    ).map { row in
      TrainerListing(
        id: TrainerID(try row.decode("id")), name: try row.decode("name"), email: try row.decode("email"),
        login: try row.decode("db_login"), active: try row.decode("active"), sessions: try row.decode("sessions"))
    }
  }

  /// Trainer ids by e-mail (case-insensitive); throws naming the first unknown address.
  public func ids(forEmails emails: [String]) throws -> [TrainerID] {
    try emails.map { email in
      guard let row = try connection.queryOne("SELECT id FROM trainer WHERE lower(email) = lower(\(email))") else {
        throw StoreError.notFound(tr("a trainer with the e-mail %@", email))
      }
      return TrainerID(try row.decode("id"))
    }
  }
}
