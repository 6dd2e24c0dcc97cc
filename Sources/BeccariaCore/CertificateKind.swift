import Foundation

/// The two kinds of document; mirrors the CHECK `certificate_kind_known`.
public enum CertificateKind: String, Codable, Sendable, CaseIterable {
  /// The qualified certificate "Fachkraft für Kriminalprävention": all modules and the project.
  case zertifikat
  /// Confirms one module whose attendance threshold was met.
  case teilnahmebescheinigung
}
