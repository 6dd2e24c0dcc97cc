import BeccariaCore
import Foundation

/// The certificate as an authority hands it out: A4 portrait, a fine double frame, the issuer at
/// the top, the heading and the holder's name in a serif face (shrunk to fit, never overflowing),
/// the modules with their UE, place and date, signature lines, and the serial number with a QR
/// code for verification. Rendered only from the snapshot.
public enum CertificateDocument {
  static let margin = 56.0
  static let ink = (0.12, 0.16, 0.24)
  static let accent = (0.10, 0.27, 0.45)
  static let muted = (0.35, 0.38, 0.42)

  public static func render(_ snapshot: CertificateSnapshot) throws -> Data {
    let writer = try PDFWriter(
      title: "\(snapshot.heading) \(snapshot.serial)", author: snapshot.issuer,
      subject: "\(snapshot.heading) – \(snapshot.holderName)", keywords: "\(snapshot.serial) \(snapshot.qrPayload)")
    let width = PDFWriter.a4Width
    let height = PDFWriter.a4Height
    let content = width - 2 * margin

    // Frame.
    writer.rectangle(x: 28, y: 28, width: width - 56, height: height - 56, lineWidth: 1.6, stroke: accent)
    writer.rectangle(x: 33, y: 33, width: width - 66, height: height - 66, lineWidth: 0.4, stroke: accent)

    var y = 70.0
    y +=
      writer.text(
        snapshot.issuer.uppercased(), x: margin, y: y, width: content, font: .sans(9.5, bold: true),
        alignment: .center, color: accent) + 2
    y += writer.text(snapshot.programmeTitle, x: margin, y: y, width: content, font: .sans(9), alignment: .center, color: muted)
    y += 42
    y += writer.text(
      snapshot.heading, x: margin, y: y, width: content, font: .serif(38, bold: true), alignment: .center, color: ink)
    y += 30

    // The holder's name: serif, as large as fits on two lines at most.
    let nameFont = writer.fittingFont(
      snapshot.holderName, width: content - 20, font: .serif(28, bold: true), maxLines: 2, minimumSize: 14)
    y +=
      writer.text(snapshot.holderName, x: margin + 10, y: y, width: content - 20, font: nameFont, alignment: .center, color: ink)
      + 4
    if let birth = snapshot.birthDate {
      y += writer.text(
        "geboren am \(birth.german)", x: margin, y: y, width: content, font: .serif(11, italic: true),
        alignment: .center, color: muted)
    }
    y += 22
    y += writer.text(
      snapshot.body, x: margin + 30, y: y, width: content - 60, font: .serif(12), alignment: .center,
      color: ink, lineSpacing: 1.25)
    if let award = snapshot.award {
      y += 16
      y += writer.text(
        "„\(award)“", x: margin, y: y, width: content, font: .serif(19, bold: true, italic: true),
        alignment: .center, color: accent)
    }
    y += 26

    // Modules.
    let tableX = margin + 30
    let tableWidth = content - 60
    writer.line(from: (tableX, y), to: (tableX + tableWidth, y), width: 0.6, gray: 0.55)
    y += 6
    for module in snapshot.modules {
      let label = "Modul \(module.number): \(module.title)"
      let detail = "\(module.ue) UE · \(module.course) · \(module.completedOn.german)"
      let labelHeight = writer.text(label, x: tableX, y: y, width: tableWidth * 0.48, font: .serif(11, bold: true), color: ink)
      let detailHeight = writer.text(
        detail, x: tableX + tableWidth * 0.48, y: y + 1, width: tableWidth * 0.52, font: .sans(9),
        alignment: .right, color: muted)
      y += max(labelHeight, detailHeight) + 5
    }
    writer.line(from: (tableX, y), to: (tableX + tableWidth, y), width: 0.6, gray: 0.55)
    y += 6
    let total =
      snapshot.modules.count > 1
      ? "Insgesamt \(snapshot.totalUE) Unterrichtseinheiten (UE) zu je \(snapshot.ueMinutes) Minuten"
      : "Eine Unterrichtseinheit (UE) umfasst \(snapshot.ueMinutes) Minuten"
    writer.text(total, x: tableX, y: y, width: tableWidth, font: .sans(8.5), alignment: .center, color: muted)

    // Place and date, signatures.
    let signatureTop = height - 250
    writer.text(
      "\(snapshot.place), den \(snapshot.issuedOn.german)", x: margin, y: signatureTop, width: content,
      font: .serif(11.5), alignment: .left, color: ink)
    let count = max(1, snapshot.signatories.count)
    let gap = 24.0
    let slot = (content - gap * Double(count - 1)) / Double(count)
    for (index, signatory) in snapshot.signatories.enumerated() {
      let x = margin + Double(index) * (slot + gap)
      let lineY = signatureTop + 62
      writer.line(from: (x, lineY), to: (x + slot, lineY), width: 0.6, gray: 0.3)
      let nameHeight = writer.text(
        signatory.name, x: x, y: lineY + 4, width: slot, font: .sans(8.5, bold: true), alignment: .center, color: ink)
      writer.text(signatory.role, x: x, y: lineY + 5 + nameHeight, width: slot, font: .sans(8), alignment: .center, color: muted)
    }

    // Serial and verification.
    let qrSize = 92.0
    let qrX = width - margin - qrSize + 6
    let qrY = height - 56 - qrSize - 6
    try writer.qrCode(snapshot.qrPayload, x: qrX, y: qrY, size: qrSize)
    let footerWidth = content - qrSize - 10
    let footerY = height - 118
    writer.text(
      "Zertifikatsnummer \(snapshot.serial)", x: margin, y: footerY, width: footerWidth, font: .sans(9, bold: true), color: ink)
    writer.text(
      "Echtheit und Gültigkeit prüfen: \(snapshot.verificationURL)\nAbgeschlossen am \(snapshot.completedOn.german) · Programm \(snapshot.programmeCode), Version \(snapshot.programmeVersion)"
        + (snapshot.keyID.map { " · signiert mit Schlüssel \($0)" } ?? ""),
      x: margin, y: footerY + 13, width: footerWidth, font: .sans(7.5), color: muted, lineSpacing: 1.1)
    return try writer.finish()
  }
}
