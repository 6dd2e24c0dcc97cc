import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

/// `beccaria access`.
struct AccessCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "access",
    abstract: tr("Database logins and their roles: admin, trainer, issuer, auditor, verifier, mailer."),
    discussion: tr(
      """
      Rights are enforced by PostgreSQL itself (grants and row-level security), so they hold for \
      psql and every other client too. beccaria never stores passwords: logins authenticate as \
      PostgreSQL is configured (peer, password set by a DBA, certificate). A DBA creates the \
      logins; the database's owner (who runs `beccaria db migrate`) grants them their roles, \
      through beccaria_steward (scripts/dba-roles.sql).

        admin     the programme office: everything except reading the audit log
        trainer   rosters of and attendance for their own sessions (bound with --trainer EMAIL)
        issuer    the nightly certificate run
        auditor   reads everything, the audit log included; writes nothing
        verifier  the verification service (beccaria serve): its functions only, no table
        mailer    mail delivery (beccaria mail send): claims and records messages, no table
      """),
    subcommands: [Grant.self, Revoke.self, List.self])
}

extension AccessRole: ExpressibleByArgument {}
