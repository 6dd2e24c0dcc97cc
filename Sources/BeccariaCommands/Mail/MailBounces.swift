import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Mail

extension MailCommand {
  /// `beccaria mail bounces`.
  struct Bounces: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "bounces",
      abstract: tr("Read delivery reports that came back to the office."),
      subcommands: [Import.self])
  }
}

extension MailCommand.Bounces {
  /// `beccaria mail bounces import MAILDIR`.
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "import",
      abstract: tr("Mark messages bounced from the delivery reports in a Maildir."),
      discussion: tr(
        """
        Reads every message in MAILDIR/new and MAILDIR/cur (the mailbox is not changed) and \
        takes the delivery status notifications among them (RFC 3464: multipart/report; \
        report-type=delivery-status). Each is matched to its message by the Message-ID it quotes, \
        or by the per-message return address it was sent to (mail send \
        --per-message-return-path), and only when it names that message's recipient; a failed \
        delivery marks the message bounced, and a 5.1.x status about the recipient's mailbox or \
        domain puts the address on the suppression list. Importing the same report again \
        changes nothing. Delay reports, other mail, and files that are not regular files or \
        larger than 8 MiB are counted and left alone.

        Example:
          beccaria mail bounces import /var/mail/beccaria-bounces
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("A Maildir (with new/ and cur/)."), valueName: "maildir")) var maildir: String

    func run() throws {
      try reportingFailures {
        let manager = FileManager.default
        var files: [String] = []
        var folders = 0
        for sub in ["new", "cur"] {
          let folder = (maildir as NSString).appendingPathComponent(sub)
          var isFolder: ObjCBool = false
          guard manager.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else { continue }
          folders += 1
          files += try manager.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted().map {
            (folder as NSString).appendingPathComponent($0)
          }
        }
        if folders == 0 { throw CommandFailure(tr("%@ is not a Maildir (it has no folder new/ or cur/)", maildir)) }
        let store = MailStore(try global.connect())
        var marked = 0
        var again = 0
        var unsent = 0
        var delays = 0
        var other = 0
        var skipped: [String] = []
        var unmatched: [String] = []
        for file in files {
          let name = (file as NSString).lastPathComponent
          // Only regular files, not followed through links, of a report's size: a mail program
          // may move a file away meanwhile, and a mailbox may hold anything.
          var status = stat()
          guard lstat(file, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            skipped.append(tr("%@: not a regular file", name))
            continue
          }
          guard status.st_size <= DeliveryReport.largestFile else {
            skipped.append(tr("%@: larger than %@ MiB", name, DeliveryReport.largestFile >> 20))
            continue
          }
          guard let data = manager.contents(atPath: file) else {
            skipped.append(tr("%@: cannot be read", name))
            continue
          }
          guard let report = DeliveryReport(data) else {
            other += 1
            continue
          }
          guard let failure = report.failure else {
            delays += 1
            continue
          }
          let match = try store.bounce(
            messageID: report.originalMessageID, number: report.returnPath?.number, numberToken: report.returnPath?.token,
            status: failure.status, diagnostic: failure.diagnostic, finalRecipient: failure.address,
            originalRecipient: failure.originalAddress)
          switch match?.statusBefore {
          case nil:
            unmatched.append(tr("%@: %@ for %@", name, report.originalMessageID ?? tr("no Message-ID"), failure.address))
          case "bounced": again += 1
          case "sent", "sending", "deferred", "failed": marked += 1
          default: unsent += 1
          }
        }
        print(
          tr(
            "Read %@: %@ marked bounced, %@ already imported, %@ about a message never sent, %@, %@ not a delivery report, %@ matching no message, %@ skipped.",
            Plural.count(files.count, "file"), Plural.count(marked, "message"), Plural.count(again, "report"), unsent,
            Plural.count(delays, "delay or success report"), other, unmatched.count, skipped.count))
        for line in unmatched { print(InertText.escape(tr("  no message for %@", line))) }
        for line in skipped { print(InertText.escape(tr("  skipped %@", line))) }
      }
    }
  }
}
