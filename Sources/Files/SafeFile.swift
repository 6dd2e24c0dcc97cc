import Foundation
import Localisation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Files written the way a program handling personal data must write them: a new file is
/// created with `O_CREAT | O_EXCL | O_NOFOLLOW` under an unpredictable name in the target's own
/// folder (a symlink planted there is never followed, an existing file never truncated) and then
/// renamed over the target (a symlink at the target is replaced, not followed). Personal data is
/// written with mode 0600.
public enum SafeFile {
  /// Mode of files holding personal data (certificates, exports, sign-in sheets).
  public static let privateMode: mode_t = 0o600
  /// Mode of files meant to be handed out (public keys).
  public static let publicMode: mode_t = 0o644

  /// A failed system call, with its `errno`.
  public struct Failure: Error, CustomStringConvertible {
    public var code: Int32
    public var what: String
    public var description: String { "\(what): \(String(cString: strerror(code)).lowercased())" }
    /// `code` is an `errno` value; `what` names the call and its path.
    public init(code: Int32, what: String) {
      self.code = code
      self.what = what
    }
  }

  /// Writes `data` to `path` atomically: readers see the old file or the whole new one.
  /// `durable` flushes the file to disk before the rename.
  public static func write(_ data: Data, to path: String, mode: mode_t = privateMode, durable: Bool = true) throws {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let name = url.lastPathComponent
    let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard directory >= 0 else { throw Failure(code: errno, what: tr("cannot open the folder %@", folder)) }
    defer { close(directory) }
    let temporary = try writeTemporary(data, in: directory, prefix: ".\(name).", mode: mode, durable: durable)
    guard renameat(directory, temporary, directory, name) == 0 else {
      let code = errno
      unlinkat(directory, temporary, 0)
      throw Failure(code: code, what: tr("cannot rename the new file to %@", path))
    }
  }

  /// A random suffix for temporary names (16 hex digits).
  public static func randomSuffix() -> String {
    String(UInt64.random(in: 0...UInt64.max), radix: 16)
  }

  /// Creates `<prefix><random>.tmp` in the open folder `directory` exclusively, writes `data`
  /// (`beforeClose` may act on the descriptor then) and closes it; returns its name. Removes it
  /// again when anything fails.
  public static func writeTemporary(
    _ data: Data, in directory: Int32, prefix: String, mode: mode_t, durable: Bool, beforeClose: ((Int32) -> Void)? = nil
  ) throws -> String {
    for _ in 0..<8 {
      let name = "\(prefix)\(randomSuffix()).tmp"
      let descriptor = openat(directory, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
      if descriptor < 0 {
        if errno == EEXIST { continue }
        throw Failure(code: errno, what: tr("cannot create a file in the target folder"))
      }
      do {
        try writeAll(data, to: descriptor)
        if durable, fsync(descriptor) != 0 { throw Failure(code: errno, what: tr("cannot flush %@ to disk", name)) }
        beforeClose?(descriptor)
        // The mode is what was asked, whatever the umask let through.
        _ = fchmod(descriptor, mode)
        guard close(descriptor) == 0 else { throw Failure(code: errno, what: tr("cannot write %@", name)) }
      } catch {
        close(descriptor)
        unlinkat(directory, name, 0)
        throw error
      }
      return name
    }
    throw Failure(code: EEXIST, what: tr("cannot find a free temporary name"))
  }

  /// Writes every byte, retrying interrupted and partial writes.
  public static func writeAll(_ data: Data, to descriptor: Int32) throws {
    var failure: Int32 = 0
    data.withUnsafeBytes { buffer in
      var offset = 0
      while offset < buffer.count {
        let written = posixWrite(descriptor, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        offset += written
      }
    }
    if failure != 0 { throw Failure(code: failure, what: tr("cannot write")) }
  }

  /// Reads at most `limit` bytes of the file `name` in the open folder `directory`, without
  /// following a symlink; nil when there is no such regular file.
  public static func read(_ name: String, in directory: Int32, limit: Int) -> Data? {
    let descriptor = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, Int(status.st_size) <= limit else { return nil }
    return readAll(descriptor, limit: limit)
  }

  /// Reads a descriptor to its end, or to `limit` bytes and one more (so that the caller can
  /// tell that the input was longer).
  public static func readAll(_ descriptor: Int32, limit: Int) -> Data? {
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while data.count <= limit {
      let count = buffer.withUnsafeMutableBytes { posixRead(descriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        return nil
      }
      if count == 0 { break }
      data.append(contentsOf: buffer[0..<count])
    }
    return data
  }

  /// The absolute path with every symlink resolved; the folder must exist.
  public static func realPath(_ path: String) throws -> String {
    guard let resolved = realpath(path, nil) else { throw Failure(code: errno, what: tr("cannot resolve %@", path)) }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}

/// POSIX `write(2)` and `read(2)` (SafeFile has members of the same names).
private func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
  write(descriptor, buffer, count)
}

private func posixRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  read(descriptor, buffer, count)
}
