import BeccariaStore
import Files
import Foundation
import Testing

@testable import Issuance

/// The run's background flush of its exports: it flushes while asked to and stops cleanly.
@Suite struct BackgroundFlushTests {
  @Test func itStopsWhetherItFlushedOrNot() throws {
    let directory = FileManager.default.temporaryDirectory.appending(path: "flush-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    // Never asked to flush.
    let idle = BackgroundFlush(directory: directory)
    idle.stop()
    // Asked while files are written; stop waits for a flush in progress.
    let busy = BackgroundFlush(directory: directory)
    for index in 0..<20 {
      try SafeFile.write(Data("file \(index)".utf8), to: "\(directory)/\(index).pdf", durable: false)
      busy.written()
    }
    busy.stop()
    // Stopped means stopped: asking again does nothing and stopping again returns.
    busy.written()
    busy.stop()
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == 20)
  }
}

/// What a run removes of the temporary files it finds in its export directory.
@Suite struct StaleTemporaryFileTests {
  @Test func onlyFilesOfProcessesThatNoLongerRunAreRemoved() throws {
    let directory = FileManager.default.temporaryDirectory.appending(path: "stale-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: "\(directory)/2026", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    // A process that runs (another run), and one that has ended (a killed run).
    let running = Process()
    running.executableURL = URL(fileURLWithPath: "/bin/sleep")
    running.arguments = ["30"]
    try running.run()
    defer { running.terminate() }
    let ended = Process()
    ended.executableURL = URL(fileURLWithPath: "/bin/true")
    try ended.run()
    ended.waitUntilExit()
    let names = [
      ".beccaria-tmp-\(running.processIdentifier)-BQ-2026-000001.pdf", ".beccaria-tmp-probe-\(running.processIdentifier)",
      ".beccaria-tmp-\(ended.processIdentifier)-BQ-2026-000002.pdf", ".beccaria-tmp-probe-\(ended.processIdentifier)",
      ".beccaria-tmp-\(ProcessInfo.processInfo.processIdentifier)-BQ-2026-000003.pdf", "BQ-2026-000004.pdf",
    ]
    for name in names { try Data("x".utf8).write(to: URL(fileURLWithPath: "\(directory)/2026/\(name)")) }
    try Exporter.removeStaleTemporaryFiles(in: directory)
    let left = try FileManager.default.contentsOfDirectory(atPath: "\(directory)/2026").sorted()
    // The running processes (the other one, and this one) keep their files; the ended one's go.
    #expect(left == [names[0], names[1], names[4], names[5]].sorted())
  }
}
