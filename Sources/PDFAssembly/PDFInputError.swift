import Foundation

/// Why a PDF is not one this target reads (see ACCEPTS.md): never a crash, whatever the bytes.
public struct PDFInputError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}
