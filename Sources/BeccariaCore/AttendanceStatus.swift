import Foundation

/// Attendance status of one participant at one session; mirrors `attendance_status_known`.
public enum AttendanceStatus: String, Codable, Sendable, CaseIterable {
  case present, late, excused, absent
}
