import BeccariaCore
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
    // A device, a pipe or a socket (/dev/stdout, /dev/null, a FIFO) is written to, never replaced
    // by a file of ours: renaming over it would take it away from every other program.
    var status = stat()
    if stat(absolute, &status) == 0, status.st_mode & S_IFMT != S_IFREG, status.st_mode & S_IFMT != S_IFDIR {
      guard let handle = FileHandle(forWritingAtPath: absolute) else {
        throw CommandFailure(tr("cannot write %@", path))
      }
      defer { try? handle.close() }
      do { try handle.write(contentsOf: data) } catch {
        throw CommandFailure(tr("cannot write %@: %@", path, Explain.sentence(for: error)))
      }
      return absolute
    }
    do {
      try SafeFile.write(data, to: absolute, mode: mode)
    } catch {
      throw CommandFailure(tr("cannot write %@: %@", path, Explain.sentence(for: error)))
    }
    let url = URL(fileURLWithPath: absolute)
    let folder = (try? SafeFile.realPath(url.deletingLastPathComponent().path)) ?? url.deletingLastPathComponent().path
    return folder + "/" + url.lastPathComponent
  }
}
