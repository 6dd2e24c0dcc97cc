/// What a file written outside the database holds (`export_file_kind_known`).
public enum ExportFileKind: String, Codable, Sendable, CaseIterable {
  case certificate, auskunft, sheet
}
