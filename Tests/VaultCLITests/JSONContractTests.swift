import Foundation
import Testing
import VaultCore

// docs/JSON.md is the contract for scripts. These tests parse it (the field tables, each
// command's "Output:" line and example, the error kinds) and hold the real binary's --json
// output to it: a field added, renamed, retyped or dropped on one side only fails here.

/// A JSON value as written, keys in their order (JSONSerialization loses that, and cannot
/// tell 1 from true on Linux).
indirect enum ContractJSON {
  case null, bool(Bool), integer(Int64), number(Double), string(String), array([ContractJSON]), object([(String, ContractJSON)])

  /// Parses one JSON document (nothing may follow it but white space); nil if it is not JSON.
  static func parse(_ text: String) -> ContractJSON? {
    var p = Parser(bytes: Array(text.utf8))
    guard let value = p.value() else { return nil }
    p.skipSpace()
    return p.at == p.bytes.count ? value : nil
  }

  private struct Parser {
    let bytes: [UInt8]
    var at = 0

    mutating func skipSpace() { while at < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[at]) { at += 1 } }

    mutating func literal(_ word: String) -> Bool {
      let w = Array(word.utf8)
      guard bytes.count - at >= w.count, Array(bytes[at..<at + w.count]) == w else { return false }
      at += w.count
      return true
    }

    mutating func value() -> ContractJSON? {
      skipSpace()
      guard at < bytes.count else { return nil }
      switch bytes[at] {
      case UInt8(ascii: "{"):
        at += 1
        var members: [(String, ContractJSON)] = []
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
        while true {
          skipSpace()
          guard let key = string() else { return nil }
          skipSpace()
          guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { return nil }
          at += 1
          guard let v = value() else { return nil }
          members.append((key, v))
          skipSpace()
          guard at < bytes.count else { return nil }
          if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
          if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
          return nil
        }
      case UInt8(ascii: "["):
        at += 1
        var items: [ContractJSON] = []
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
        while true {
          guard let v = value() else { return nil }
          items.append(v)
          skipSpace()
          guard at < bytes.count else { return nil }
          if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
          if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
          return nil
        }
      case UInt8(ascii: "\""): return string().map { .string($0) }
      case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
      case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
      case UInt8(ascii: "n"): return literal("null") ? .null : nil
      default: return number()
      }
    }

    mutating func number() -> ContractJSON? {
      let start = at
      var integral = true
      while at < bytes.count, "-+0123456789.eE".utf8.contains(bytes[at]) {
        if ".eE".utf8.contains(bytes[at]) { integral = false }
        at += 1
      }
      let text = String(decoding: bytes[start..<at], as: UTF8.self)
      if integral, let i = Int64(text) { return .integer(i) }
      return Double(text).map { .number($0) }
    }

    mutating func string() -> String? {
      guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { return nil }
      at += 1
      var out: [UInt8] = []
      while at < bytes.count {
        let b = bytes[at]
        at += 1
        switch b {
        case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
        case UInt8(ascii: "\\"):
          guard at < bytes.count else { return nil }
          let e = bytes[at]
          at += 1
          switch e {
          case UInt8(ascii: "n"): out.append(0x0A)
          case UInt8(ascii: "t"): out.append(0x09)
          case UInt8(ascii: "r"): out.append(0x0D)
          case UInt8(ascii: "b"): out.append(0x08)
          case UInt8(ascii: "f"): out.append(0x0C)
          case UInt8(ascii: "u"):
            guard var scalar = hex4() else { return nil }
            if (0xD800..<0xDC00).contains(scalar), literal("\\u"), let low = hex4() { scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) }
            out += Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
          default: out.append(e)
          }
        default: out.append(b)
        }
      }
      return nil
    }

    mutating func hex4() -> UInt32? {
      guard bytes.count - at >= 4, let v = UInt32(String(decoding: bytes[at..<at + 4], as: UTF8.self), radix: 16) else { return nil }
      at += 4
      return v
    }
  }
}

/// docs/JSON.md, parsed.
struct JSONContract {
  /// A field's type, as the tables spell it.
  indirect enum FieldType: CustomStringConvertible {
    case string, time, day, integer, number, boolean, stringMap
    case array(FieldType)
    case object(String)

    /// "string", "string (time)", "array of `note`", "`client`"…; nil for anything else.
    init?(_ text: String) {
      let t = text.trimmingCharacters(in: .whitespaces)
      switch t {
      case "string": self = .string
      case "string (time)": self = .time
      case "string (day)": self = .day
      case "integer": self = .integer
      case "number": self = .number
      case "boolean": self = .boolean
      case "object of string": self = .stringMap
      default:
        if t.hasPrefix("array of "), let element = FieldType(String(t.dropFirst("array of ".count))) {
          self = .array(element)
        } else if t.count > 2, t.hasPrefix("`"), t.hasSuffix("`") {
          self = .object(String(t.dropFirst().dropLast()))
        } else {
          return nil
        }
      }
    }

    var description: String {
      switch self {
      case .string: "string"
      case .time: "string (time)"
      case .day: "string (day)"
      case .integer: "integer"
      case .number: "number"
      case .boolean: "boolean"
      case .stringMap: "object of string"
      case .array(let e): "array of \(e)"
      case .object(let n): "`\(n)`"
      }
    }
  }

