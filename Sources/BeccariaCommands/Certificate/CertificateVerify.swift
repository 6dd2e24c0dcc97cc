import ArgumentParser
import BeccariaCore
import BeccariaStore
import Files
import Foundation
import Signing

#if canImport(Glibc)
  import Glibc
#endif

extension CertificateCommand {
  /// `beccaria certificate verify`.
  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "verify",
      abstract: tr("Tell a genuine, current certificate from an edited, revoked, replaced or unknown one."),
      discussion: tr(
        """
        INPUT is a PDF file (its exact bytes must be those issued; a file is read as a PDF when \
        %PDF- starts within its first kilobyte, as PDF readers do), a serial number, or the content \
        of the QR code or the printed address (…/pruefen#c=BQ2…, …?c=BQ1…, …?nr=BQ-2026-000042, or \
        the bare token; a file holding nothing else, or - for \
        standard input). Input is read up to 16 MiB. The QR code's signature is checked with the \
        registered public keys, or offline with --public-key files only (a key's file says when it \
        was retired; codes dated later are refused).

        A PDF whose bytes differ from the issued file but that carries a genuine code (re-saved, \
        printed to PDF, passed through a mail gateway) is "not-original": not proof by itself; \
        the code's own verdict is shown. Only a code that fails its signature, or a serial never \
        issued, is "forged".

        Exit status: 0 valid, 3 revoked, 4 superseded, 5 unknown, 6 forged (not genuine), \
        7 signed by an unknown key, 8 not the original file (see above), 1 the check itself \
        failed, 64 usage.

        Example:
          beccaria certificate verify zertifikate/2026/BQ-2026-000042.pdf
          beccaria certificate verify BQ-2026-000042
          zbarimg -q --raw scan.png | beccaria certificate verify --offline \\
            --public-key lpr.pub.pem -
        """))

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(tr("PDF file, serial number, QR payload, or - for standard input."), valueName: "input"))
    var input: String
    @Option(help: ArgumentHelp(tr("Public key file (PEM) to trust besides the registered keys; repeatable."), valueName: "file"))
    var publicKey: [String] = []
    @Flag(help: ArgumentHelp(tr("Check without a database: only a QR payload's signature, with --public-key."))) var offline =
      false
    @Option(help: ArgumentHelp(tr("Output format: table or json."))) var format: OutputFormat = .table

    func validate() throws {
      if format == .csv { throw ValidationError(tr("certificate verify prints table or json.")) }
      if offline && publicKey.isEmpty { throw ValidationError(tr("--offline needs at least one --public-key file.")) }
      if input.isEmpty { throw ValidationError(tr("give a PDF file, a serial number or a QR payload.")) }
    }

    static func exitCode(_ verdict: VerificationVerdict) -> Int32 {
      switch verdict {
      case .valid: 0
      case .revoked: 3
      case .superseded: 4
      case .unknown: 5
      case .forged: 6
      case .unknownKey: 7
      case .notOriginal: 8
      }
    }

    enum Subject {
      case pdf(Data)
      case serial(String)
      case payload(VerificationPayload)
    }

    /// Inputs larger than this are not certificates (an issued PDF is about 40 KB): 16 MiB.
    static let maximumInput = 16 << 20
    /// PDF readers take a file as a PDF when `%PDF-` starts within its first kilobyte, whatever
    /// comes before; verification does the same, so junk in front of a PDF cannot make it pass
    /// as something else (the file's bytes are then checked, and differ).
    static let pdfHeaderWindow = 1024

    static func isPDF(_ data: Data) -> Bool {
      data.prefix(pdfHeaderWindow).range(of: Data("%PDF-".utf8)) != nil
    }

    /// The input's bytes when it is a file or `-`; nil when it is meant as text on the command line.
    func readInput() throws -> Data? {
      let descriptor: Int32
      if input == "-" {
        descriptor = STDIN_FILENO
      } else if FileManager.default.fileExists(atPath: input) {
        // Without O_NONBLOCK, opening a named pipe waits for a writer for ever; only a regular
        // file is read (standard input is `-`).
        descriptor = open(input, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw CommandFailure(tr("%@ cannot be read: %@", input, String(cString: strerror(errno)))) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
          close(descriptor)
          throw CommandFailure(tr("%@ is not a regular file; give a PDF file, or - to read standard input", input))
        }
      } else {
        return nil
      }
      defer { if descriptor != STDIN_FILENO { close(descriptor) } }
      guard let data = SafeFile.readAll(descriptor, limit: Self.maximumInput) else {
        throw CommandFailure(
          tr("%@ cannot be read: %@", input == "-" ? tr("standard input") : input, String(cString: strerror(errno))))
      }
      if data.count > Self.maximumInput {
        throw CommandFailure(
          tr(
            "%@ is larger than 16 MiB; a certificate PDF is about 40 KB, a code a line of text",
            input == "-" ? tr("standard input") : input)
        )
      }
      return data
    }

    /// The serial of a printed verification address (`https://…/pruefen?nr=BQ-2026-000042`).
    static func printedSerial(_ text: String) -> String? {
      guard let components = URLComponents(string: text), components.scheme == "https" || components.scheme == "http",
        let serial = components.queryItems?.first(where: { $0.name == "nr" })?.value, SerialNumber.parse(serial) != nil
      else { return nil }
      return serial
    }

    func subject() throws -> Subject {
      if let data = try readInput() {
        if Self.isPDF(data) { return .pdf(data) }
        // Anything else must be a code and nothing else: a serial, or the QR code's URL or token,
        // alone (a document that merely contains a genuine token is not that certificate).
        let what = input == "-" ? tr("standard input") : input
        guard data.count <= 8192, let text = String(data: data, encoding: .utf8) else {
          throw CommandFailure(tr("%@ is neither a PDF nor a certificate code (a serial number, or the QR code's content)", what))
        }
        let code = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let scalar = code.unicodeScalars.first(where: { InertText.isControl($0) || $0.properties.isWhitespace }) {
          throw CommandFailure(
            tr(
              "%@ is not a certificate code alone: it holds %@; give a PDF, a serial number or the QR code's content on one line",
              what, InertText.name(scalar)))
        }
        if SerialNumber.parse(code) != nil { return .serial(code) }
        if let serial = Self.printedSerial(code) { return .serial(serial) }
        return .payload(try VerificationPayload.parse(code))
      }
      if SerialNumber.parse(input) != nil { return .serial(input) }
      if input.contains(VerificationPayload.marker + ".") || input.contains(VerificationPayload.compactMarker + ".") {
        return .payload(try VerificationPayload.parse(input))
      }
      if let serial = Self.printedSerial(input) { return .serial(serial) }
      throw CommandFailure(tr("%@ is neither a file, a serial number (BQ-2026-000042) nor a certificate's QR payload", input))
    }

    /// The verdict as the first word of the answer: VALID, REVOKED, … (GÜLTIG, WIDERRUFEN, …).
    static func verdictWord(_ verdict: String) -> String {
      switch verdict {
      case "valid": return tr("VALID")
      case "revoked": return tr("REVOKED")
      case "superseded": return tr("SUPERSEDED")
      case "unknown": return tr("UNKNOWN")
      case "forged": return tr("FORGED")
      case "unknown-key": return tr("UNKNOWN-KEY")
      case "not-original": return tr("NOT-ORIGINAL")
      default: return verdict.uppercased()
      }
    }

    func run() throws {
      let result: VerificationResult = try reportingFailures {
        let keys = try publicKey.flatMap { path -> [PublicSigningKey] in
          guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure(tr("the public key file %@ cannot be read", path))
          }
          // A file may hold several keys (keys export-public writes all of them).
          do { return try PublicSigningKey.all(pem: text) } catch { throw CommandFailure("\(path): \(error)") }
        }
        let subject = try subject()
        let verifier = CertificateVerifier(connection: offline ? nil : try global.connect(), publicKeys: keys)
        return try format.content {
          switch subject {
          case .pdf(let data): return try verifier.verify(pdf: data)
          case .serial(let serial): return try verifier.verify(serial: serial)
          case .payload(let payload): return try verifier.verify(payload: payload)
          }
        }
      }
      try reportingFailures {
        if format == .json {
          print(try JSONOutput.encode(result), terminator: "")
        } else {
          // Every value may come from a presented code (a forgery's claim fields) or from free
          // text: each is escaped on its own line, line feeds included, so that none can print a
          // line that looks like a verdict.
          print("\(Self.verdictWord(result.verdict.rawValue)): \(InertText.escape(result.explanation)).")
          func line(_ label: String, _ value: String?) {
            if let value {
              print(CertificateCommand.Show.field(label) + InertText.escape(value))
            }
          }
          line(tr("serial"), result.serial)
          line(tr("kind"), result.kind.map { Term.word($0.rawValue) })
          line(tr("holder"), result.holderName)
          line(tr("born"), result.birthDate.map(Reader.date))
          line(tr("programme"), result.programme)
          line(tr("modules"), result.modules?.joined(separator: ", "))
          line(tr("completed"), result.completedOn.map(Reader.date))
          line(tr("issued"), result.issuedOn.map(Reader.date))
          line(tr("key"), result.keyID)
          line(tr("erased"), result.holderErasedAt.map { tr("personal data erased on request, %@", Reader.dateTime($0)) })
          line(tr("revoked"), result.revokedAt.map { Reader.dateTime($0) + (result.revocationReason.map { ": \($0)" } ?? "") })
          line(tr("replaced by"), result.supersededBy)
          if result.verdict == .superseded { line(tr("current"), result.currentSerial) }
          line(tr("code"), result.codeVerdict.map { tr("genuine, %@", Term.word($0.rawValue)) })
          line(tr("checked"), result.checkedAgainst == "offline" ? tr("offline, signature only") : tr("against the register"))
        }
      }
      let code = Self.exitCode(result.verdict)
      if code != 0 { throw ExitCode(code) }
    }
  }
}
