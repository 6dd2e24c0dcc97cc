import ArgumentParser
import BeccariaCore
import BeccariaStore
import Documents
import Foundation
import Signing

extension CertificateCommand {
  /// `beccaria certificate preview`: a specimen, to check the layout and wording before issuing.
  struct Preview: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "preview",
      abstract: tr("Render a specimen certificate (marked MUSTER) from a programme's current texts; nothing is stored."),
      discussion: tr(
        """
        Example:
          beccaria certificate preview --output muster.pdf --name "Hańža Šołćina"
          beccaria certificate preview --output muster.pdf \\
            --kind teilnahmebescheinigung
        """))

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(tr("Programme code."))) var programme = "beccaria-fachkraft"
    @Option(help: ArgumentHelp(tr("zertifikat or teilnahmebescheinigung."))) var kind = "zertifikat"
    @Option(help: ArgumentHelp(tr("The holder's name to print."))) var name = "Měrćin Wjeńka"
    @Option(help: ArgumentHelp(tr("Where to write the PDF."), valueName: "file.pdf")) var output: String
    @Option(help: .hidden) var repeatCount = 1
    @Option(help: .hidden) var batch = 0
    @Option(help: .hidden) var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
      if CertificateKind(rawValue: kind) == nil {
        throw ValidationError(tr("--kind must be zertifikat or teilnahmebescheinigung."))
      }
      if repeatCount < 1 { throw ValidationError(tr("--repeat-count must be 1 or more.")) }
    }

    func run() throws {
      try reportingFailures {
        let definition = try ProgrammeStore(try global.connect()).find(code: programme).definition
        let certificateKind = CertificateKind(rawValue: kind) ?? .zertifikat
        let today = CalendarDate.today()
        let modules = (certificateKind == .zertifikat ? definition.modules : Array(definition.modules.prefix(1))).map {
          CertificateSnapshot.ModuleLine(number: $0.number, title: $0.title, ue: $0.ue, course: "MUSTER", completedOn: today)
        }
        // Signed with a throwaway key, so that the QR code has the size of a real one; it verifies nowhere.
        let key = SigningKey.generate()
        let draft = CertificateDraft(
          kind: certificateKind, holderName: name, birthDate: CalendarDate(year: 1984, month: 7, day: 12), modules: modules,
          completedOn: today, issuedOn: today, definition: definition, keyID: key.keyID
        ).specimen()
        let data = try CertificatePrinter(threads: 1).render(try key.seal(draft, serial: "BQ-\(today.year)-000000"))
        try FileOutput.write(data, to: output)
        print(tr("Wrote a specimen %@ (%@ bytes) to %@.", Term.word(kind), data.count, output))
      }
    }
  }
}