  /// One row of an object's table.
  struct Field {
    let name: String
    let type: FieldType
    let required: Bool
  }

  /// Object name → its fields, in table order.
  var objects: [String: [Field]] = [:]
  /// "vault client add" → its output type; and the example printed under it.
  var commands: [String: FieldType] = [:]
  var examples: [String: String] = [:]
  /// Error kind → exit status.
  var errorKinds: [String: Int32] = [:]
  /// Lines the parser could not read (a table row with an unknown type, a command without "Output:").
  var problems: [String] = []

  /// The repository's root, found from this file's path.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static func load() throws -> JSONContract {
    try JSONContract(markdown: String(contentsOf: root.appendingPathComponent("docs/JSON.md"), encoding: .utf8))
  }

  init(markdown: String) {
    var section = ""
    var heading = ""
    var inExample = false
    for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = String(raw)
      if line.hasPrefix("## ") {
        section = String(line.dropFirst(3))
        heading = ""
        continue
      }
      if line.hasPrefix("### ") {
        heading = Self.between(line, "`", "`") ?? ""
        continue
      }
      switch section {
      case "Commands" where heading.hasPrefix("vault "):
        if line.hasPrefix("```json") { inExample = true; continue }
        if line.hasPrefix("```") { inExample = false; continue }
        if inExample {
          if examples[heading] == nil { examples[heading] = line } else { problems.append("\(heading): more than one example line") }
        } else if let range = line.range(of: "Output: ") {
          let rest = line[range.upperBound...]
          let spelled = rest.hasPrefix("array of ") ? "array of `" + (Self.between(String(rest), "`", "`") ?? "") + "`" : "`" + (Self.between(String(rest), "`", "`") ?? "") + "`"
          if let type = FieldType(spelled) { commands[heading] = type } else { problems.append("\(heading): unreadable output line: \(line)") }
        }
      case "Objects" where !heading.isEmpty:
        let cells = Self.cells(line)
        guard cells.count == 4, let name = Self.between(cells[0], "`", "`") else { continue }
        guard let type = FieldType(cells[1]) else {
          problems.append("\(heading).\(name): unknown type '\(cells[1])'")
          continue
        }
        objects[heading, default: []].append(Field(name: name, type: type, required: cells[2] == "always"))
      case "Error kinds":
        let cells = Self.cells(line)
        guard cells.count == 3, let kind = Self.between(cells[0], "`", "`") else { continue }
        guard let code = Int32(cells[1]) else {
          problems.append("error kind \(kind): exit status '\(cells[1])' is not a number")
          continue
        }
        if errorKinds.updateValue(code, forKey: kind) != nil { problems.append("error kind \(kind) is listed twice") }
      default: break
      }
    }
    for (command, type) in commands where examples[command] == nil { problems.append("\(command) (\(type)) has no example") }
  }

  /// The text between the first `open` and the next `close`.
  static func between(_ s: String, _ open: Character, _ close: Character) -> String? {
    guard let a = s.firstIndex(of: open) else { return nil }
    let rest = s[s.index(after: a)...]
    guard let b = rest.firstIndex(of: close) else { return nil }
    return String(rest[..<b])
  }

  /// The cells of a Markdown table row (nothing for other lines and the ---- row).
  static func cells(_ line: String) -> [String] {
    guard line.hasPrefix("|"), !line.hasPrefix("| --") else { return [] }
    return line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingCharacters(in: .whitespaces) }
  }

  /// Every way `value` breaks the contract for `type`, each naming where (`at`).
  func check(_ value: ContractJSON, as type: FieldType, at path: String) -> [String] {
    switch (type, value) {
    case (_, .null): return ["\(path): null (absent values are omitted)"]
    case (.string, .string(let s)), (.time, .string(let s)), (.day, .string(let s)):
      if s.isEmpty { return ["\(path): empty string (absent values are omitted)"] }
      if case .time = type, s.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) == nil { return ["\(path): '\(s)' is not an ISO 8601 UTC time"] }
      if case .day = type, s.wholeMatch(of: /\d{4}-\d\d-\d\d/) == nil { return ["\(path): '\(s)' is not a day (YYYY-MM-DD)"] }
      return []
    case (.integer, .integer), (.number, .integer), (.number, .number), (.boolean, .bool): return []
    case (.stringMap, .object(let members)):
      return Self.keyOrder(members, at: path) + members.flatMap { check($0.1, as: .string, at: "\(path).\($0.0)") }
    case (.array(let element), .array(let items)):
      return items.enumerated().flatMap { check($0.element, as: element, at: "\(path)[\($0.offset)]") }
    case (.object(let name), .object(let members)):
      guard let fields = objects[name] else { return ["\(path): docs/JSON.md has no table for `\(name)`"] }
      var issues = Self.keyOrder(members, at: path)
      let known = Dictionary(fields.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
      for (key, v) in members {
        guard let field = known[key] else {
          issues.append("\(path).\(key): not in the table of `\(name)`")
          continue
        }
        issues += check(v, as: field.type, at: "\(path).\(key)")
      }
      let present = Set(members.map(\.0))
      for f in fields where f.required && !present.contains(f.name) { issues.append("\(path).\(f.name): missing, but `\(name)` has it always") }
      return issues
    default:
      return ["\(path): expected \(type), got \(Self.kindName(value))"]
    }
  }

  /// Keys sorted and not repeated.
  static func keyOrder(_ members: [(String, ContractJSON)], at path: String) -> [String] {
    let keys = members.map(\.0)
    var issues: [String] = []
    if keys != keys.sorted() { issues.append("\(path): keys not sorted: \(keys)") }
    if Set(keys).count != keys.count { issues.append("\(path): a key is repeated: \(keys)") }
    return issues
  }

  static func kindName(_ v: ContractJSON) -> String {
    switch v {
    case .null: "null"
    case .bool: "boolean"
    case .integer: "integer"
    case .number: "number"
    case .string: "string"
    case .array: "array"
    case .object: "object"
    }
  }
}

