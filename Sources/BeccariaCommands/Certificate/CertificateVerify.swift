import ArgumentParser
import BeccariaCore
import BeccariaStore
import Foundation

/// `beccaria certificate verify`.
struct CertificateVerify: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify",
    abstract: "Tell a genuine, current certificate from an edited, revoked, replaced or unknown one.",
    discussion: """
      INPUT is a PDF file (its exact bytes must be those issued), a serial number, or the \
      content of the QR code (the URL or the bare BQ1 token; a file holding it, or - for \
      standard input). The QR code's signature is checked with the registered public keys, or \
      offline with --public-key files only.

      Exit status: 0 valid, 3 revoked, 4 superseded, 5 unknown, 6 forged (not genuine), \
      7 signed by an unknown key, 1 the check itself failed, 64 usage.

      Example:
        beccaria certificate verify zertifikate/2026/BQ-2026-000042.pdf
        beccaria certificate verify BQ-2026-000042
        zbarimg -q --raw scan.png | beccaria certificate verify --offline --public-key lpr.pub.pem -
      """)

  @OptionGroup var global: GlobalOptions
  @Argument(help: ArgumentHelp("PDF file, serial number, QR payload, or - for standard input.", valueName: "input"))
  var input: String
  @Option(help: ArgumentHelp("Public key file (PEM) to trust besides the registered keys; repeatable.", valueName: "file"))
  var publicKey: [String] = []
  @Flag(help: "Check without a database: only a QR payload's signature, with --public-key.") var offline = false
  @Option(help: "Output format: table or json.") var format: OutputFormat = .table

  func validate() throws {
    if format == .csv { throw ValidationError("certificate verify prints table or json.") }
    if offline && publicKey.isEmpty { throw ValidationError("--offline needs at least one --public-key file.") }
    if input.isEmpty { throw ValidationError("give a PDF file, a serial number or a QR payload.") }
  }

  static func exitCode(_ verdict: VerificationVerdict) -> Int32 {
    switch verdict {
    case .valid: 0
    case .revoked: 3
    case .superseded: 4
    case .unknown: 5
    case .forged: 6
    case .unknownKey: 7
    }
  }

  enum Subject {
    case pdf(Data)
    case serial(String)
    case payload(VerificationPayload)
  }

  func subject() throws -> Subject {
    var data: Data?
    if input == "-" {
      data = FileHandle.standardInput.readDataToEndOfFile()
    } else if FileManager.default.fileExists(atPath: input) {
      guard let contents = FileManager.default.contents(atPath: input) else { throw CommandFailure("\(input) cannot be read") }
      data = contents
    }
    if let data {
      if data.starts(with: Data("%PDF-".utf8)) { return .pdf(data) }
      let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
      if SerialNumber.parse(text) != nil { return .serial(text) }
      return .payload(try VerificationPayload.parse(text))
    }
    if SerialNumber.parse(input) != nil { return .serial(input) }
    if input.contains(VerificationPayload.marker + ".") { return .payload(try VerificationPayload.parse(input)) }
    throw CommandFailure("\(input) is neither a file, a serial number (BQ-2026-000042) nor a certificate's QR payload")
  }

  func run() throws {
    let result: VerificationResult = try reportingFailures {
      let keys = try publicKey.flatMap { path -> [PublicSigningKey] in
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
          throw CommandFailure("the public key file \(path) cannot be read")
        }
        // A file may hold several keys (keys export-public writes all of them).
        do { return try PublicSigningKey.all(pem: text) } catch { throw CommandFailure("\(path): \(error)") }
      }
      let subject = try subject()
      let verifier = CertificateVerifier(connection: offline ? nil : try global.connect(), publicKeys: keys)
      switch subject {
      case .pdf(let data): return try verifier.verify(pdf: data)
      case .serial(let serial): return try verifier.verify(serial: serial)
      case .payload(let payload): return try verifier.verify(payload: payload)
      }
    }
    try reportingFailures {
      if format == .json {
        print(try JSONOutput.encode(result), terminator: "")
      } else {
        print("\(result.verdict.rawValue.uppercased()): \(result.explanation).")
        func line(_ label: String, _ value: String?) {
          if let value { print("  " + (label + ":").padding(toLength: 13, withPad: " ", startingAt: 0) + value) }
        }
        line("serial", result.serial)
        line("kind", result.kind?.rawValue)
        line("holder", result.holderName)
        line("born", result.birthDate?.german)
        line("programme", result.programme)
        line("modules", result.modules?.joined(separator: ", "))
        line("completed", result.completedOn?.german)
        line("issued", result.issuedOn?.german)
        line("key", result.keyID)
        line("erased", result.holderErasedAt.map { "personal data erased on request, " + GermanTime.dateTime($0) })
        line("revoked", result.revokedAt.map { GermanTime.dateTime($0) + (result.revocationReason.map { ": \($0)" } ?? "") })
        line("replaced by", result.supersededBy)
        if result.verdict == .superseded { line("current", result.currentSerial) }
        line("checked", result.checkedAgainst == "offline" ? "offline, signature only" : "against the register")
      }
    }
    let code = Self.exitCode(result.verdict)
    if code != 0 { throw ExitCode(code) }
  }
}
