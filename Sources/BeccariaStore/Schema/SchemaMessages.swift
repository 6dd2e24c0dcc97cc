import BeccariaCore
import Foundation

extension DatabaseMessages {
  /// The refusals of this build's schema (every embedded migration's `RAISE EXCEPTION` formats,
  /// each once), read on the first message to translate.
  public static let schema: DatabaseMessages = {
    var seen = Set<String>()
    let msgids = ((try? EmbeddedMigrations.all()) ?? []).flatMap { DatabaseMessages.msgids(inSQL: $0.sql) }
    return DatabaseMessages(msgids: msgids.filter { seen.insert($0).inserted })
  }()
}
