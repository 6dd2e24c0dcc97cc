import Postgres

/// The SQLSTATE a statement run as some login gets, nil when it succeeds, "?" for an error that
/// is not PostgreSQL's.
public func sqlState(_ body: () throws -> Void) -> String? {
  do {
    try body()
    return nil
  } catch let error as PostgresError {
    return error.sqlState
  } catch {
    return "?"
  }
}
