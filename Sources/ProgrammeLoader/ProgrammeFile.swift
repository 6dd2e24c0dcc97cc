import BeccariaCore
import Foundation
import Yams

/// Reads a programme definition from YAML and checks it completely: unknown and duplicate keys,
/// missing values, wrong types and the rules of `ProgrammeDefinition.problems()`. Every problem is
/// reported with its path in the file (`modules[1].title`) and its line and column.
public enum ProgrammeFile {
  /// Loads and validates the file at `path`.
  public static func load(path: String) throws -> ProgrammeDefinition {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ProgrammeFileError(
        file: path, problems: [DefinitionProblem(path: "(file)", message: tr("cannot be read: %@", error.localizedDescription))])
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ProgrammeFileError(file: path, problems: [DefinitionProblem(path: "(file)", message: tr("is not UTF-8 text"))])
    }
    return try parse(text, file: path)
  }

  /// Parses and validates YAML text; `file` names it in messages.
  public static func parse(_ text: String, file: String = "<input>") throws -> ProgrammeDefinition {
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch {
      throw ProgrammeFileError(
        file: file, problems: [DefinitionProblem(path: "(syntax)", message: tr("is not valid YAML: %@", "\(error)"))])
    }
    guard let root else {
      throw ProgrammeFileError(file: file, problems: [DefinitionProblem(path: "(file)", message: tr("is empty"))])
    }
    let reader = Reader()
    let definition = reader.definition(root)
    var problems = reader.problems
    if let definition, problems.isEmpty {
      problems += definition.problems().map { problem in
        var located = problem
        located.location = reader.locations[problem.path].map { "\($0.line):\($0.column)" }
        return located
      }
    }
    guard let definition, problems.isEmpty else {
      throw ProgrammeFileError(file: file, problems: problems)
    }
    return definition
  }
}

/// All problems found in one programme file.
public struct ProgrammeFileError: Error, CustomStringConvertible, Sendable {
  public var file: String
  public var problems: [DefinitionProblem]

  /// One line per problem: `FILE:LINE:COLUMN: path: message`.
  public var description: String {
    problems.map { problem in
      "\(file)\(problem.location.map { ":\($0)" } ?? ""): \(problem.path): \(problem.message)"
    }.joined(separator: "\n")
  }
}

/// Walks the YAML node tree, collecting problems instead of stopping at the first.
private final class Reader {
  var problems: [DefinitionProblem] = []
  var locations: [String: Mark] = [:]

  func problem(_ path: String, _ node: Node?, _ message: String) {
    problems.append(DefinitionProblem(path: path, message: message, location: node?.mark.map { "\($0.line):\($0.column)" }))
  }

  /// A mapping's values by key, reporting unknown and duplicate keys.
  func mapping(_ node: Node?, path: String, allowed: Set<String>) -> [String: Node]? {
    guard let node else { return nil }
    guard case .mapping(let mapping) = node else {
      problem(path, node, tr("must be a mapping of keys to values"))
      return nil
    }
    var values: [String: Node] = [:]
    for (keyNode, value) in mapping {
      let key = keyNode.string ?? ""
      let childPath = path.isEmpty ? key : "\(path).\(key)"
      if !allowed.contains(key) {
        problem(childPath, keyNode, tr("is not a known key (known here: %@)", allowed.sorted().joined(separator: ", ")))
      } else if values[key] != nil {
        problem(childPath, keyNode, tr("appears twice"))
      } else {
        values[key] = value
        if let mark = value.mark { locations[childPath] = mark }
      }
    }
    return values
  }

  func required(_ values: [String: Node], _ key: String, _ path: String, parent: Node?) -> Node? {
    let childPath = path.isEmpty ? key : "\(path).\(key)"
    guard let node = values[key] else {
      problem(childPath, parent, tr("is missing"))
      return nil
    }
    if case .scalar(let scalar) = node, scalar.string.isEmpty, scalar.style == .plain {
      problem(childPath, node, tr("is missing a value"))
      return nil
    }
    return node
  }

  func string(_ values: [String: Node], _ key: String, _ path: String, parent: Node?, optional: Bool = false) -> String? {
    let childPath = path.isEmpty ? key : "\(path).\(key)"
    if optional && values[key] == nil { return nil }
    guard let node = required(values, key, path, parent: parent) else { return nil }
    guard case .scalar(let scalar) = node else {
      problem(childPath, node, tr("must be text"))
      return nil
    }
    return scalar.string
  }

