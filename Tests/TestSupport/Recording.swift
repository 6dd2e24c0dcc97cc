import Foundation

/// What several threads recorded, in the order they recorded it.
public final class Recording: @unchecked Sendable {
  private let lock = NSLock()
  private var items: [String] = []

  public init() {}

  public func append(_ item: String) {
    lock.lock()
    items.append(item)
    lock.unlock()
  }

  public var values: [String] {
    lock.lock()
    defer { lock.unlock() }
    return items
  }
}
