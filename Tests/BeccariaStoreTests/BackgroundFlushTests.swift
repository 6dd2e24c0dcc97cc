import Foundation
import Testing

@testable import BeccariaStore

/// The run's background flush of its exports: it flushes while asked to and stops cleanly.
@Suite struct BackgroundFlushTests {
  @Test func itStopsWhetherItFlushedOrNot() throws {
    let directory = FileManager.default.temporaryDirectory.appending(path: "flush-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    // Never asked to flush.
    let idle = BackgroundFlush(directory: directory)
    idle.start()
    idle.stop()
    // Asked while files are written; stop waits for a flush in progress.
    let busy = BackgroundFlush(directory: directory)
    busy.start()
    for index in 0..<20 {
      try Exporter.write(Data("file \(index)".utf8), to: "\(directory)/\(index).pdf")
      busy.written()
    }
    busy.stop()
    // Stopped means stopped: asking again does nothing and stopping again returns.
    busy.written()
    busy.stop()
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == 20)
  }
}
