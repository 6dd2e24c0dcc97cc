import Foundation
import Postgres

/// What `db status` checks beyond the migrations: who may connect, and who may act as the roles
/// that own the register's and erasure's functions. Read-only.
public struct DatabaseHealth {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// Whether PUBLIC (every login of the cluster) may connect to this database or create
  /// temporary tables in it: a copy or a restore does not keep the privileges that `db migrate`
  /// sets on the database.
  public func publicMayConnectOrCreateTemporaryTables() throws -> Bool {
    try connection.queryOne(
      """
      SELECT EXISTS (
        SELECT 1 FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) x
        WHERE d.datname = current_database() AND x.grantee = 0 AND x.privilege_type IN ('TEMPORARY', 'CONNECT')) AS granted
      """)?.decode("granted", as: Bool.self) == true
  }

  /// Members of `beccaria_registrar` and `beccaria_eraser` (the steward, which only holds ADMIN
  /// OPTION, aside): nobody should be one, since a member changes statuses, the serial counter or
  /// printed content without those functions' checks. The owner can make itself one (it holds
  /// ADMIN OPTION through beccaria_steward). Sorted by role, then member.
  public func membersOfFunctionOwners() throws -> [(member: String, role: String)] {
    try connection.query(
      """
      SELECT m.rolname AS member, r.rolname AS role FROM pg_auth_members a
      JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
      WHERE r.rolname IN ('beccaria_registrar', 'beccaria_eraser') AND m.rolname <> 'beccaria_steward'
      ORDER BY 2, 1
      """
    ).map { (try $0.decode("member"), try $0.decode("role")) }
  }
}
