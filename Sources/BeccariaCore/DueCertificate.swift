import Foundation

/// A certificate that has become due, and why.
public struct DueCertificate: Sendable, Equatable {
  public var kind: CertificateKind
  /// The module of a Teilnahmebescheinigung; nil for the Zertifikat.
  public var module: Int?
  public var completedOn: CalendarDate
  /// The credits it rests on (one for a Teilnahmebescheinigung, all modules for the Zertifikat).
  public var credits: [EligibilityInput.Credit]
  public var reason: String
}
