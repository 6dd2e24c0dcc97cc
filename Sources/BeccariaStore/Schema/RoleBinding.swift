import Foundation
import Postgres

/// Which database the cluster's beccaria roles belong to. Roles are cluster-wide, so the group
/// roles of two beccaria databases in one cluster would be the same roles: an admin of one would
/// be an admin of the other. The DBA's script (scripts/dba-roles.sql) binds them to one database
/// by a comment on `beccaria_steward` (a shared catalogue entry that only a superuser or a
/// CREATEROLE role can change; the owner has neither), and `db migrate` refuses any other
/// database of the cluster.
public enum RoleBinding: Sendable, Equatable {
  /// No binding recorded: the roles are missing, or were made before the script bound them.
  case unbound
  /// The DBA's explicit choice (`-v database='*'`): every database of the cluster shares the
  /// roles (test and development clusters).
  case shared
  /// The one database whose roles these are.
  case database(String)

  /// The comment's prefix; the rest of the comment is the database name or `*`.
  public static let prefix = "beccaria database: "

  /// The comment on `beccaria_steward` as a scalar subquery, for a statement that reads more.
  static let comment: SQL = "(SELECT shobj_description(r.oid, 'pg_authid') FROM pg_roles r WHERE r.rolname = 'beccaria_steward')"

  /// Reads the binding from the comment on `beccaria_steward`.
  public static func read(_ connection: Connection) throws -> RoleBinding {
    RoleBinding(comment: try connection.queryOne("SELECT \(comment) AS comment")?.decode("comment", as: String?.self))
  }

  /// Throws `MigrationError.rolesBoundElsewhere` when the roles belong to another database than
  /// `database`.
  public func require(database: String) throws {
    if case .database(let bound) = self, bound != database {
      throw MigrationError.rolesBoundElsewhere(bound: bound, this: database)
    }
  }

  /// The binding a comment on `beccaria_steward` records.
  public init(comment: String?) {
    guard let comment, comment.hasPrefix(Self.prefix) else {
      self = .unbound
      return
    }
    let name = String(comment.dropFirst(Self.prefix.count))
    self = name == "*" ? .shared : .database(name)
  }
}
