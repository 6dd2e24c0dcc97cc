import BeccariaCore
import Documents
import Foundation
import Testing

/// Certificates rendered as a batch (one Cairo document per thread, split into one file each)
/// must be standalone, correct documents: each read back on its own with real tools.
@Suite struct CertificateBatchTests {
  static let names = [
    "Měrćin Wjeńka", "Hańža Šołćina", "Zoë Łukasiewicz-Ünal", "Nguyễn Thị Minh Khai", "Müller-Lüdenscheidt",
    "Maximiliane Alexandra Konstanze von Hohenstein-Łukasiewicz", "Ōta Jōsuke",
  ]

  static func snapshot(_ index: Int, name: String) throws -> CertificateSnapshot {
    let serial = SerialNumber.make(year: 2027, number: 41 + index)
    let issued = try #require(CalendarDate(year: 2027, month: 3, day: 1 + index))
    let modules = try (1...4).map {
      CertificateSnapshot.ModuleLine(
        number: $0, title: "Modul \($0)", ue: 32, course: "BQ-SN-2026-\(index)",
        completedOn: try #require(CalendarDate(year: 2027, month: 2, day: $0)))
    }
    // As long as a real signed payload (about 400 characters), and different for every certificate.
    let payload = "https://www.lpr.sachsen.de/beccaria/pruefen?c=BQ1." + String(repeating: "x\(index)", count: 170)
    return CertificateSnapshot(
      serial: serial, kind: .zertifikat, heading: "Zertifikat", holderName: name,
      birthDate: CalendarDate(year: 1980 + index, month: 1 + index, day: 10 + index),
      body: "hat die Qualifizierung erfolgreich abgeschlossen.", award: "Fachkraft für Kriminalprävention",
      programmeCode: "beccaria-fachkraft", programmeTitle: "Fachkraft für Kriminalprävention", programmeVersion: 1,
      modules: modules, completedOn: issued, issuer: "Landespräventionsrat Sachsen", place: "Dresden", issuedOn: issued,
      signatories: [.init(name: "Dr. Beispiel", role: "Geschäftsführung")],
      verificationURL: "https://www.lpr.sachsen.de/beccaria/pruefen?nr=\(serial)", qrPayload: payload, ueMinutes: 45)
  }

  @Test func everyFileOfABatchIsAStandaloneCertificateOfItsHolderOnly() throws {
    let snapshots = try Self.names.enumerated().map { try Self.snapshot($0.offset, name: $0.element) }
    let files = try CertificateDocument.renderBatch(snapshots, threads: 2)
    #expect(files.count == snapshots.count)
    for (index, data) in files.enumerated() {
      let snapshot = snapshots[index]
      let path = try Tool.temporaryFile(data, suffix: ".pdf")
      #expect(try Tool.run("qpdf", ["--check", path]).contains("No syntax or stream encoding errors"))
      let info = try Tool.run("pdfinfo", [path])
      #expect(info.contains("Pages:           1"))
      #expect(info.contains("Title:           Zertifikat \(snapshot.serial)"))
      #expect(info.contains("Subject:         Zertifikat – \(snapshot.holderName)"))
      #expect(info.contains("Keywords:        \(snapshot.serial) \(snapshot.qrPayload)"))
      #expect(info.contains("Author:          Landespräventionsrat Sachsen"))
      let fonts = try Tool.run("pdffonts", [path]).split(separator: "\n").dropFirst(2)
      #expect(!fonts.isEmpty)
      for font in fonts {
        let columns = font.split(separator: " ", omittingEmptySubsequences: true)
        #expect(columns.count >= 7 && columns[columns.count - 5] == "yes", "not embedded: \(font)")
      }
      let text = try Tool.run("pdftotext", ["-enc", "UTF-8", path, "-"]).replacingOccurrences(of: "\n", with: " ")
      #expect(text.contains(snapshot.holderName), "\(snapshot.holderName) missing")
      #expect(text.contains(snapshot.serial))
      #expect(text.contains("geboren am \(snapshot.birthDate?.german ?? "?")"))
      for other in snapshots where other.serial != snapshot.serial {
        #expect(!text.contains(other.holderName), "\(other.holderName) appears on \(snapshot.serial)")
        #expect(!text.contains(other.serial), "\(other.serial) appears on \(snapshot.serial)")
      }
    }
    // The QR code of the first and the last file (different threads) decode to their own payloads.
    for index in [0, files.count - 1] {
      let path = try Tool.temporaryFile(files[index], suffix: ".pdf")
      let prefix = path + "-page"
      _ = try Tool.run("pdftoppm", ["-r", "300", "-png", path, prefix])
      let decoded = try Tool.run("zbarimg", ["--quiet", "--raw", prefix + "-1.png"])
      #expect(decoded.trimmingCharacters(in: .whitespacesAndNewlines) == snapshots[index].qrPayload)
    }
  }

  @Test func aBatchPrintsWhatSingleRenderingPrints() throws {
    let snapshot = try Self.snapshot(3, name: "Zoë Łukasiewicz-Ünal")
    let single = try Tool.temporaryFile(try CertificateDocument.render(snapshot), suffix: ".pdf")
    let batch = try CertificateDocument.renderBatch([try Self.snapshot(0, name: "Anna Beispiel"), snapshot], threads: 1)
    let fromBatch = try Tool.temporaryFile(batch[1], suffix: ".pdf")
    #expect(
      try Tool.run("pdftotext", ["-layout", "-enc", "UTF-8", single, "-"])
        == Tool.run("pdftotext", ["-layout", "-enc", "UTF-8", fromBatch, "-"]))
  }

  @Test func somethingThatIsNotCairosPDFIsRefused() {
    for garbage in [Data(), Data("%PDF-1.5\nstartxref\n99999\n%%EOF".utf8), Data("not a pdf at all".utf8)] {
      #expect(throws: RenderError.self) { try PDFPageSplitter(garbage) }
    }
  }
}
