import ArgumentParser
import BeccariaCore
import BeccariaStore
import Documents
import Foundation

#if canImport(CMalloc)
  import CMalloc
#endif

/// `beccaria certificate run`: the nightly job.
struct CertificateRunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Issue every certificate that became due since the last run (the nightly job).",
    discussion: """
      Renders each due certificate once, stores the PDF, its SHA-256 and the printed fields in \
      the same transaction that assigns its serial number, and records the run. Safe to run \
      several at once and to kill at any moment: the next run finishes the work. Exits non-zero \
      when any certificate failed (the others are kept).

      Example:
        beccaria certificate run --workers 2 --output /srv/beccaria/zertifikate --signing-key /etc/beccaria/signing-key.pem
        beccaria certificate run --dry-run
      """)

  @OptionGroup var global: GlobalOptions
  @OptionGroup var key: SigningKeyOption
  @Option(help: "Parallel workers, each with its own database connection (each renders its batch on all cores).")
  var workers = 2
  @Option(help: ArgumentHelp("Also export issued PDFs to DIR/<year>/<serial>.pdf.", valueName: "dir")) var output: String?
  @Flag(help: "List what would be issued and why; write nothing.") var dryRun = false
  @Option(help: .hidden) var batchSize = 100

  /// Every batch allocates the same large buffers again (its documents, their pages, the
  /// statement's parameters). glibc's defaults hand such buffers back to the kernel when they are
  /// freed (mmap above 128 KiB, trimming the heap above 128 KiB free), so the next batch
  /// faulted them in anew: about 60,000 page faults and a fifth of a second of system time per
  /// 2,000 certificates. Kept in the heap instead, they are reused; the peak RSS grew by 3 MiB.
  static func keepMemoryBetweenBatches() {
    #if canImport(CMalloc)
      _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
      _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
    #endif
  }

  func validate() throws {
    if !(1...64).contains(workers) { throw ValidationError("--workers must be between 1 and 64.") }
    if !(1...1000).contains(batchSize) { throw ValidationError("--batch-size must be between 1 and 1000.") }
  }

  func run() throws {
    try reportingFailures {
      var folder: String?
      if let output {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), !isDirectory.boolValue {
          throw CommandFailure("--output \(output) is a file, not a folder")
        }
        do {
          // The folder's real path is what the run records: a later run given another spelling
          // of the same folder finds its pending exports.
          let real = try ExportFolder.prepare(output)
          try ExportFolder.probe(real, year: CalendarDate.today().year)
          folder = real
        } catch {
          throw CommandFailure("cannot write certificates to \(output) (\(Explain.sentence(for: error))); nothing was issued")
        }
      }
      // The key is read before anything is claimed; a dry run signs nothing and needs none.
      let signer = dryRun ? SigningKey.generate() : try key.load()
      let database = try global.makeDatabase()
      try database.requireCurrentSchema(try database.connect())
      Self.keepMemoryBetweenBatches()
      let reporter = RunReporter()
      let run = CertificateRun(
        database: database,
        options: CertificateRunOptions(workers: workers, outputDirectory: folder, dryRun: dryRun, batchSize: batchSize),
        renderer: { try CertificateDocument.render($0) },
        // The cores are shared among the workers: one Cairo document per thread, and each
        // document's fonts are subset and compressed once, so fewer, larger shares cost less.
        batchRenderer: CertificateDocument.batchRenderer(
          threads: max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, workers))),
        signer: signer,
        events: { reporter.handle($0) })
      let summary = try run.execute()
      reporter.finish()
      if dryRun {
        print(
          "Dry run: \(summary.planned.count) certificate\(summary.planned.count == 1 ? "" : "s") would be issued (\(summary.checked) participants checked, \(summary.cohortsEnded) cohort\(summary.cohortsEnded == 1 ? "" : "s") would end)."
        )
        try Listing(
          items: summary.planned,
          columns: [
            .init(header: "ID", alignRight: true) { String($0.participantID) },
            .init(header: "NAME") { $0.holderName },
            .init(header: "KIND") { $0.kind.rawValue + ($0.module.map { " module \($0)" } ?? "") },
            .init(header: "COMPLETED") { $0.completedOn.description },
            .init(header: "WHY") { $0.reason },
          ]
        ).print(.table)
        for sentence in summary.blocked { print("Held back: \(sentence)") }
        return
      }
      let byKind = Dictionary(grouping: summary.issued, by: \.kind)
      print(
        "Run \(summary.runID.map(String.init) ?? "?"): issued \(summary.issued.count) certificate\(summary.issued.count == 1 ? "" : "s") "
          + "(\(byKind[.zertifikat]?.count ?? 0) Zertifikat, \(byKind[.teilnahmebescheinigung]?.count ?? 0) Teilnahmebescheinigung) "
          + "in \(String(format: "%.2f", summary.seconds)) s; \(summary.checked) participants checked, \(summary.cohortsEnded) cohort\(summary.cohortsEnded == 1 ? "" : "s") ended"
          + (output != nil ? ", \(summary.exported) PDFs exported to \(output ?? "")" : "") + ".")
      for certificate in summary.issued.prefix(50) {
        print(
          "  \(certificate.serial)  \(certificate.kind.rawValue)\(certificate.module.map { " module \($0)" } ?? "")  \(certificate.holderName)"
        )
      }
      if summary.issued.count > 50 {
        print("  … and \(summary.issued.count - 50) more (beccaria certificate list --run \(summary.runID ?? 0))")
      }
      if let head = summary.auditHead {
        print("Audit chain head: \(head) (keep it: `beccaria audit verify --head \(head)` shows a later rewrite).")
      }
      if !summary.reapedRuns.isEmpty {
        print("Marked as failed (killed earlier): run \(summary.reapedRuns.map(String.init).joined(separator: ", ")).")
      }
      if !summary.failures.isEmpty {
        throw CommandFailure(
          "\(summary.failures.count) certificate\(summary.failures.count == 1 ? "" : "s") could not be issued and will be retried by the next run:\n"
            + summary.failures.prefix(20).joined(separator: "\n"))
      }
    }
  }
}

/// Progress of a run: a live counter on a terminal, plain log lines otherwise.
final class RunReporter: @unchecked Sendable {
  private let lock = NSLock()
  private let terminal = isatty(STDERR_FILENO) == 1
  private var issued = 0
  private var due = 0
  private var lastLine = Date.distantPast

  func handle(_ event: CertificateRunEvent) {
    lock.lock()
    defer { lock.unlock() }
    switch event {
    case .started(let runID, let due):
      self.due = due
      log("run \(runID.map(String.init) ?? "") started: \(due) participant\(due == 1 ? "" : "s") to check")
    case .issued(let certificate):
      issued += 1
      if terminal {
        if Date().timeIntervalSince(lastLine) > 0.2 {
          FileHandle.standardError.write(Data("\rissued \(issued) …".utf8))
          lastLine = Date()
        }
      } else if issued % 100 == 0 {
        log("issued \(issued) so far (latest \(certificate.serial))")
      }
    case .failed(_, let reason):
      log("failed: \(reason)")
    case .exported:
      break
    }
  }

  func finish() {
    if terminal && issued > 0 { FileHandle.standardError.write(Data("\rissued \(issued)    \n".utf8)) }
  }

  private func log(_ message: String) {
    if terminal {
      FileHandle.standardError.write(Data("\r\(message)\n".utf8))
    } else {
      FileHandle.standardError.write(Data("\(ISO8601DateFormatter().string(from: Date())) certificate run: \(message)\n".utf8))
    }
  }
}
