import BeccariaCore

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
      tr(
        "the database schema is not up to date (%@ pending: %@); run `beccaria db migrate` first",
        Plural.count(pending.count, "migration"), pending.joined(separator: ", "))
    case .notFound(let what): tr("%@ does not exist", what)
    case .conflict(let message), .invalid(let message): message
    case .corrupt(let message): tr("stored data is inconsistent: %@", message)
    }
  }
}
