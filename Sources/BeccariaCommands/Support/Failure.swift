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
  FileHandle.standardError.write(Data((tr("Warning: ") + InertText.escape(sentence) + "\n").utf8))
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

  /// A refusal of privilege (SQLSTATE 42501) as a sentence about the person's login rather than
  /// the database's objects: PostgreSQL's own wording ("permission denied for table
  /// participant", "new row violates row-level security policy") names tables and policies.
  static func permissionSentence(_ message: String) -> String {
    let roles = tr("see beccaria access list for this login's roles; the database owner grants them")
    if message.hasPrefix("permission denied to create temporary tables") {
      return tr("this login may not stage import files (it lacks a role that imports: %@)", roles)
    }
    if let range = message.range(
      of: #"^permission denied for (table|view|sequence|function|schema) "#, options: .regularExpression)
    {
      let object = message[range.upperBound...].trimmingCharacters(in: .whitespaces)
      return
        tr(
          "this login may not do that: it may not use the %@ records (%@)", object.replacingOccurrences(of: "_", with: " "), roles
        )
    }
    if let range = message.range(of: #"row-level security policy for table ""#, options: .regularExpression) {
      let table = message[range.upperBound...].prefix { $0 != "\"" }
      return tr(
        "this login may not write these %@ records: a trainer changes only what belongs to the sessions they teach (%@)",
        table.replacingOccurrences(of: "_", with: " "), roles)
    }
    // The database's own refusals (a frozen certificate, the append-only log, "not one of your
    // sessions") are sentences already.
    guard message.hasPrefix("permission denied") else { return message }
    return tr("this login may not do that (%@; %@)", message, roles)
  }

  static func sentence(for error: PostgresError) -> String {
    if error.isConnectionFailure {
      return error.sqlState == "08001"
        ? tr(
          "%@ (check --database, DATABASE_URL or PG* settings, or run scripts/db start)",
          error.message.components(separatedBy: "\n").first ?? error.message)
        : tr(
          "the connection to PostgreSQL was lost (%@); what was committed before is kept, run the command again",
          error.message.components(separatedBy: .newlines).first?.trimmingCharacters(in: .whitespaces) ?? "")
    }
    // The schema's own refusals are sentences, written in English; the reader gets their own.
    let message = MessageFormats.schema.localised(error.message)
    switch error.sqlState {
    case "23505":
      return tr("that already exists (%@)%@", constraintPhrase(error), error.detail.map { ": \($0)" } ?? "")
    case "23503":
      return
        tr(
          "a referenced record does not exist or is still in use (%@)%@", constraintPhrase(error),
          error.detail.map { ": \($0)" } ?? "")
    case "23514":
      // The rules' own triggers say why in a sentence; a plain CHECK's message names only the rule.
      guard error.message.contains("violates check constraint") else { return message }
      return tr("the database refused the change because it breaks the rule %@: %@", error.constraint ?? "check", error.message)
    case "23P01":
      return tr("the database refused an overlap (%@): %@", constraintPhrase(error), error.detail ?? error.message)
    case "23502":
      return tr("a required value is missing: %@", error.message)
    case "42501":
      return permissionSentence(error.message)
    case "55P03":
      return tr(
        "another session held a lock this command needed for more than %@ s (%@); nothing was changed: try again, or find the session in pg_stat_activity",
        Database.lockTimeout, error.message)
    case "40001", "40P01":
      return tr("the database was too busy with conflicting changes; nothing was changed, please try again")
    case "22007", "22008", "22P02":
      return tr("a value has the wrong form: %@", error.message)
    case "3D000":
      return tr("the database does not exist: %@", error.message)
    case "P0002", "55000":
      // beccaria's own refusals (no such message, not in a state for it) are sentences already.
      return message
    case "42P01":
      return tr("the database has no beccaria schema yet (%@); run `beccaria db migrate` first", error.message)
    default:
      return message + (error.sqlState.map { " (SQLSTATE \($0))" } ?? "")
    }
  }

  private static func constraintPhrase(_ error: PostgresError) -> String {
    error.constraint.map { tr("constraint %@", $0) } ?? "SQLSTATE \(error.sqlState ?? "?")"
  }
}
