import BeccariaCore
import Foundation
import Postgres

extension MunicipalityStore {
  /// The municipality `text` names: its 8-digit AGS, or its name (case and diacritics aside, as
  /// `beccaria_fold` compares). Throws a sentence for an unknown one (with the names that start
  /// the same way), and for an ambiguous name, listing the candidates with AGS and district.
  public func resolve(_ text: String) throws -> (ags: String, name: String) {
    let given = text.trimmingCharacters(in: .whitespaces)
    if given.allSatisfy(\.isNumber) {
      if let problem = AGS.problem(with: given) { throw StoreError.invalid(problem) }
      guard let row = try connection.queryOne("SELECT ags, name FROM municipality WHERE ags = \(given)") else {
        throw StoreError.notFound(tr("a municipality with the AGS %@", given))
      }
      return (try row.decode("ags"), try row.decode("name"))
    }
    let rows = try connection.query(
      """
      SELECT ags, name, district FROM municipality WHERE beccaria_fold(name) = beccaria_fold(\(given))
      ORDER BY name COLLATE german, ags
      """)
    if rows.count == 1 { return (try rows[0].decode("ags"), try rows[0].decode("name")) }
    let describe = { (row: Row) throws -> String in
      "\(try row.decode("name", as: String.self)) (\(try row.decode("ags", as: String.self)), \(try row.decode("district", as: String.self)))"
    }
    if rows.count > 1 {
      throw StoreError.invalid(
        tr("%@ municipalities are called %@: %@; give the AGS", rows.count, given, try rows.map(describe).joined(separator: ", "))
      )
    }
    let near = try connection.query(
      """
      SELECT ags, name, district FROM municipality WHERE beccaria_fold(name) LIKE beccaria_fold(\(given)) || '%'
      ORDER BY name COLLATE german, ags LIMIT 6
      """)
    let names = try near.map(describe).joined(separator: ", ")
    throw StoreError.notFound(
      near.isEmpty
        ? tr("a municipality called %@", given) : tr("a municipality called %@ (names that begin so: %@)", given, names))
  }
}
