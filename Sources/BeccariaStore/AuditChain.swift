import BeccariaCore
import Foundation
import Postgres

/// The newest link of the audit chain: its number and SHA-256 (64 hex digits). Printed by the
/// nightly run so that it is kept outside the database; `audit verify --head SEQ:SHA256` checks
/// later that the chain still passes through it.
public struct AuditChainHead: Codable, Sendable, Equatable, CustomStringConvertible {
  public var seq: Int64
  public var sha256: String

  public init(seq: Int64, sha256: String) {
    self.seq = seq
    self.sha256 = sha256
  }

  /// `SEQ:SHA256`, the form `audit verify --head` takes.
  public var description: String { "\(seq):\(sha256)" }

  /// Parses `SEQ:SHA256`; nil when malformed.
  public init?(_ text: String) {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, let seq = Int64(parts[0]), seq >= 0, parts[1].count == 64,
      parts[1].allSatisfy({ $0.isHexDigit && !$0.isUppercase })
    else { return nil }
    self.init(seq: seq, sha256: String(parts[1]))
  }
}

/// One break in the audit chain or the register, as `audit verify` reports it.
public struct AuditProblem: Codable, Sendable, Equatable {
  /// The link (transaction) concerned, when the break is in a link.
  public var seq: Int64?
  /// The first audit row concerned, when known.
  public var row: Int64?
  /// One sentence.
  public var problem: String
}

/// What `audit verify` found.
public struct AuditVerification: Codable, Sendable {
  public var links: Int64
  public var rows: Int64
  public var head: AuditChainHead
  /// Every break, the first one first; empty when the chain and the register agree.
  public var problems: [AuditProblem]
  public var intact: Bool { problems.isEmpty }
}

/// The tamper-evident audit chain (schema 0016): each committed transaction's audit rows are
/// sealed into a link that holds their SHA-256 and the previous link's hash.
public struct AuditChain {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// The chain's newest link.
  public func head() throws -> AuditChainHead {
    guard let row = try connection.queryOne("SELECT seq, encode(sha256, 'hex') AS sha256 FROM audit_chain_head") else {
      throw StoreError.corrupt("the audit chain has no head")
    }
    return AuditChainHead(seq: try row.decode("seq"), sha256: try row.decode("sha256"))
  }

  /// Recomputes every row and link (the auditor's or the owner's task: it reads the whole log),
  /// and checks the register's certificate statuses against their recorded history. With
  /// `expected`, also that the chain still passes through a head printed earlier.
  public func verify(expected: [AuditChainHead] = []) throws -> AuditVerification {
    try connection.transaction(.repeatableRead) { db in
      var problems = try db.query("SELECT seq, first_row, problem FROM audit_chain_problems()").map {
        AuditProblem(seq: try $0.decode("seq"), row: try $0.decode("first_row"), problem: try $0.decode("problem"))
      }
      for earlier in expected {
        let found = try db.queryOne(
          "SELECT encode(sha256, 'hex') AS sha256 FROM audit_chain WHERE seq = \(earlier.seq)")
        let actual: String? = try found?.decode("sha256")
        if actual != earlier.sha256 {
          problems.append(
            AuditProblem(
              seq: earlier.seq, row: nil,
              problem: actual == nil
                ? "link \(earlier.seq), printed earlier as the chain's head, is gone: the chain was cut"
                : "link \(earlier.seq) is not the one printed earlier (its hash was \(earlier.sha256.prefix(16))…): the chain was rewritten"
            ))
        }
      }
      problems += try CertificateRegisterCheck(db).problems()
      let counts = try db.queryOne(
        "SELECT (SELECT count(*) FROM audit_chain) AS links, (SELECT count(*) FROM audit_log) AS rows")
      return AuditVerification(
        links: try counts?.decode("links") ?? 0, rows: try counts?.decode("rows") ?? 0, head: try AuditChain(db).head(),
        problems: problems)
    }
  }
}

/// The register's statuses against their history: a certificate's status must be the one its
/// status event and its last audit entry give, and no audit entry may show a status going back
/// (an un-revocation made with the guards switched off leaves one of these behind).
struct CertificateRegisterCheck {
  let connection: Connection
  init(_ connection: Connection) { self.connection = connection }

  func problems() throws -> [AuditProblem] {
    try connection.query(
      """
      WITH last_audited AS (
        SELECT DISTINCT ON (a.row_key->>'id') (a.row_key->>'id')::bigint AS certificate_id, a.id AS audit_id,
               coalesce(a.new_values->>'status', a.old_values->>'status') AS status
        FROM audit_log a WHERE a.table_name = 'certificate'
        ORDER BY a.row_key->>'id', a.id DESC
      )
      SELECT NULL::bigint AS seq, l.audit_id AS row,
             format('certificate %s is %s, but its last audit entry says %s: its status was changed behind the audit log',
                    c.serial, c.status, l.status) AS problem
      FROM certificate c JOIN last_audited l ON l.certificate_id = c.id WHERE l.status IS DISTINCT FROM c.status
      UNION ALL
      SELECT NULL, NULL, format('certificate %s is %s, but its status history says %s', c.serial, c.status,
                                coalesce(e.status, 'valid (no revocation or re-issue recorded)'))
      FROM certificate c LEFT JOIN certificate_status_event e ON e.certificate_id = c.id
      WHERE coalesce(e.status, 'valid') <> c.status
      UNION ALL
      SELECT NULL, a.id, format('the audit log shows certificate %s going back from %s to %s', a.row_key->>'id',
                                a.old_values->>'status', a.new_values->>'status')
      FROM audit_log a
      WHERE a.table_name = 'certificate' AND a.action = 'UPDATE' AND a.old_values->>'status' <> 'valid'
        AND a.new_values->>'status' IS DISTINCT FROM a.old_values->>'status'
      ORDER BY 2 NULLS LAST
      """
    ).map { AuditProblem(seq: try $0.decode("seq"), row: try $0.decode("row"), problem: try $0.decode("problem")) }
  }
}
