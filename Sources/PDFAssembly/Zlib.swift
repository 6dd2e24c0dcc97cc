import CZlib

/// zlib's calls for PDF Flate streams (RFC 1950 framing, PDF 32000-1:2008 §7.4.4).
public enum Zlib {
  /// `data` expanded, when it expands to exactly `expectedSize` bytes (a font program's
  /// `/Length1`); nil otherwise.
  public static func inflate(_ data: ArraySlice<UInt8>, expectedSize: Int) -> [UInt8]? {
    guard expectedSize > 0 else { return nil }
    var out = [UInt8](repeating: 0, count: expectedSize)
    var size = uLongf(expectedSize)
    let status = data.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { target in
        uncompress(target.baseAddress, &size, source.baseAddress, uLong(source.count))
      }
    }
    return status == Z_OK && Int(size) == expectedSize ? out : nil
  }

  /// `data` expanded, of whatever size up to `limit` bytes; nil when it is no complete zlib
  /// stream or expands beyond `limit` (a content stream is never megabytes; a crafted one that
  /// expands a thousandfold is refused rather than held in memory).
  public static func inflate(_ data: ArraySlice<UInt8>, limit: Int) -> [UInt8]? {
    var stream = z_stream()
    guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
    defer { inflateEnd(&stream) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: max(4096, min(limit, data.count * 4)))
    let finished: Bool = data.withUnsafeBufferPointer { source in
      stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
      stream.avail_in = uInt(source.count)
      while true {
        let (status, produced) = chunk.withUnsafeMutableBufferPointer { target -> (Int32, Int) in
          stream.next_out = target.baseAddress
          stream.avail_out = uInt(target.count)
          let status = CZlib.inflate(&stream, Z_NO_FLUSH)
          return (status, target.count - Int(stream.avail_out))
        }
        guard status == Z_OK || status == Z_STREAM_END, out.count + produced <= limit else { return false }
        out += chunk[..<produced]
        if status == Z_STREAM_END { return true }
        // No progress with input left means a stream cut short.
        if produced == 0 && stream.avail_in == 0 { return false }
      }
    }
    return finished ? out : nil
  }

  /// A compressor at zlib's default level that keeps its state between calls: setting up
  /// zlib's window and hash tables took a third of compressing a font program of a few KB.
  /// One per thread.
  public final class Deflater {
    private var stream = z_stream()
    private let ready: Bool

    public init() {
      ready = deflateInit_(&stream, Z_DEFAULT_COMPRESSION, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
    }

    deinit { if ready { deflateEnd(&stream) } }

    /// `data` compressed (a complete zlib stream), or nil if zlib fails.
    public func deflate(_ data: [UInt8]) -> [UInt8]? {
      guard ready, deflateReset(&stream) == Z_OK else { return nil }
      var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(data.count))))
      let status = data.withUnsafeBufferPointer { source in
        out.withUnsafeMutableBufferPointer { target -> Int32 in
          stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
          stream.avail_in = uInt(source.count)
          stream.next_out = target.baseAddress
          stream.avail_out = uInt(target.count)
          return CZlib.deflate(&stream, Z_FINISH)
        }
      }
      guard status == Z_STREAM_END else { return nil }
      out.removeSubrange(Int(stream.total_out)...)
      return out
    }
  }

  /// `data` compressed at zlib's default level: on font programs of a few KB, the best level
  /// saved 0.05 % of a certificate's file and took several times as long.
  public static func deflate(_ data: [UInt8]) -> [UInt8]? {
    var size = compressBound(uLong(data.count))
    var out = [UInt8](repeating: 0, count: Int(size))
    let status = data.withUnsafeBufferPointer { source in
      out.withUnsafeMutableBufferPointer { target in
        compress2(target.baseAddress, &size, source.baseAddress, uLong(source.count), Z_DEFAULT_COMPRESSION)
      }
    }
    guard status == Z_OK else { return nil }
    out.removeSubrange(Int(size)...)
    return out
  }
}
