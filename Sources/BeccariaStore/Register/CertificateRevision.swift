import BeccariaCore
import Foundation
import Postgres

/// Revocation and reopening. Nothing is deleted: a revoked certificate keeps its content and
/// changes status. (Re-issue renders and signs, and lives in Issuance: `CertificateReissuer`.)
public struct CertificateRevision {
  let connection: Connection
  public init(_ connection: Connection) { self.connection = connection }

  /// The reason trimmed; refused with `refusal` (a sentence) when empty.
  public static func requireReason(_ reason: String, refusal: @autoclosure () -> String) throws -> String {
    let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !trimmed.isEmpty else { throw StoreError.invalid(refusal()) }
    return trimmed
  }

  /// A certificate's id, status and successor as they stand.
  public struct Current: Sendable {
    public var id: Int64
    public var status: CertificateStatus
    public var supersededBy: String?
  }

  /// The certificate as it stands, for a clear refusal before any work. The functions that
  /// change it (schema 0015) lock the row and check again.
  public func current(_ db: Connection, serial: String) throws -> Current {
    guard SerialNumber.parse(serial) != nil else {
      throw StoreError.invalid(tr("%@ is not a serial number (BQ-<year>-<6 digits>)", serial))
    }
    guard
      let row = try db.queryOne(
        """
        SELECT c.id, c.status, s.serial AS superseded_by FROM certificate c LEFT JOIN certificate s ON s.id = c.superseded_by
        WHERE c.serial = \(serial)
        """)
    else { throw StoreError.notFound(tr("certificate %@", serial)) }
    return Current(id: try row.decode("id"), status: try row.decode("status"), supersededBy: try row.decode("superseded_by"))
  }

  /// Revokes a valid certificate through `certificate_revoke` (the only way a status changes).
  /// Returns when it was revoked.
  @discardableResult
  public func revoke(serial: String, reason: String) throws -> Date {
    let reason = try Self.requireReason(reason, refusal: tr("a revocation needs a reason (--reason)"))
    return try connection.transaction { db in
      let current = try current(db, serial: serial)
      switch current.status {
      case .revoked: throw StoreError.conflict(tr("certificate %@ is already revoked", serial))
      case .superseded:
        throw StoreError.conflict(
          tr(
            "certificate %@ was replaced by %@; revoke the current certificate instead", serial,
            current.supersededBy ?? tr("a newer one"))
        )
      default: break
      }
      guard let revokedAt: Date = try db.queryOne("SELECT certificate_revoke(\(serial), \(reason)) AS at")?.decode("at") else {
        throw StoreError.corrupt(tr("certificate %@ vanished while being revoked", serial))
      }
      return revokedAt
    }
  }

  /// Lets the next run issue a new certificate in place of a revoked one, through
  /// `certificate_reopen` (schema 0019): the revoked certificate stays revoked and verifies so;
  /// the holder is marked due, and the rules decide as for anyone. Returns when it was reopened.
  @discardableResult
  public func reopen(serial: String, reason: String) throws -> Date {
    let reason = try Self.requireReason(reason, refusal: tr("a reopening needs a reason (--reason)"))
    return try connection.transaction { db in
      let current = try current(db, serial: serial)
      guard current.status == .revoked else {
        throw StoreError.conflict(
          tr("certificate %@ is %@: only a revoked certificate is reopened", serial, Term.word(current.status)))
      }
      if let earlier = try db.queryOne(
        "SELECT to_char(at AT TIME ZONE 'Europe/Berlin', 'YYYY-MM-DD') AS day FROM certificate_reopening WHERE certificate_id = \(current.id)"
      ) {
        throw StoreError.conflict(
          tr(
            "certificate %@ was reopened on %@ already; the next run decides whether a new one is due", serial,
            try earlier.decode("day", as: String.self))
        )
      }
      guard let at: Date = try db.queryOne("SELECT certificate_reopen(\(serial), \(reason)) AS at")?.decode("at") else {
        throw StoreError.corrupt(tr("certificate %@ vanished while being reopened", serial))
      }
      return at
    }
  }
}
