import BeccariaCore
import Foundation
import Postgres

/// A valid certificate whose basis changed after it was issued: attendance recorded, corrected
/// or deleted, sessions added, moved or cancelled, or an assessment recorded since (schema
/// 0019's `certificate_basis_change`), and whether the completion rules are still met today.
public struct ReviewEntry: Codable, Sendable, Equatable {
  public struct Change: Codable, Sendable, Equatable {
    /// `attendance`, `plan` or `assessment`.
    public var kind: String
    /// The last such change.
    public var at: Date

    enum CodingKeys: String, CodingKey { case kind, at }

    /// As the database writes it: `at` in ISO 8601 (UTC, whole seconds).
    public init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      kind = try container.decode(String.self, forKey: .kind)
      if let text = try? container.decode(String.self, forKey: .at) {
        guard let date = ISO8601DateFormatter().date(from: text) else {
          throw DecodingError.dataCorruptedError(forKey: .at, in: container, debugDescription: "not an ISO 8601 time: \(text)")
        }
        at = date
      } else {
        at = try container.decode(Date.self, forKey: .at)
      }
    }
  }
  public var serial: String
  public var kind: CertificateKind
  public var module: Int?
  public var participantID: ParticipantID
  public var holderName: String
  public var issuedAt: Date
  /// What changed after the issue, for the holder and programme (coarse: an attendance change in
  /// any module of the programme lists the holder's Teilnahmebescheinigungen too).
  public var changes: [Change]
  /// Nil when the rules are still met; otherwise why not, in words.
  public var noLongerMet: String?
}
