import ArgumentParser
import BeccariaCore
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The confirmation an irreversible action asks for (`participant erase`, `certificate revoke`):
/// on a terminal the person types what names the thing (the participant's number, the serial);
/// a script passes `--yes`. Without either nothing is done.
enum Confirmation {
  /// Returns when the action may go ahead: `yes` was given, or standard input is a terminal and
  /// the line typed there equals `expected`. Throws a `CommandFailure` saying nothing was changed
  /// otherwise (not on a terminal without `--yes`, a different answer, end of input).
  static func require(_ expected: String, what: String, yes: Bool) throws {
    if yes { return }
    guard isatty(STDIN_FILENO) == 1 else {
      throw CommandFailure(
        tr(
          "%@ cannot be undone: give --yes to confirm when not on a terminal (or --dry-run to see what it would do); nothing was changed",
          what))
    }
    FileHandle.standardError.write(Data(tr("%@ cannot be undone. Type %@ to confirm: ", what, expected).utf8))
    guard let answer = readLine(strippingNewline: true) else {
      throw CommandFailure(tr("not confirmed (no answer); nothing was changed"))
    }
    guard answer.trimmingCharacters(in: .whitespaces) == expected else {
      throw CommandFailure(tr("not confirmed (\"%@\" is not %@); nothing was changed", answer.prefix(40), expected))
    }
  }
}
