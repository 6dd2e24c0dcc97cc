import ArgumentParser
import BeccariaStore
import Foundation

/// `beccaria access`.
struct AccessCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "access",
    abstract: "Database logins and their roles: admin, trainer, issuer, auditor.",
    discussion: """
      Rights are enforced by PostgreSQL itself (grants and row-level security), so they hold for \
      psql and every other client too. beccaria never stores passwords: logins authenticate as \
      PostgreSQL is configured (peer, password set by a DBA, certificate). Granting needs a role \
      that may create roles, normally the owner who runs `beccaria db migrate`.

        admin     the programme office: everything except reading the audit log
        trainer   rosters of and attendance for their own sessions (bound with --trainer EMAIL)
        issuer    the nightly certificate run
        auditor   reads everything, the audit log included; writes nothing
      """,
    subcommands: [AccessGrant.self, AccessRevoke.self, AccessList.self])
}

extension AccessRole: ExpressibleByArgument {}
