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
      abstract: "Read delivery reports that came back to the office.",
      subcommands: [Import.self])
  }
}

extension MailCommand.Bounces {
  /// `beccaria mail bounces import MAILDIR`.
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "import",
      abstract: "Mark messages bounced from the delivery reports in a Maildir.",
      discussion: """
        Reads every message in MAILDIR/new and MAILDIR/cur (the mailbox is not changed) and \
        takes the delivery status notifications among them (RFC 3464: multipart/report; \
        report-type=delivery-status). Each is matched to its message by the Message-ID it quotes, \
        or by the per-message return address it was sent to (mail send \
        --per-message-return-path); a failed delivery marks the message bounced, and a 5.1.x \
        status puts the address on the suppression list. Importing the same report again \
        changes nothing. Delay reports and other mail are counted and left alone.

        Example:
          beccaria mail bounces import /var/mail/beccaria-bounces
        """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("A Maildir (with new/ and cur/).", valueName: "maildir")) var maildir: String

    func run() throws {
      try reportingFailures {
        let manager = FileManager.default
        var files: [String] = []
        var isFolder: ObjCBool = false
        for sub in ["new", "cur"] {
          let folder = (maildir as NSString).appendingPathComponent(sub)
          guard manager.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else { continue }
          files += try manager.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted().map {
            (folder as NSString).appendingPathComponent($0)
          }
        }
        if !manager.fileExists(atPath: (maildir as NSString).appendingPathComponent("new"))
          && !manager.fileExists(atPath: (maildir as NSString).appendingPathComponent("cur"))
        {
          throw CommandFailure("\(maildir) is not a Maildir (it has neither new/ nor cur/)")
        }
        let store = MailStore(try global.connect())
        var marked = 0
        var again = 0
        var delays = 0
        var other = 0
        var unmatched: [String] = []
        for file in files {
          guard let data = manager.contents(atPath: file) else {
            throw CommandFailure("\(file) cannot be read")
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
            messageID: report.originalMessageID, number: report.returnPathNumber, status: failure.status,
            diagnostic: failure.diagnostic, recipient: failure.address)
          switch match?.statusBefore {
          case nil:
            unmatched.append(
              "\((file as NSString).lastPathComponent): \(report.originalMessageID ?? "no Message-ID") for \(failure.address)")
          case "bounced": again += 1
          default: marked += 1
          }
        }
        print(
          "Read \(files.count) file\(files.count == 1 ? "" : "s"): \(marked) message\(marked == 1 ? "" : "s") marked bounced, "
            + "\(again) report\(again == 1 ? "" : "s") already imported, \(delays) delay or success report\(delays == 1 ? "" : "s"), "
            + "\(other) not a delivery report, \(unmatched.count) matching no message.")
        for line in unmatched { print(InertText.escape("  no message for \(line)")) }
      }
    }
  }
}
