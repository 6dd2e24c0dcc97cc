import ArgumentParser
import BeccariaCore
import BeccariaStore
import Documents
import Foundation
import Signing

/// `beccaria certificate preview`: a specimen, to check the layout and wording before issuing.
struct CertificatePreview: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "preview",
    abstract: "Render a specimen certificate (marked MUSTER) from a programme's current texts; nothing is stored.",
    discussion: """
      Example:
        beccaria certificate preview --output muster.pdf --name "Hańža Šołćina"
        beccaria certificate preview --output muster.pdf --kind teilnahmebescheinigung
      """)

  @OptionGroup var global: GlobalOptions
  @Option(help: "Programme code.") var programme = "beccaria-fachkraft"
  @Option(help: "zertifikat or teilnahmebescheinigung.") var kind = "zertifikat"
  @Option(help: "The holder's name to print.") var name = "Měrćin Wjeńka"
  @Option(help: ArgumentHelp("Where to write the PDF.", valueName: "file.pdf")) var output: String
  @Option(help: .hidden) var repeatCount = 1
  @Option(help: .hidden) var batch = 0
  @Option(help: .hidden) var threads = ProcessInfo.processInfo.activeProcessorCount

  func validate() throws {
    if CertificateKind(rawValue: kind) == nil { throw ValidationError("--kind must be zertifikat or teilnahmebescheinigung.") }
    if repeatCount < 1 { throw ValidationError("--repeat-count must be 1 or more.") }
  }

  func run() throws {
    try reportingFailures {
      let definition = try ProgrammeStore(try global.connect()).find(code: programme).definition
      let certificateKind = CertificateKind(rawValue: kind) ?? .zertifikat
      let text = certificateKind == .zertifikat ? definition.documents.zertifikat : definition.documents.teilnahmebescheinigung
      let today = CalendarDate.today()
      let modules = (certificateKind == .zertifikat ? definition.modules : Array(definition.modules.prefix(1))).map {
        CertificateSnapshot.ModuleLine(number: $0.number, title: $0.title, ue: $0.ue, course: "MUSTER", completedOn: today)
      }
      let serial = "BQ-\(today.year)-000000"
      var snapshot = CertificateSnapshot(
        serial: serial, kind: certificateKind, heading: "\(text.heading) (MUSTER)", holderName: name,
        birthDate: CalendarDate(year: 1984, month: 7, day: 12), body: text.body, award: text.award,
        programmeCode: definition.code,
        programmeTitle: definition.title, programmeVersion: definition.version, modules: modules, completedOn: today,
        issuer: definition.issuer.name, place: definition.issuer.place, issuedOn: today,
        signatories: definition.documents.signatories.map { .init(name: $0.name, role: $0.role) },
        verificationURL: "", qrPayload: "", ueMinutes: definition.ueMinutes)
      // Signed with a throwaway key, so that the QR code has the size of a real one; it verifies nowhere.
      _ = try SigningKey.generate().seal(&snapshot, verificationPrefix: definition.documents.verificationURL)
      let data = try CertificateDocument.render(snapshot)
      try FileOutput.write(data, to: output)
      print("Wrote a specimen \(kind) (\(data.count) bytes) to \(output).")
    }
  }
}
