import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation
import Signing

extension ParticipantCommand {
  /// `beccaria participant export ID`.
  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "export",
      abstract: tr("Everything stored about a person, as JSON (the right of access, Art. 15 GDPR)."),
      discussion: tr(
        """
        Includes the participant record, name history, enrolments, attendance, assessments, \
        certificates (with their PDFs in base64) and the audit entries about the person.

        Example:
          beccaria participant export 17 --output auskunft-17.json
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("Participant number."), valueName: "id")) var participant: ParticipantArgument
    @Option(help: ArgumentHelp(tr("Write to FILE instead of standard output."), valueName: "file")) var output: String?

    func run() throws {
      try reportingFailures {
        let protection = DataProtection(try global.connect())
        let document = try protection.export(participant.id)
        if let output {
          // Personal data: mode 0600, registered so that an erasure finds the file again.
          let path = try FileOutput.write(document, to: output)
          try protection.recordExport(participant.id, path: path, sha256: document.sha256Hex)
          try protection.recordGiven(participant.id, toFile: true, sha256: document.sha256Hex)
          print(
            tr(
              "Wrote everything stored about participant %@ to %@ (%@ bytes, mode 0600).", participant.id, output, document.count)
          )
        } else {
          // Recorded before it is given: a record of an export that a closed pipe cut short errs
          // on the side of the person whose data it is.
          try protection.recordGiven(participant.id, toFile: false, sha256: document.sha256Hex)
          // The same JSON value, with control characters JSON allows raw written as escapes.
          print(InertText.escapeJSON(String(decoding: document, as: UTF8.self)))
        }
      }
    }
  }
}
