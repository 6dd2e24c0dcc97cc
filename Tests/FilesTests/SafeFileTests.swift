import Files
import Foundation
import Testing

/// Files holding personal data: private, written whole, never through a planted link.
@Suite struct SafeFileTests {
  func folder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appending(path: "safefile-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test func aNewFileIsPrivateAndHoldsExactlyTheBytes() throws {
    let directory = try folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appending(path: "auskunft.json").path
    try SafeFile.write(Data("{\"name\": \"Hańža\"}".utf8), to: path)
    #expect(FileManager.default.contents(atPath: path) == Data("{\"name\": \"Hańža\"}".utf8))
    #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    // Written again: replaced whole, still private, no temporary file left behind.
    try SafeFile.write(Data("x".utf8), to: path)
    #expect(FileManager.default.contents(atPath: path) == Data("x".utf8))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["auskunft.json"])
  }

  @Test func aLinkPlantedAtTheTargetIsReplacedNotFollowed() throws {
    let directory = try folder()
    defer { try? FileManager.default.removeItem(at: directory) }
    let victim = directory.appending(path: "victim.txt").path
    try Data("keep me".utf8).write(to: URL(fileURLWithPath: victim))
    let target = directory.appending(path: "BQ-2027-000001.pdf").path
    try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: victim)
    try SafeFile.write(Data("%PDF-".utf8), to: target)
    #expect(FileManager.default.contents(atPath: victim) == Data("keep me".utf8))
    #expect(FileManager.default.contents(atPath: target) == Data("%PDF-".utf8))
    #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: target)) == nil)
  }

  @Test func aFolderThatIsNotThereIsAClearFailure() throws {
    let refused = #expect(throws: SafeFile.Failure.self) {
      try SafeFile.write(Data("x".utf8), to: "/nonexistent-\(UUID().uuidString)/file.pdf")
    }
    #expect(refused?.description.contains("no such file or directory") == true, "\(refused.map { "\($0)" } ?? "")")
  }
}
