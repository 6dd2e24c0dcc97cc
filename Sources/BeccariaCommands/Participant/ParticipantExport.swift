import ArgumentParser
import BeccariaStore
import Foundation

/// `beccaria participant export ID`.
struct ParticipantExport: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Everything stored about a person, as JSON (the right of access, Art. 15 GDPR).",
    discussion: """
      Includes the participant record, name history, enrolments, attendance, assessments, \
      certificates (with their PDFs in base64) and the audit entries about the person.

      Example:
        beccaria participant export 17 --output auskunft-17.json
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: ArgumentHelp("Participant number.", valueName: "id")) var participant: ParticipantArgument
  @Option(help: ArgumentHelp("Write to FILE instead of standard output.", valueName: "file")) var output: String?

  func run() throws {
    try reportingFailures {
      let document = try DataProtection(try global.connect()).export(participant.id)
      if let output {
        try FileOutput.write(document, to: output)
        print("Wrote everything stored about participant \(participant.id) to \(output) (\(document.count) bytes).")
      } else {
        FileHandle.standardOutput.write(document)
        print()
      }
    }
  }
}
