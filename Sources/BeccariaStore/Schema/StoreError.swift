/// Failures of store operations that are not plain database errors; each reads as one sentence.
public enum StoreError: Error, CustomStringConvertible, Equatable {
  case schemaNotCurrent(pending: [String])
  case notFound(String)
  case conflict(String)
  case invalid(String)
  case corrupt(String)

  public var description: String {
    switch self {
    case .schemaNotCurrent(let pending):
      "the database schema is not up to date (\(pending.count) migration\(pending.count == 1 ? "" : "s") pending: "
        + "\(pending.joined(separator: ", "))); run `beccaria db migrate` first"
    case .notFound(let what): "\(what) does not exist"
    case .conflict(let message), .invalid(let message): message
    case .corrupt(let message): "stored data is inconsistent: \(message)"
    }
  }
}
