import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Postgres
import ProgrammeLoader

/// An error as the user reads it: one plain sentence (or one line per bad input line), never a
/// stack trace or a driver dump. ArgumentParser prints it as `Error: ...` and exits non-zero.
struct CommandFailure: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Tells the person at the terminal something they should know about what just succeeded, on
/// stderr (`Warning: ...`), escaped like every other message; the exit status stays 0.
func warn(_ sentence: String) {
  FileHandle.standardError.write(Data(("Warning: " + InertText.escape(sentence) + "\n").utf8))
}

/// Runs a command body, turning every error into a `CommandFailure` that reads as a sentence.
func reportingFailures<T>(_ body: () throws -> T) throws -> T {
  do {
    return try body()
  } catch let error as ExitCode {
    throw error
  } catch let error as CleanExit {
    throw error
  } catch let error as CommandFailure {
    throw error
  } catch {
    throw CommandFailure(Explain.sentence(for: error))
  }
}

enum Explain {
  /// One sentence for any error, known SQLSTATEs in plain words.
  static func sentence(for error: any Error) -> String {
    switch error {
    case let error as PostgresError: return sentence(for: error)
    case let error as StoreError: return error.description
    case let error as MigrationError: return error.description
    case let error as ProgrammeFileError: return error.description
    case let error as any CustomStringConvertible: return error.description
    default: return "\(error)"
    }
  }

  static func sentence(for error: PostgresError) -> String {
    if error.isConnectionFailure {
      return error.message.hasPrefix("could not connect")
        ? "\(error.message.components(separatedBy: "\n").first ?? error.message) (check --database, DATABASE_URL or PG* settings, or run scripts/db start)"
        : "the connection to PostgreSQL was lost (\(error.message.components(separatedBy: .newlines).first?.trimmingCharacters(in: .whitespaces) ?? "")); "
          + "what was committed before is kept, run the command again"
    }
    switch error.sqlState {
    case "23505":
      return "that already exists (\(constraintPhrase(error)))\(error.detail.map { ": \($0)" } ?? "")"
    case "23503":
      return
        "a referenced record does not exist or is still in use (\(constraintPhrase(error)))\(error.detail.map { ": \($0)" } ?? "")"
    case "23514":
      return "the database refused the change because it breaks the rule \(error.constraint ?? "check"): \(error.message)"
    case "23P01":
      return "the database refused an overlap (\(constraintPhrase(error))): \(error.detail ?? error.message)"
    case "23502":
      return "a required value is missing: \(error.message)"
    case "42501":
      // The database's own refusals (a frozen certificate, the append-only log) say why already.
      guard error.message.hasPrefix("permission denied") else { return "refused: \(error.message)" }
      if error.message.hasPrefix("permission denied to create temporary tables") {
        return "this login may not create temporary tables, which bulk imports stage their files in: imports are the "
          + "office's work (a trainer records sessions with beccaria attendance record)"
      }
      return error.message + " (this login lacks the beccaria role for it: see beccaria access list; the owner grants roles)"
    case "55P03":
      return "another session held a lock this command needed for more than \(Database.lockTimeout) s (\(error.message)); "
        + "nothing was changed: try again, or find the session in pg_stat_activity"
    case "40001", "40P01":
      return "the database was too busy with conflicting changes; nothing was changed, please try again"
    case "22007", "22008", "22P02":
      return "a value has the wrong form: \(error.message)"
    case "3D000":
      return "the database does not exist: \(error.message)"
    case "P0002", "55000":
      // beccaria's own refusals (no such message, not in a state for it) are sentences already.
      return error.message
    case "42P01":
      return "the database has no beccaria schema yet (\(error.message)); run `beccaria db migrate` first"
    default:
      return error.message + (error.sqlState.map { " (SQLSTATE \($0))" } ?? "")
    }
  }

  private static func constraintPhrase(_ error: PostgresError) -> String {
    error.constraint.map { "constraint \($0)" } ?? "SQLSTATE \(error.sqlState ?? "?")"
  }
}
