import Foundation
import Synchronization

/// Lookups per client address: a token bucket of `capacity` lookups that refills at `capacity`
/// per `window`. Serials are guessable and a family name with a birth date can be tried: the
/// limit makes enumeration slow. The buckets live in this process only: behind a load balancer
/// with n instances a client may make up to n times as many lookups (README, "Scaling out").
final class RateLimiter: Sendable {
  let capacity: Double
  let window: Double
  /// Buckets kept at most; beyond it, full buckets (clients idle for a whole window) are dropped.
  let maximumClients: Int
  let buckets: Mutex<[String: Bucket]>

  struct Bucket {
    var tokens: Double
    var updated: Double
  }

  init(capacity: Int, window: Duration = .seconds(60), maximumClients: Int = 100_000) {
    self.capacity = Double(capacity)
    let (seconds, attoseconds) = window.components
    self.window = Double(seconds) + Double(attoseconds) / 1e18
    self.maximumClients = maximumClients
    self.buckets = Mutex([:])
  }

  /// Takes one lookup for `client` at `now` (seconds, monotonic); nil when allowed, else the
  /// whole seconds until the next lookup is allowed (the Retry-After value).
  func take(_ client: String, now: Double) -> Int? {
    let rate = capacity / window
    return buckets.withLock { buckets in
      var bucket = buckets[client] ?? Bucket(tokens: capacity, updated: now)
      bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated) * rate)
      bucket.updated = now
      defer {
        buckets[client] = bucket
        if buckets.count > maximumClients {
          buckets = buckets.filter { $0.value.tokens + (now - $0.value.updated) * rate < capacity }
        }
      }
      if bucket.tokens >= 1 {
        bucket.tokens -= 1
        return nil
      }
      return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
    }
  }
}
