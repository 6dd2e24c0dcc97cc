/// A typed identifier: an `ID<ParticipantEntity>` cannot be passed where an `ID<CourseEntity>` is
/// meant, although both are bigint keys in the database.
public struct ID<Entity>: RawRepresentable, Hashable, Comparable, Sendable, Codable,
  CustomStringConvertible
{
  public var rawValue: Int64
  public init(rawValue: Int64) { self.rawValue = rawValue }
  public init(_ rawValue: Int64) { self.rawValue = rawValue }

  public init(from decoder: any Decoder) throws {
    rawValue = try decoder.singleValueContainer().decode(Int64.self)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }

  public var description: String { String(rawValue) }
  public static func < (lhs: ID, rhs: ID) -> Bool { lhs.rawValue < rhs.rawValue }
}

public enum ProgrammeEntity {}
public enum ProgrammeVersionEntity {}
public enum CourseEntity {}
public enum SessionEntity {}
public enum TrainerEntity {}
public enum ParticipantEntity {}
public enum EnrolmentEntity {}
public enum CertificateEntity {}
public enum CertificateRunEntity {}

public typealias ProgrammeID = ID<ProgrammeEntity>
public typealias ProgrammeVersionID = ID<ProgrammeVersionEntity>
public typealias CourseID = ID<CourseEntity>
public typealias SessionID = ID<SessionEntity>
public typealias TrainerID = ID<TrainerEntity>
public typealias ParticipantID = ID<ParticipantEntity>
public typealias EnrolmentID = ID<EnrolmentEntity>
public typealias CertificateID = ID<CertificateEntity>
public typealias CertificateRunID = ID<CertificateRunEntity>
