import ArgumentParser
import BeccariaCore
import BeccariaStore
import Documents
import Foundation
import Issuance
import Signing

extension CertificateCommand {
  /// `beccaria certificate run`: the nightly job.
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run",
      abstract: tr("Issue every certificate that became due since the last run (the nightly job)."),
      discussion: tr(
        """
        Renders each due certificate once, stores the PDF, its SHA-256 and the printed fields in \
        the same transaction that assigns its serial number, and records the run. Safe to run \
        several at once and to kill at any moment: the next run finishes the work. Exits non-zero \
        when any certificate failed (the others are kept).

        Example:
          beccaria certificate run --workers 2 --output /srv/beccaria/zertifikate \\
            --signing-key /etc/beccaria/signing-key.pem
          beccaria certificate run --dry-run
        """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var key: SigningKeyOption
    @Option(
      help: ArgumentHelp(tr("Parallel workers, each with its own database connection (each renders its batch on all cores).")))
    var workers = 2
    @Option(help: ArgumentHelp(tr("Also export issued PDFs to DIR/<year>/<serial>.pdf."), valueName: "dir")) var output: String?
    @Flag(help: ArgumentHelp(tr("List what would be issued and why; write nothing."))) var dryRun = false
    @Option(
      help: ArgumentHelp(
        tr("Participants each worker claims per transaction (1–1000); smaller batches free claimed people sooner."),
        valueName: "n"))
    var batchSize = 100

    func validate() throws {
      if !(1...64).contains(workers) { throw ValidationError(tr("--workers must be between 1 and 64.")) }
      if !(1...1000).contains(batchSize) { throw ValidationError(tr("--batch-size must be between 1 and 1000.")) }
    }

    func run() throws {
      try reportingFailures {
        let folder: String?
        do {
          folder = try output.map { try ExportFolder.ready($0, year: CalendarDate.today().year) }
        } catch let error as ExportFolderError {
          throw CommandFailure(
            error.reason.map {
              tr("cannot write certificates to %@ (%@); nothing was issued", error.path, Explain.sentence(for: $0))
            } ?? tr("--output %@ is a file, not a folder", error.path))
        }
        // The key is read before anything is claimed; a dry run signs nothing and needs none.
        let signer = dryRun ? SigningKey.generate() : try key.load()
        let database = try global.makeDatabase()
        try database.requireCurrentSchema(try database.connect())
        let reporter = RunReporter()
        let run = CertificateRun(
          database: database,
          options: CertificateRunOptions(workers: workers, outputDirectory: folder, dryRun: dryRun, batchSize: batchSize),
          signer: signer, printer: CertificatePrinter(threads: CertificateRun.renderingThreads(workers: workers)),
          events: { reporter.handle($0) })
        let summary = try run.execute()
        reporter.finish()
        if dryRun {
          print(
            tr(
              "Dry run: %@ would be issued (%@ checked, %@ would end).", Plural.count(summary.planned.count, "certificate"),
              Plural.count(summary.checked, "participant"), Plural.count(summary.cohortsEnded, "cohort"))
          )
          try Listing(
            items: summary.planned,
            columns: [
              .init(header: "ID", alignRight: true) { .integer($0.participantID.rawValue) },
              .init(header: "NAME") { $0.holderName },
              .init(header: "KIND") { Term.kindCell($0.kind.rawValue, module: $0.module) },
              .init(header: "COMPLETED") { .date($0.completedOn) },
              .init(header: "WHY") { $0.reason },
            ]
          ).print(.table)
          for sentence in summary.blocked { print(tr("Held back: %@", sentence)) }
          return
        }
        let byKind = Dictionary(grouping: summary.issued, by: \.kind)
        print(
          tr(
            "Run %@: issued %@ (%@ Zertifikat, %@ Teilnahmebescheinigung) in %@ s; %@ checked, %@ ended",
            summary.runID.map(String.init) ?? "?", Plural.count(summary.issued.count, "certificate"),
            byKind[.zertifikat]?.count ?? 0, byKind[.teilnahmebescheinigung]?.count ?? 0,
            Reader.number(Decimal(summary.seconds), places: 2), Plural.count(summary.checked, "participant"),
            Plural.count(summary.cohortsEnded, "cohort"))
            + (output.map { ", " + tr("%@ exported to %@", Plural.count(summary.exported, "PDF"), $0) } ?? "") + ".")
        for certificate in summary.issued.prefix(50) {
          print(
            "  \(certificate.serial)  \(Term.kind(certificate.kind.rawValue, module: certificate.module))  \(certificate.holderName)"
          )
        }
        if summary.issued.count > 50 {
          print(
            "  "
              + tr(
                "… and %@ more (beccaria certificate list --run %@)", summary.issued.count - 50, summary.runID?.description ?? "0"
              ))
        }
        if let head = summary.auditHead {
          print(tr("Audit chain head: %@ (keep it: `beccaria audit verify --head %@` shows a later rewrite).", head, head))
        }
        if !summary.reapedRuns.isEmpty {
          print(tr("Marked as failed (killed earlier): run %@.", summary.reapedRuns.map(String.init).joined(separator: ", ")))
        }
        if !summary.failures.isEmpty {
          throw CommandFailure(
            trn(
              "%@ certificate could not be issued and will be retried by the next run:",
              "%@ certificates could not be issued and will be retried by the next run:", summary.failures.count,
              summary.failures.count) + "\n" + summary.failures.prefix(20).joined(separator: "\n"))
        }
      }
    }
  }
}

/// Progress of a run on standard error (`Terminal`): a live counter on a terminal, a log line
/// every 100 certificates otherwise.
final class RunReporter: @unchecked Sendable {
  private let lock = NSLock()
  private let terminal = Terminal.standardError
  private var issued = 0

  func handle(_ event: CertificateRunEvent) {
    switch event {
    case .started(let runID, let due):
      terminal.log(
        "certificate run", tr("run %@ started: %@ to check", runID.map(String.init) ?? "", Plural.count(due, "participant")))
    case .issued(let certificate):
      let count = lock.withLock {
        issued += 1
        return issued
      }
      terminal.live(tr("issued %@ …", count))
      if !terminal.interactive && count % 100 == 0 {
        terminal.log("certificate run", tr("issued %@ so far (latest %@)", count, certificate.serial))
      }
    case .failed(_, let reason):
      terminal.log("certificate run", tr("failed: %@", reason))
    case .exported:
      break
    }
  }

  func finish() {
    let count = lock.withLock { issued }
    if count > 0 { terminal.endLive(tr("issued %@", count)) }
  }
}
