import BeccariaStore
import Files
import Foundation

/// Files a command writes on request (`--output`): atomically, created exclusively under an
/// unpredictable temporary name and renamed over the target (a symlink there is replaced, not
/// followed), mode 0600 unless the file is meant to be handed out.
enum FileOutput {
  /// Writes `data` to `path`; returns the file's absolute path.
  @discardableResult
  static func write(_ data: Data, to path: String, mode: mode_t = SafeFile.privateMode) throws -> String {
    let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    do {
      try SafeFile.write(data, to: absolute, mode: mode)
    } catch {
      throw CommandFailure("cannot write \(path): \(Explain.sentence(for: error))")
    }
    let url = URL(fileURLWithPath: absolute)
    let folder = (try? SafeFile.realPath(url.deletingLastPathComponent().path)) ?? url.deletingLastPathComponent().path
    return folder + "/" + url.lastPathComponent
  }
}
