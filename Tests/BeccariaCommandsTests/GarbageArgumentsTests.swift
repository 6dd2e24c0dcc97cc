import Foundation
import Issuance
import Signing
import TestSupport
import Testing

/// Every option and argument of every command given garbage: a usage error or a clear message,
/// never a crash, a hang or a stack trace. The command tree comes from the binary itself
/// (`--experimental-dump-help`), so a new command is covered without touching this test.
@Suite struct GarbageArgumentsTests {
  struct Case: Sendable {
    var arguments: [String]
  }

  static let garbage = ["", "-1", "x\u{0}'\"; DROP TABLE participant; --" + String(repeating: "ü\u{202E}", count: 300)]

  static func cases() throws -> [Case] {
    let dump = try Beccaria.run(["--experimental-dump-help"])
    let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
    var cases: [Case] = []
    var globalsCovered = false
    func walk(_ command: [String: Any], path: [String]) {
      let subcommands = command["subcommands"] as? [[String: Any]] ?? []
      if subcommands.isEmpty {
        for argument in command["arguments"] as? [[String: Any]] ?? [] {
          let kind = argument["kind"] as? String
          let name = (argument["preferredName"] as? [String: Any])?["name"] as? String
          if kind == "option", let name {
            if ["database", "actor"].contains(name) && globalsCovered { continue }
            for value in garbage { cases.append(Case(arguments: path + ["--\(name)", value])) }
          } else if kind == "positional" {
            for value in garbage { cases.append(Case(arguments: path + [value])) }
          }
        }
        globalsCovered = true
      }
      for subcommand in subcommands {
        walk(subcommand, path: path + [subcommand["commandName"] as? String ?? "?"])
      }
    }
    walk(try #require(root["command"] as? [String: Any]), path: [])
    return cases
  }

  @Test func everyOptionOfEveryCommandSurvivesGarbage() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let cases = try Self.cases()
    #expect(cases.count > 300)
    let folder = FileManager.default.temporaryDirectory.appending(path: "garbage-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let lock = NSLock()
    nonisolated(unsafe) var failures: [String] = []
    DispatchQueue.concurrentPerform(iterations: 4) { worker in
      for (index, testCase) in cases.enumerated() where index % 4 == worker {
        let shown = testCase.arguments.map { $0.count > 40 ? String($0.prefix(12)) + "…" : $0 }.joined(separator: " ")
        do {
          let result = try Beccaria.run(
            testCase.arguments, database: database,
            environment: ["BECCARIA_SIGNING_KEY": folder.appending(path: "no-key.pem").path], currentDirectory: folder)
          var problem: String?
          if ![0, 1, 64].contains(result.status) {
            problem = "exit status \(result.status)"
          } else if ["Fatal error", "Stack dump", "Backtrace", "Segmentation", "Illegal instruction"].contains(
            where: result.stderr.contains)
          {
            problem = "crashed: \(result.stderr.prefix(300))"
          } else if result.status != 0 && result.stderr.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            problem = "failed without a message"
          }
          if let problem {
            lock.lock()
            failures.append("beccaria \(shown): \(problem)")
            lock.unlock()
          }
        } catch {
          lock.lock()
          failures.append("beccaria \(shown): \(error)")
          lock.unlock()
        }
      }
    }
    #expect(failures.isEmpty, "\(failures.count) of \(cases.count):\n\(failures.prefix(30).joined(separator: "\n"))")
  }

  @Test func aOneLetterKeyFileNameIsAFileNameLikeAnyOther() throws {
    let database = try TestDatabase.migrated()
    defer { database.drop() }
    let folder = FileManager.default.temporaryDirectory.appending(path: "one-letter-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    // NSString.deletingLastPathComponent trapped (SIGILL) on "k" before the command split it itself.
    let result = try Beccaria.run(["keys", "generate", "--output", "k"], database: database, currentDirectory: folder)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(FileManager.default.fileExists(atPath: folder.appending(path: "k").path))
  }
}