  func integer(_ values: [String: Node], _ key: String, _ path: String, parent: Node?) -> Int? {
    let childPath = path.isEmpty ? key : "\(path).\(key)"
    guard let node = required(values, key, path, parent: parent) else { return nil }
    guard let value = node.int else {
      problem(childPath, node, tr("must be a whole number, not \"%@\"", node.string ?? ""))
      return nil
    }
    return value
  }

  func boolean(_ values: [String: Node], _ key: String, _ path: String, parent: Node?) -> Bool? {
    let childPath = path.isEmpty ? key : "\(path).\(key)"
    guard let node = required(values, key, path, parent: parent) else { return nil }
    guard let value = node.bool else {
      problem(childPath, node, tr("must be true or false, not \"%@\"", node.string ?? ""))
      return nil
    }
    return value
  }

  func decimal(_ values: [String: Node], _ key: String, _ path: String, parent: Node?) -> Decimal? {
    let childPath = path.isEmpty ? key : "\(path).\(key)"
    guard let node = required(values, key, path, parent: parent) else { return nil }
    guard node.float != nil, let text = node.string,
      let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    else {
      problem(childPath, node, tr("must be a number such as 0.8, not \"%@\"", node.string ?? ""))
      return nil
    }
    return value
  }

  func sequence(_ values: [String: Node], _ key: String, _ path: String, parent: Node?) -> [Node]? {
    let childPath = path.isEmpty ? key : "\(path).\(key)"
    guard let node = required(values, key, path, parent: parent) else { return nil }
    guard case .sequence(let sequence) = node else {
      problem(childPath, node, tr("must be a list"))
      return nil
    }
    return Array(sequence)
  }

  func definition(_ root: Node) -> ProgrammeDefinition? {
    guard
      let top = mapping(
        root, path: "",
        allowed: ["code", "title", "version", "issuer", "ue_minutes", "completion", "modules", "documents", "mail"])
    else { return nil }
    let code = string(top, "code", "", parent: root)
    let title = string(top, "title", "", parent: root)
    let version = integer(top, "version", "", parent: root)
    let ueMinutes = top["ue_minutes"] == nil ? 45 : integer(top, "ue_minutes", "", parent: root)
    let issuer = required(top, "issuer", "", parent: root).flatMap(issuer)
    let completion = required(top, "completion", "", parent: root).flatMap(completion)
    let modules = sequence(top, "modules", "", parent: root).map { nodes in
      nodes.enumerated().compactMap { module($0.element, path: "modules[\($0.offset)]") }
    }
    let documents = required(top, "documents", "", parent: root).flatMap(documents)
    let mail = top["mail"].map(mail)
    guard let code, let title, let version, let ueMinutes, let issuer, let completion,
      let modules, let documents, problems.isEmpty
    else { return nil }
    return ProgrammeDefinition(
      code: code, title: title, version: version, issuer: issuer, ueMinutes: ueMinutes,
      completion: completion, modules: modules, documents: documents, mail: mail ?? nil)
  }

  func mail(_ node: Node) -> MailTexts? {
    let path = "mail"
    guard
      let values = mapping(
        node, path: path, allowed: ["office", "reminder_days", "attach_certificate", "retention_days", "templates"])
    else { return nil }
    let office = string(values, "office", path, parent: node, optional: true)
    let reminderDays = values["reminder_days"] == nil ? nil : integer(values, "reminder_days", path, parent: node)
    let attach = values["attach_certificate"] == nil ? true : boolean(values, "attach_certificate", path, parent: node)
    let retention = values["retention_days"] == nil ? 30 : integer(values, "retention_days", path, parent: node)
    var templates: [String: MailTemplate] = [:]
    if let templateNode = required(values, "templates", path, parent: node),
      let kinds = mapping(templateNode, path: "\(path).templates", allowed: Set(MailKind.allCases.map(\.rawValue)))
    {
      for (kind, textNode) in kinds {
        let textPath = "\(path).templates.\(kind)"
        guard let texts = mapping(textNode, path: textPath, allowed: ["subject", "body"]) else { continue }
        let subject = string(texts, "subject", textPath, parent: textNode)
        let body = string(texts, "body", textPath, parent: textNode)
        if let subject, let body {
          templates[kind] = MailTemplate(
            subject: subject.trimmingCharacters(in: .whitespacesAndNewlines),
            body: body.trimmingCharacters(in: .whitespacesAndNewlines) + "\n")
        }
      }
    }
    guard let attach, let retention else { return nil }
    return MailTexts(
      office: office, reminderDays: reminderDays ?? nil, attachCertificate: attach, retentionDays: retention,
      templates: templates)
  }

