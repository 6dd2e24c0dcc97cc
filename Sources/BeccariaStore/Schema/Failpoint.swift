import Foundation

/// A hook for the fault suite (`scripts/faults`): with `BECCARIA_FAILPOINT=<point>:<n>` in the
/// environment, the process kills itself with SIGKILL — no cleanup, no flushing, as a power cut
/// or the OOM killer would — the n-th time it passes `point`. Without the variable (in
/// production) a pass costs one comparison. Points of the certificate run: `claimed` (work
/// claimed, nothing issued yet), `rendered` (a PDF rendered, not stored), `inserted` (stored, not
/// committed), `committed` (committed, not exported), `exporting` (temporary file written, not
/// renamed). Of `mail send`: `mail-claimed` (messages claimed, none handed over), `mail-sent`
/// (a message accepted by the server, its outcome not recorded).
public enum Failpoint {
  static let configured: (point: String, count: Int)? = {
    guard let value = ProcessInfo.processInfo.environment["BECCARIA_FAILPOINT"], !value.isEmpty else { return nil }
    let parts = value.split(separator: ":")
    guard parts.count == 2, let count = Int(parts[1]), count > 0 else { return nil }
    return (String(parts[0]), count)
  }()
  nonisolated(unsafe) static var passes = 0
  static let lock = NSLock()

  public static func pass(_ point: String) {
    guard let configured, configured.point == point else { return }
    lock.lock()
    passes += 1
    let due = passes == configured.count
    lock.unlock()
    if due { kill(getpid(), SIGKILL) }
  }
}