/// Runs commands of one scenario and keeps what each printed, by command name.
final class ContractRecorder {
  let s: CLISandbox
  /// "vault client add" → every run of it.
  var runs: [String: [CLISandbox.Result]] = [:]
  /// Added to every run's environment.
  let env: [String: String]

  init(_ s: CLISandbox, env: [String: String] = [:]) {
    self.s = s
    self.env = env
  }

  /// Runs `args` (with the sandbox vault and passphrase unless `vault` is false) plus --json,
  /// records it under `name`, and requires exit status `status`.
  @discardableResult
  func run(_ name: String, _ args: [String], vault: Bool = true, status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws
    -> CLISandbox.Result
  {
    let r = vault ? try s.vaultRun(args + ["--json"], env: env) : try s.run(args + ["--json"], env: env)
    #expect(r.status == status, "\(name) \(args): exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
    runs[name, default: []].append(r)
    return r
  }

  /// A field of a JSON object printed by a run.
  static func field(_ r: CLISandbox.Result, _ key: String) -> String? {
    guard case .object(let members)? = ContractJSON.parse(r.stdout) else { return nil }
    for (k, v) in members where k == key { if case .string(let s) = v { return s } }
    return nil
  }
}

@Suite("docs/JSON.md holds every command's --json output")
struct JSONContractTests {
  @Test("the document parses: every table row has a known type, every command an output and an example")
  func documentParses() throws {
    let contract = try JSONContract.load()
    #expect(contract.problems.isEmpty, "\(contract.problems)")
    #expect(contract.commands.count >= 50, "\(contract.commands.keys.sorted())")
    // Every object a table or an output names has its own table.
    var named: [String] = []
    func collect(_ t: JSONContract.FieldType) {
      switch t {
      case .object(let n): named.append(n)
      case .array(let e): collect(e)
      default: break
      }
    }
    contract.commands.values.forEach(collect)
    contract.objects.values.flatMap { $0 }.map(\.type).forEach(collect)
    for n in Set(named) { #expect(contract.objects[n] != nil, "`\(n)` is used but has no table") }
  }

  @Test("each example in the document matches its own table")
  func examplesMatchTables() throws {
    let contract = try JSONContract.load()
    for (command, type) in contract.commands {
      let example = try #require(contract.examples[command], "\(command) has no example")
      let value = try #require(ContractJSON.parse(example), "\(command): the example is not JSON")
      let issues = contract.check(value, as: type, at: command)
      #expect(issues.isEmpty, "\(issues)")
    }
  }

  @Test("every command whose help offers --json is in the document, and only those")
  func everyJSONCommandIsDocumented() throws {
    let s = try CLISandbox()
    var offering: Set<String> = []
    var groups: [[String]] = [[]]
    while let path = groups.popLast() {
      let help = try s.run(path + ["--help"])
      #expect(help.status == 0, "\(path): \(help.stderr)")
      guard let listed = help.stdout.range(of: "SUBCOMMANDS:") else {
        if help.stdout.contains("--json") { offering.insert((["vault"] + path).joined(separator: " ")) }
        continue
      }
      for line in help.stdout[listed.upperBound...].split(separator: "\n") {
        if let m = line.prefixMatch(of: /\ \ ([a-z][a-z-]*)[ (]/) { groups.append(path + [String(m.1)]) }
      }
    }
    let documented = Set(try JSONContract.load().commands.keys)
    #expect(offering.subtracting(documented).isEmpty, "commands with --json missing from docs/JSON.md: \(offering.subtracting(documented).sorted())")
    #expect(documented.subtracting(offering).isEmpty, "documented commands without --json: \(documented.subtracting(offering).sorted())")
  }

  @Test("every documented command, run on a vault, prints what its table says")
  func commandsMatchTables() throws {
    let contract = try JSONContract.load()
    let s = try CLISandbox()
    let r = ContractRecorder(s)
    let bk = s.root.appendingPathComponent("bk").path
    let exportPass = try s.write("an export passphrase long enough\n", to: "export-pass")
    try r.run("vault init", ["init", "--vault", s.vault, "--passphrase-file", s.passphraseFile, "--kdf", "test", "--recovery-key-out", s.recoveryFile], vault: false)
    try r.run("vault info", ["info"])
    let added = try r.run("vault client add", ["client", "add", "--legal-name", "Ann Lee", "--preferred-name", "Annie", "--dob", "1990-01-01"])
    let c = try #require(ContractRecorder.field(added, "code"), "\(added.stdout)")
    try r.run("vault client add", ["client", "add", "--legal-name", "Bob Roe"])
    try r.run("vault client update", ["client", "update", c, "--phone", "555 0100", "--field", "insurance=Acme 123"])
    try r.run("vault client list", ["client", "list"])
    try r.run("vault client show", ["client", "show", c])
    let note = try s.write("Discussed sleep and work stress.\n", to: "note.txt")
    try r.run("vault add-note", ["add-note", c, "--file", note, "--duration", "50"])
    try r.run("vault note edit", ["note", "edit", c + ".1", "--file", try s.write("Discussed sleep, work stress and exercise.\n", to: "n2")])
    try r.run("vault note list", ["note", "list", c])
    try r.run("vault note sign", ["note", "sign", c + ".1"])
    try r.run("vault note amend", ["note", "amend", c + ".1", "--reason", "typo", "--file", try s.write("45 minutes, not 50.\n", to: "a")])
    try r.run("vault note show", ["note", "show", c + ".1"])
    try r.run("vault search", ["search", "sleep"])
    try r.run("vault import clients", ["import", "clients", try s.write("legal_name,date_of_birth\nCarla Diaz,1985-03-04\n", to: "import.csv")])
    let importDir = s.root.appendingPathComponent("import-notes").path
    try FileManager.default.createDirectory(atPath: importDir, withIntermediateDirectories: true)
    try s.write("---\nclient: Carla Diaz\ndate: 2026-01-05\nminutes: 50\nsigned: true\n---\nAn imported note.\n", to: "import-notes/carla.md")
    try r.run("vault import notes", ["import", "notes", importDir])
    let doc = try s.write("%PDF-1.4 signed form\n", to: "form.pdf")
    try r.run("vault form add", ["form", "add", "--kind", "informed-consent", "--version", "2026-01", "--file", doc])
    try r.run("vault form list", ["form", "list"])
    try r.run("vault practice set", ["practice", "set", "--name", "Riverside Counseling", "--address", "12 Main Street", "--time-zone", "America/Chicago"])
    try r.run("vault practice show", ["practice", "show"])
    try r.run("vault note print", ["note", "print", c + ".1", "--out", s.root.appendingPathComponent("note.html").path])
    try r.run("vault client summary", ["client", "summary", c, "--out", s.root.appendingPathComponent("summary.html").path])
    try r.run("vault consent add", ["consent", "add", c, "--kind", "informed-consent", "--file", doc, "--signed", "today", "--form-version", "2026-01"])
    try r.run("vault consent add", [
      "consent", "add", c, "--kind", "release-of-information", "--file", doc, "--signed", "today", "--expires", s.day(10),
      "--recipient", "Dr. Rivera", "--recipient-address", "1 Main St", "--information", "treatment dates", "--purpose", "coordination of care",
    ])
    try r.run("vault consent list", ["consent", "list", c])
    try r.run("vault consent show", ["consent", "show", c + ".C2"])
    try r.run("vault consent get", ["consent", "get", c + ".C1", "--out", s.root.appendingPathComponent("got.pdf").path])
    // Bob has no informed consent, Ann's release expires within 30 days: both are listed (exit 5).
    try r.run("vault consent check", ["consent", "check"], status: 5)
    try r.run("vault disclose", ["disclose", c, "--to", "Dr. Rivera", "--what", "treatment dates", "--purpose", "coordination of care",
      "--basis", "authorization", "--authorization", c + ".C2"])
    try r.run("vault disclose", ["disclose", c, "--to", "Officer Diaz", "--address", "12 Main St", "--what", "the threat", "--purpose", "warn",
      "--basis", "duty-to-warn", "--reason", "imminent risk"])
    try r.run("vault consent revoke", ["consent", "revoke", c + ".C2", "--reason", "asked by phone"])
    try r.run("vault disclosures", ["disclosures", c])
    try r.run("vault export request", ["export", "request", c, "--note", "by e-mail"])
    try r.run("vault export pending", ["export", "pending"])
    let age = s.root.appendingPathComponent("record.age").path
    try r.run("vault export create", ["export", c, "--out", age, "--export-passphrase-file", exportPass, "--identity-verified", "photo ID"])
    try r.run("vault export create", ["export", "create", c, "--out", s.root.appendingPathComponent("p.age").path, "--passphrase", "--identity-verified", "photo ID"])
    try r.run("vault export create", ["export", c, "--out", s.root.appendingPathComponent("r.age").path, "--identity-verified", "photo ID",
      "--recipient", "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"])
    try r.run("vault export open", ["export", "open", age, "--out", s.root.appendingPathComponent("record.zip").path, "--passphrase-file", exportPass], vault: false)
    try r.run("vault log show", ["log", "show"])
    // A keyless entry, which the keyed `log verify` signs before it looks (RoutineSigning.swift).
    try r.run("vault log head", ["log", "head"])
    try r.run("vault log verify", ["log", "verify"])
    try r.run("vault verify", ["verify"])
    try r.run("vault verify", ["verify", "--keyless"])
    try r.run("vault backup create", ["backup", "--to", bk])
    try r.run("vault backup create", ["backup", "create", "--to", bk])
    try r.run("vault backup list", ["backup", "list", "--to", bk], vault: false)
    try r.run("vault backup verify", ["backup", "verify", "--to", bk], vault: false)
    try r.run("vault backup prune", ["backup", "prune", "--to", bk, "--keep-daily", "1", "--dry-run"], vault: false)
    try r.run("vault restore", ["restore", "--from", bk, "--to", s.root.appendingPathComponent("restored").path], vault: false)
    try r.run("vault client discharge", ["client", "discharge", c, "--reason", "goals met"])
    try r.run("vault passwd", ["passwd", "--new-passphrase-file", try s.write("a new passphrase for ana\n", to: "new-pass")])
    try r.run("vault recovery rotate", ["recovery", "rotate", "--passphrase-file", try s.write("a new passphrase for ana\n", to: "new-pass-2")])

    for other in [try practiceRuns(), try sessionRuns()] { r.runs.merge(other.runs) { $0 + $1 } }

    #expect(Set(r.runs.keys) == Set(contract.commands.keys), "run here but not documented: \(Set(r.runs.keys).subtracting(contract.commands.keys).sorted()); documented but not run: \(Set(contract.commands.keys).subtracting(r.runs.keys).sorted())")
    for (name, results) in r.runs {
      let type = try #require(contract.commands[name], "\(name) is not in docs/JSON.md")
      for result in results {
        #expect(!result.stdout.isEmpty && result.stdout.hasSuffix("\n") && result.stdout.dropLast().firstIndex(of: "\n") == nil,
          "\(name): stdout is not one line: \(result.stdout)")
        let value = try #require(ContractJSON.parse(result.stdout), "\(name): stdout is not one JSON document: \(result.stdout)")
        let issues = contract.check(value, as: type, at: name)
        #expect(issues.isEmpty, "\(issues)\n\(result.stdout)")
        // Standard error holds only notes for people.
        for line in result.stderr.split(separator: "\n") { #expect(line.hasPrefix("vault: "), "\(name): stderr: \(line)") }
      }
    }
  }

  /// The practice commands, on a vault of their own: practitioners of every role, assignment,
  /// emergency access, the log entries that name a practitioner or carry a flag. Sessions are
  /// turned off (VAULT_KEYRING=off), so `vault status` says why.
  func practiceRuns() throws -> ContractRecorder {
    let s = try CLISandbox()
    try s.initVault()
    let r = ContractRecorder(s, env: ["VAULT_KEYRING": "off"])
    let pass = { (name: String) in try s.write("the passphrase of \(name), long enough\n", to: "\(name).pass") }
    let added = try r.run("vault client add", ["client", "add", "--legal-name", "Ann Lee"])
    let c = try #require(ContractRecorder.field(added, "code"), "\(added.stdout)")
    try r.run("vault practitioner add", ["practitioner", "add", "sam", "--role", "supervisor", "--new-passphrase-file", try pass("sam"), "--kdf", "test"])
    try r.run("vault practitioner add", [
      "practitioner", "add", "dana", "--role", "clinician", "--supervisor", "sam", "--new-passphrase-file", try pass("dana"), "--kdf", "test",
    ])
    try r.run("vault practitioner add", ["practitioner", "add", "lee", "--role", "clinician", "--new-passphrase-file", try pass("lee"), "--kdf", "test"])
    try r.run("vault practitioner add", ["practitioner", "add", "audit", "--role", "auditor", "--new-passphrase-file", try pass("audit"), "--kdf", "test"])
    try r.run("vault client assign", ["client", "assign", c, "--to", "dana"])
    try r.run("vault client add", ["client", "add", "--legal-name", "Bob Roe", "--as", "dana", "--passphrase-file", try pass("dana")])
    let listed = try r.run("vault practitioner list", ["practitioner", "list"])
    #expect(listed.stdout.contains("\"clients\":2,") && listed.stdout.contains("\"role\":\"auditor\""), "\(listed.stdout)")
    let emergency = try r.run("vault emergency", ["emergency", c, "--to", "lee", "--reason", "dana on leave"])
    #expect(emergency.stdout.contains("\"assignedTo\":[\"dana\",\"lee\"]"), "\(emergency.stdout)")
    let unassigned = try r.run("vault client unassign", ["client", "unassign", c, "--from", "lee"])
    #expect(unassigned.stdout.contains("\"newKeyEpoch\":true"), "\(unassigned.stdout)")
    try r.run("vault practitioner rename", ["practitioner", "rename", "lee", "leo"])
    let supervised = try r.run("vault practitioner supervise", ["practitioner", "supervise", "leo", "--by", "sam"])
    #expect(supervised.stdout.contains("\"supervisor\":\"sam\""), "\(supervised.stdout)")
    try r.run("vault practitioner supervise", ["practitioner", "supervise", "leo", "--none"])
    // The optional log keys: `flag` on the emergency, `practitioner` on everything since the first practitioner.
    let flagged = try r.run("vault log show", ["log", "show", "--flagged"])
    #expect(flagged.stdout.contains("\"flag\":\"emergency access\"") && flagged.stdout.contains("\"practitioner\":\""), "\(flagged.stdout)")
    let danas = try r.run("vault log show", ["log", "show", "--practitioner", "dana"])
    #expect(danas.stdout.contains("\"action\":\"client-add\""), "\(danas.stdout)")
    try r.run("vault log show", ["log", "show", "--as", "audit", "--passphrase-file", try pass("audit")])
    try r.run("vault practitioner remove", ["practitioner", "remove", "leo"])
    let off = try r.run("vault status", ["status"], status: 1)
    #expect(off.stdout.contains("\"unavailable\":") && off.stdout.contains("\"unlocked\":false"), "\(off.stdout)")
    return r
  }

  /// `unlock`, `status` and `lock` in the real kernel keyring, on a fresh vault (sessions are
  /// per vault); the session is ended at the end, and would expire by itself within 2 minutes.
  func sessionRuns() throws -> ContractRecorder {
    let s = try CLISandbox()
    try s.initVault()
    let r = ContractRecorder(s)
    defer { _ = try? s.run(["lock", "--vault", s.vault]) }
    let none = try r.run("vault status", ["status"], status: 1)
    #expect(none.stdout == "{\"unlocked\":false}\n", "\(none.stdout)")
    try r.run("vault unlock", ["unlock", "--timeout", "2m", "--idle", "1m"])
    let open = try r.run("vault status", ["status"])
    #expect(open.stdout.contains("\"unlocked\":true") && open.stdout.contains("\"idleSeconds\":60"), "\(open.stdout)")
    // Without a passphrase source, the session opens the vault.
    let listed = try s.run(["client", "list", "--vault", s.vault, "--json"])
    #expect(listed.status == 0 && listed.stdout == "[]\n", "\(listed.stderr)")
    let ended = try r.run("vault lock", ["lock"])
    #expect(ended.stdout == "{\"ended\":true}\n", "\(ended.stdout)")
    let again = try r.run("vault lock", ["lock"])
    #expect(again.stdout == "{\"ended\":false}\n", "\(again.stdout)")
    try r.run("vault status", ["status"], status: 1)
    return r
  }

  /// Checks a failed run: nothing (or, for `stdoutAllowed`, one JSON document) on stdout, the
  /// error object as the last line of stderr, its code the exit status and its kind documented
  /// with that status.
  func expectError(_ r: CLISandbox.Result, status: Int32, kind: String, stdoutAllowed: Bool = false, _ contract: JSONContract,
    sourceLocation: SourceLocation = #_sourceLocation)
  {
    #expect(r.status == status, "exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
    if !stdoutAllowed { #expect(r.stdout.isEmpty, "\(r.stdout)", sourceLocation: sourceLocation) }
    let lines = r.stderr.split(separator: "\n").map(String.init)
    for line in lines.dropLast() { #expect(line.hasPrefix("vault: "), "stderr: \(line)", sourceLocation: sourceLocation) }
    guard let last = lines.last, case .object(let members)? = ContractJSON.parse(last), members.count == 1, members[0].0 == "error" else {
      Issue.record("the last line of stderr is not {\"error\":{…}}: \(r.stderr)", sourceLocation: sourceLocation)
      return
    }
    let issues = contract.check(members[0].1, as: .object("error"), at: "error")
    #expect(issues.isEmpty, "\(issues)", sourceLocation: sourceLocation)
    guard case .object(let error) = members[0].1 else { return }
    let fields = Dictionary(error, uniquingKeysWith: { a, _ in a })
    if case .integer(let code)? = fields["code"] { #expect(code == Int64(status), sourceLocation: sourceLocation) }
    if case .string(let k)? = fields["kind"] {
      #expect(k == kind, "\(r.stderr)", sourceLocation: sourceLocation)
      #expect(contract.errorKinds[k] == status, "docs/JSON.md gives \(k) exit \(contract.errorKinds[k].map(String.init) ?? "none")",
        sourceLocation: sourceLocation)
    }
  }

  @Test("an error of each exit status is one JSON object on stderr, as documented")
  func errorsByStatus() throws {
    let contract = try JSONContract.load()
    let s = try CLISandbox()
    try s.initVault()
    try #require(try s.vaultRun(["client", "add", "--legal-name", "Ann Lee"]).status == 0)
    // 1: a failure the message explains.
    expectError(try s.vaultRun(["client", "show", "zed", "--json"]), status: 1, kind: "clientNotFound", contract)
    expectError(try s.run(["info", "--vault", s.root.appendingPathComponent("none").path, "--json"]), status: 1, kind: "vaultNotFound", contract)
    // 2: usage.
    expectError(try s.vaultRun(["client", "list", "--bogus", "--json"]), status: 2, kind: "usage", contract)
    // 3: cannot unlock.
    let wrong = try s.write("not the passphrase at all\n", to: "wrong")
    expectError(try s.run(["client", "list", "--vault", s.vault, "--passphrase-file", wrong, "--json"]), status: 3, kind: "wrongPassphrase", contract)
    // 4: another process holds the lock.
    do {
      let held = try VaultLock(path: s.vault + "/lock", mode: .exclusive)
      expectError(try s.vaultRun(["client", "list", "--json"]), status: 4, kind: "locked", contract)
      withExtendedLifetime(held) {}
    }
    // 10: damage. A report command prints its report (ok false) on stdout and no error object;
    // other commands print the error object.
    let objects = try s.files(in: "objects").flatMap { dir in try FileManager.default.contentsOfDirectory(atPath: dir).map { "\(dir)/\($0)" } }
    try s.flipBit(try #require(objects.first), at: 100)
    expectError(try s.run(["backup", "--to", s.root.appendingPathComponent("bk").path, "--vault", s.vault, "--json"]), status: 10, kind: "integrity", contract)
    let report = try s.run(["verify", "--keyless", "--vault", s.vault, "--json"])
    #expect(report.status == 10)
    let value = try #require(ContractJSON.parse(report.stdout), "\(report.stdout)")
    #expect(contract.check(value, as: .object("verifyReport"), at: "verify").isEmpty, "\(report.stdout)")
    #expect(report.stdout.contains("\"ok\":false") && report.stdout.contains("\"severity\":\"error\""), "\(report.stdout)")
  }

  @Test("log show on a damaged log prints what it read on stdout and the integrity error on stderr")
  func damagedLogShow() throws {
    let contract = try JSONContract.load()
    let s = try CLISandbox()
    try s.initVault()
    for name in ["Ann Lee", "Bob Roe", "Cleo Park", "Dan Wu", "Eve Stone"] {
      try #require(try s.vaultRun(["client", "add", "--legal-name", name]).status == 0)
    }
    // A bit flipped in an entry in the middle: the entries around it are still listed.
    let entries = s.vault + "/log/entries"
    let size = try #require(try FileManager.default.attributesOfItem(atPath: entries)[.size] as? Int)
    try s.flipBit(entries, at: size / 2)
    let r = try s.vaultRun(["log", "show", "--json"])
    expectError(r, status: 10, kind: "integrity", stdoutAllowed: true, contract)
    let value = try #require(ContractJSON.parse(r.stdout), "\(r.stdout)")
    #expect(contract.check(value, as: .array(.object("logEntry")), at: "log show").isEmpty, "\(r.stdout)")
    #expect(r.stdout.contains("\"action\":\"init\""), "\(r.stdout)")
  }

  /// One error of every case the core has, to learn each kind's exit status.
  static let everyError: [VaultError] = {
    let code = ClientCode(value: 1)
    let day = Day(daysSinceEpoch: 20_000)
    let object = ObjectID(hex: String(repeating: "ab", count: 32))!
    let records: [RecordError] = [
      .clientNotFound("x"), .ambiguousClient("x", matches: [code]), .noteNotFound("x"), .invalidNoteID("x"), .invalidDate("x", "y"),
      .invalidField("x"), .noteSigned("x", signedOn: "d", by: "b"), .noteNotSigned("x"), .alreadySigned("x", signedOn: "d", by: "b"),
      .clientDischarged(code, on: day), .clientActive(code), .emptyNote("x"), .notUTF8(source: "s", offset: 0), .noteTooLarge(source: "s", limit: 1),
      .nothingChanged("x"), .invalidItemID("x", example: "e"), .itemNotFound("x"), .unusableFile(path: "p", why: "w"), .disclosureRefused("x"),
      .alreadyRevoked("x", on: day), .alreadyDischarged(code, on: day), .noSuchVersion("x", versions: 1),
      .editConflict("x", by: "b", versions: 1, current: object), .namedTwice("x"), .identityNotVerified, .exportPassphraseTooShort(1),
      .exportNotPlaced("x", because: "y"), .exportFormUnsuitable("x"), .releaseIncomplete("x"), .releaseFieldsOnOtherKind, .binaryToTerminal("x", mediaType: "m"),
      .importInvalid(source: "s", why: "w"), .importRefused(refused: 1, of: 2, unit: "rows"),
    ]
    let backups: [BackupError] = [
      .notARepository("p"), .otherVault("p"), .notWritable("p", "w"), .unknownSnapshot("s"), .noSnapshots, .targetExists("p"), .emptyPolicy, .remote(.invalidLocation("s3:x", reason: "r")),
      .remote(.missingCredentials("m")), .remote(.noSuchBucket(bucket: "b", endpoint: "e")),
    ]
    let vault: [VaultError] = [
      .vaultNotFound(path: "p"), .vaultAlreadyExists(path: "p"), .directoryNotEmpty(path: "p"), .wrongPassphrase, .wrongRecoveryKey,
      .invalidRecoveryKey, .passphraseTooShort(minimum: 12), .passphraseEmpty, .passphraseMismatch, .noPassphraseSource,
      .passphraseSourceFailed("x"), .lockedByAnotherProcess(pid: nil), .integrity([]), .unsupportedFormat(version: 9), .noSpace(path: "p"),
      .io(path: "p", reason: "r"), .notEnoughMemory(slot: "s", mebibytes: 1), .internalError("x"),
      .targetIsLink(path: "p"), .targetIsDirectory(path: "p"), .targetExists(path: "p"), .targetNotRegular(path: "p"),
      .targetAppeared(path: "p"), .noPrivateScratch, .editorFailed("x"), .noSuchSlot(label: "l", labels: "l"), .whichSlot(labels: "l"),
      .samePassphrase, .invalidLabel(maximum: 1), .reservedLabel("l"), .noAgeIdentity(path: "p"), .session("x"),
      .age(.noMatch), .age(.hmacFailure), .age(.headerFailure("x")), .age(.payloadFailure("x")), .age(.invalidRecipient("x")), .age(.invalidIdentity),
      .htmlExport(.wrongPassphrase), .htmlExport(.damaged("x")),
    ]
    return vault + records.map { .record($0) } + backups.map { .backup($0) } + [
      .access(.notOpenedFor(.clientAdd, .keyless)), .access(.notUnlocked),
      .access(.roleRefused(name: "n", role: .auditor, what: "w", allowed: [.owner])), .access(.notAssigned(client: "c", name: "n")),
      .access(.ownerRequired), .access(.unknownPractitioner("n", known: [])), .access(.practitionerExists("n")), .access(.lastOwner("n")),
      .access(.unknownRole("r")), .access(.cannotAssign(name: "n", role: .auditor)), .access(.alreadyAssigned(client: "c", name: "n")),
      .access(.notAssignedTo(client: "c", name: "n")), .access(.tooManyEpochs(maximum: 32)), .access(.tooManyGrants(maximum: 32)),
      .access(.notASupervisor("n")),
    ]
  }()

  @Test("the error kinds in the document are exactly those the code produces, with the same exit statuses")
  func errorKinds() throws {
    let documented = try JSONContract.load().errorKinds
    // Every kind the source spells: the `kind` switches of ExitStatus.swift, and the CLI's usage errors.
    let root = JSONContract.root
    let errors = try String(contentsOf: root.appendingPathComponent("Sources/VaultCore/Errors/ExitStatus.swift"), encoding: .utf8)
    let entry = try String(contentsOf: root.appendingPathComponent("Sources/vault/Entry.swift"), encoding: .utf8)
    var spelled = Set(errors.split(separator: "\n").compactMap { line in line.wholeMatch(of: /\s*case \.[^:]+:\s*"([A-Za-z0-9]+)"\s*/).map { String($0.1) } })
    spelled.formUnion(entry.matches(of: /kind: "([A-Za-z0-9]+)"/).map { String($0.1) })
    #expect(spelled.contains("usage") && spelled.count > 40, "\(spelled.sorted())")
    #expect(spelled.subtracting(documented.keys).isEmpty, "kinds missing from docs/JSON.md: \(spelled.subtracting(documented.keys).sorted())")
    #expect(Set(documented.keys).subtracting(spelled).isEmpty, "documented kinds the code never produces: \(Set(documented.keys).subtracting(spelled).sorted())")
    // The exit status of each: from the core's own mapping.
    var statuses = ["usage": ExitStatus.usage.rawValue]
    for e in Self.everyError { statuses[e.kind] = e.exitStatus.rawValue }
    #expect(Set(statuses.keys) == spelled, "add the new error cases to everyError: \(spelled.subtracting(statuses.keys).sorted())")
    for (kind, status) in statuses { #expect(documented[kind] == status, "\(kind): the code exits \(status), docs/JSON.md says \(documented[kind].map(String.init) ?? "nothing")") }
  }
}
