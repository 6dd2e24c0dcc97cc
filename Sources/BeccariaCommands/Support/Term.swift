import BeccariaCore
import Foundation

/// A certificate's kind as a person reads it and as a cell.
extension Term {
  /// A certificate's kind with its module: "zertifikat", "teilnahmebescheinigung module 2".
  static func kind(_ key: String, module: Int?) -> String {
    word(key) + (module.map { " " + tr("module %@", $0) } ?? "")
  }

  /// The same as a cell: the English key in CSV, as ever, the reader's words elsewhere.
  static func kindCell(_ key: String, module: Int?) -> Cell {
    .localised(machine: key + (module.map { " module \($0)" } ?? ""), human: kind(key, module: module))
  }
}
