import BeccariaCore
import Foundation

extension MessageFormats {
  /// The refusals of this build's schema (every embedded migration's `RAISE EXCEPTION` formats,
  /// each once), read on the first message to translate.
  public static let schema: MessageFormats = {
    var seen = Set<String>()
    let msgids = ((try? EmbeddedMigrations.all()) ?? []).flatMap { MessageFormats.msgids(inSQL: $0.sql) }
    return MessageFormats(msgids: msgids.filter { seen.insert($0).inserted })
  }()
}
