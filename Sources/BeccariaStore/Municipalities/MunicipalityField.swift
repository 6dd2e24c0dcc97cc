import BeccariaCore
import Foundation
import Postgres

/// The optional fields of a municipality that an import or `municipality add` may leave out: a
/// field not given keeps its stored value (an empty value given clears it).
public enum MunicipalityField: Sendable, Hashable {
  case district, asskommMemberSince
}
