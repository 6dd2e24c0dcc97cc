import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Progress and log lines on standard error, the one place commands write them: on a terminal a
/// live line replaced in place, elsewhere (cron, a systemd timer, a pipe) one timestamped line per
/// event, `2026-11-30T02:00:01Z <task>: <message>`, for the journal.
final class Terminal: @unchecked Sendable {
  /// Standard error, shared by every command of the process.
  static let standardError = Terminal()

  /// Whether standard error is a terminal (live lines) or a log.
  let interactive = isatty(STDERR_FILENO) == 1
  private let lock = NSLock()
  private var lastLive = Date.distantPast
  private var liveShown = false

  /// A line for the log: on a terminal as it is (ending a live line first), elsewhere stamped
  /// with the time and `task`.
  func log(_ task: String, _ message: String) {
    lock.withLock {
      if interactive {
        write("\r\(message)\u{1B}[K\n")
        liveShown = false
      } else {
        // Local (Berlin) time, as the reader's clock shows it (`Reader`), to the second.
        write("\(Reader.logTime(Date())) \(task): \(message)\n")
      }
    }
  }

  /// A live line on a terminal, at most five times a second unless `force`; nothing in a log.
  func live(_ text: String, force: Bool = false) {
    guard interactive else { return }
    lock.withLock {
      guard force || Date().timeIntervalSince(lastLive) > 0.2 else { return }
      write("\r\(text)\u{1B}[K")
      lastLive = Date()
      liveShown = true
    }
  }

  /// Ends a live line with its last text.
  func endLive(_ text: String) {
    guard interactive else { return }
    lock.withLock {
      guard liveShown else { return }
      write("\r\(text)\u{1B}[K\n")
      liveShown = false
    }
  }

  private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
