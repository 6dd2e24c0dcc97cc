/// A nightly run's status (`certificate_run_status_known`).
public enum RunStatus: String, Codable, Sendable, CaseIterable {
  case running, succeeded, failed
}
