import BeccariaCore
import Foundation

/// An e-mail address with an optional display name, as given to `--from` and `--reply-to`:
/// `beccaria@lpr.sachsen.de` or `Landespräventionsrat Sachsen <beccaria@lpr.sachsen.de>`.
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
  /// The display name, if any (plain text, not yet encoded).
  public var name: String?
  /// `local@domain`.
  public var address: String

  /// Parses `text`; nil when it is not one mailable address (the same rule as the database's
  /// `beccaria_mail_address_ok`: a dot-atom local part and domain, no whitespace, control
  /// characters or separators).
  public init?(_ text: String) {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
      let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
      var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
      if name.count >= 2 && name.hasPrefix("\"") && name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
      // A name holding an address or quotes would read as another mailbox ("X <a@b.de>, Y").
      guard Validation.isMailable(address),
        !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || "<>@\"".unicodeScalars.contains($0) })
      else { return nil }
      self.name = name.isEmpty ? nil : name
      self.address = address
    } else {
      guard Validation.isMailable(trimmed) else { return nil }
      self.name = nil
      self.address = trimmed
    }
  }

  public init(address: String, name: String? = nil) {
    self.address = address
    self.name = name
  }

  /// The part after `@`.
  public var domain: String { String(address[address.index(after: address.lastIndex(of: "@") ?? address.startIndex)...]) }

  /// The address as a header value: `"Name" <local@domain>`, encoded-words for a non-ASCII name.
  public var header: String { name.map { "\(HeaderText.phrase($0)) <\(address)>" } ?? address }

  public var description: String { name.map { "\($0) <\(address)>" } ?? address }
}