  func issuer(_ node: Node) -> ProgrammeDefinition.Issuer? {
    guard let values = mapping(node, path: "issuer", allowed: ["name", "place"]) else { return nil }
    guard let name = string(values, "name", "issuer", parent: node),
      let place = string(values, "place", "issuer", parent: node)
    else { return nil }
    return .init(name: name, place: place)
  }

  func completion(_ node: Node) -> ProgrammeDefinition.CompletionRules? {
    let path = "completion"
    guard let values = mapping(node, path: path, allowed: ["attendance_threshold", "excused_counts", "project_required"])
    else { return nil }
    let threshold = decimal(values, "attendance_threshold", path, parent: node)
    let excused = boolean(values, "excused_counts", path, parent: node)
    let project = boolean(values, "project_required", path, parent: node)
    guard let threshold, let excused, let project else { return nil }
    return .init(attendanceThreshold: threshold, excusedCounts: excused, projectRequired: project)
  }

  func module(_ node: Node, path: String) -> ProgrammeDefinition.Module? {
    guard let values = mapping(node, path: path, allowed: ["number", "title", "blocks"]) else { return nil }
    let number = integer(values, "number", path, parent: node)
    let title = string(values, "title", path, parent: node)
    let blocks = sequence(values, "blocks", path, parent: node).map { nodes in
      nodes.enumerated().compactMap { block($0.element, path: "\(path).blocks[\($0.offset)]") }
    }
    guard let number, let title, let blocks else { return nil }
    return .init(number: number, title: title, blocks: blocks)
  }

  func block(_ node: Node, path: String) -> ProgrammeDefinition.Block? {
    guard let values = mapping(node, path: path, allowed: ["title", "ue"]) else { return nil }
    let title = string(values, "title", path, parent: node)
    let ue = integer(values, "ue", path, parent: node)
    guard let title, let ue else { return nil }
    return .init(title: title, ue: ue)
  }

  func documents(_ node: Node) -> ProgrammeDefinition.Documents? {
    let path = "documents"
    guard
      let values = mapping(
        node, path: path,
        allowed: ["zertifikat", "teilnahmebescheinigung", "signatories", "verification_url", "verification_page"])
    else { return nil }
    let zertifikat = required(values, "zertifikat", path, parent: node).flatMap { documentText($0, path: "\(path).zertifikat") }
    let teilnahme = required(values, "teilnahmebescheinigung", path, parent: node).flatMap {
      documentText($0, path: "\(path).teilnahmebescheinigung")
    }
    let signatories = sequence(values, "signatories", path, parent: node).map { nodes in
      nodes.enumerated().compactMap { signatory($0.element, path: "\(path).signatories[\($0.offset)]") }
    }
    let url = string(values, "verification_url", path, parent: node)
    let page = values["verification_page"].map { verificationPage($0, path: "\(path).verification_page") }
    guard let zertifikat, let teilnahme, let signatories, let url, page ?? nil != nil || page == nil else { return nil }
    return .init(
      zertifikat: zertifikat, teilnahmebescheinigung: teilnahme, signatories: signatories, verificationURL: url,
      verificationPage: page ?? nil)
  }

  func verificationPage(_ node: Node, path: String) -> ProgrammeDefinition.VerificationPage? {
    guard let values = mapping(node, path: path, allowed: ["imprint", "privacy", "accessibility"]) else { return nil }
    let imprint = string(values, "imprint", path, parent: node)
    let privacy = string(values, "privacy", path, parent: node)
    let accessibility = string(values, "accessibility", path, parent: node)
    guard let imprint, let privacy, let accessibility else { return nil }
    return .init(imprint: imprint, privacy: privacy, accessibility: accessibility)
  }

  func documentText(_ node: Node, path: String) -> ProgrammeDefinition.DocumentText? {
    guard let values = mapping(node, path: path, allowed: ["heading", "body", "award"]) else { return nil }
    let heading = string(values, "heading", path, parent: node)
    let body = string(values, "body", path, parent: node)
    let award = string(values, "award", path, parent: node, optional: true)
    guard let heading, let body else { return nil }
    return .init(heading: heading, body: body.trimmingCharacters(in: .whitespacesAndNewlines), award: award)
  }

  func signatory(_ node: Node, path: String) -> ProgrammeDefinition.Signatory? {
    guard let values = mapping(node, path: path, allowed: ["name", "role"]) else { return nil }
    let name = string(values, "name", path, parent: node)
    let role = string(values, "role", path, parent: node)
    guard let name, let role else { return nil }
    return .init(name: name, role: role)
  }
}
