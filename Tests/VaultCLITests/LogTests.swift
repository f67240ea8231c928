import Foundation
import Testing

/// The records of `log/entries`, split by their framing: u32 L ‖ u64 seq ‖ body ‖ chain ‖ u32 L.
func logRecords(_ s: CLISandbox) throws -> (header: Data, records: [Data]) {
  let data = try Data(contentsOf: URL(fileURLWithPath: s.vault + "/log/entries"))
  var records: [Data] = []
  var offset = 8
  while offset < data.count {
    let b = data[data.startIndex + offset..<data.startIndex + offset + 4]
    let length = b.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let size = length + 48
    records.append(data.subdata(in: offset..<offset + size))
    offset += size
  }
  return (data.prefix(8), records)
}

func writeLog(_ s: CLISandbox, header: Data, records: [Data]) throws {
  try (records.reduce(header, +)).write(to: URL(fileURLWithPath: s.vault + "/log/entries"))
}

/// Runs `vault log show --json` (with the sandbox passphrase, or `passphrase`) and returns (action, actor) pairs.
func logActions(_ s: CLISandbox, passphrase: String? = nil) throws -> [(action: String, actor: String)] {
  let r = try s.run(["log", "show", "--json", "--vault", s.vault, "--passphrase-file", passphrase ?? s.passphraseFile])
  #expect(r.status == 0, "\(r.stderr)")
  let entries = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
  return entries.map { ($0["action"] as? String ?? "", $0["actor"] as? String ?? "") }
}

@Suite("access log through the binary")
struct LogTests {
  @Test("every command leaves the expected entry, with the actor that unlocked or 'system'")
  func everyCommandLogs() throws {
    let s = try CLISandbox()
    try s.initVault(["--label", "Dr Rivera"])
    let p2 = s.root.appendingPathComponent("p2").path
    let note = try s.write("First session note.\n", to: "note.txt")
    let edited = try s.write("First session note, edited.\n", to: "edited.txt")
    var code = ""
    let importDir = s.root.appendingPathComponent("import-notes").path
    try FileManager.default.createDirectory(atPath: importDir, withIntermediateDirectories: true)
    try s.write("---\nclient: Ada Lovelace\ndate: 2026-01-02\n---\nAn imported note.\n", to: "import-notes/ada.md")
    let steps: [(args: [String], action: String, actor: String)] = [
      (["info"], "info", "system"),
      (["verify", "--passphrase-file", s.passphraseFile], "verify", "Dr Rivera"),
      (["verify", "--keyless"], "verify", "system"),
      (["passwd", "--new-passphrase-file", try s.write("another good passphrase\n", to: "p2"), "--passphrase-file", s.passphraseFile], "key-change", "Dr Rivera"),
      (["log", "verify", "--passphrase-file", s.root.appendingPathComponent("p2").path], "log-verify", "Dr Rivera"),
      (["log", "head"], "log-head", "system"),
      (["verify", "--recovery-key-file", s.recoveryFile], "verify", "recovery"),
      (["recovery", "rotate", "--recovery-key-out", s.root.appendingPathComponent("rotated-key").path, "--passphrase-file", s.root.appendingPathComponent("p2").path], "recovery-rotate", "Dr Rivera"),
      (["client", "add", "--legal-name", "Ada Lovelace", "--passphrase-file", p2], "client-add", "Dr Rivera"),
      (["client", "list", "--passphrase-file", p2], "client-list", "Dr Rivera"),
      (["client", "show", "ada", "--passphrase-file", p2], "client-show", "Dr Rivera"),
      (["client", "update", "ada", "--phone", "555", "--passphrase-file", p2], "client-update", "Dr Rivera"),
      (["add-note", "ada", "--file", note, "--passphrase-file", p2], "note-add", "Dr Rivera"),
      (["note", "list", "--passphrase-file", p2], "note-list", "Dr Rivera"),
      (["note", "show", "NOTE", "--passphrase-file", p2], "note-show", "Dr Rivera"),
      (["note", "edit", "NOTE", "--file", edited, "--passphrase-file", p2], "note-edit", "Dr Rivera"),
      (["note", "sign", "NOTE", "--passphrase-file", p2], "note-sign", "Dr Rivera"),
      (["note", "amend", "NOTE", "--reason", "typo", "--file", note, "--passphrase-file", p2], "note-amend", "Dr Rivera"),
      (["search", "session", "--passphrase-file", p2], "search", "Dr Rivera"),
      (["import", "clients", try s.write("legal_name\nGrace Hopper\n", to: "import.csv"), "--passphrase-file", p2], "client-add", "Dr Rivera"),
      (["import", "notes", importDir, "--passphrase-file", p2], "note-add", "Dr Rivera"),
      (["form", "add", "--kind", "informed-consent", "--version", "v1", "--file", note, "--passphrase-file", p2], "form-add", "Dr Rivera"),
      (["form", "list", "--passphrase-file", p2], "form-list", "Dr Rivera"),
      (["practice", "set", "--name", "Riverside", "--time-zone", "America/Chicago", "--passphrase-file", p2], "practice-set", "Dr Rivera"),
      (["practice", "show", "--passphrase-file", p2], "practice-show", "Dr Rivera"),
      (["consent", "add", "ada", "--kind", "release-of-information", "--file", note, "--signed", "2026-01-01", "--expires", "2099-01-01", "--recipient", "Dr. Lee",
        "--information", "dates", "--purpose", "care", "--passphrase-file", p2], "consent-add", "Dr Rivera"),
      (["consent", "list", "--passphrase-file", p2], "consent-list", "Dr Rivera"),
      (["consent", "show", "CONSENT", "--passphrase-file", p2], "consent-show", "Dr Rivera"),
      (["consent", "get", "CONSENT", "--out", "-", "--passphrase-file", p2], "consent-get", "Dr Rivera"),
      (["consent", "check", "--passphrase-file", p2], "consent-check", "Dr Rivera"),
      (["disclose", "ada", "--to", "Dr. Lee", "--what", "dates", "--purpose", "care", "--basis", "authorization", "--authorization", "CONSENT",
        "--passphrase-file", p2], "disclosure", "Dr Rivera"),
      (["disclosures", "ada", "--passphrase-file", p2], "disclosures-read", "Dr Rivera"),
      (["note", "print", "NOTE", "--out", "-", "--passphrase-file", p2], "note-print", "Dr Rivera"),
      (["client", "summary", "ada", "--out", "-", "--passphrase-file", p2], "client-summary", "Dr Rivera"),
      (["consent", "revoke", "CONSENT", "--reason", "withdrew", "--passphrase-file", p2], "consent-revoke", "Dr Rivera"),
      (["export", "request", "ada", "--passphrase-file", p2], "export-request", "Dr Rivera"),
      (["export", "pending", "--passphrase-file", p2], "export-pending", "Dr Rivera"),
      (["export", "ada", "--out", s.root.appendingPathComponent("e.zip").path, "--unencrypted", "--identity-verified", "in person",
        "--passphrase-file", p2], "export", "Dr Rivera"),
      (["practitioner", "add", "dana", "--role", "clinician", "--kdf", "test", "--new-passphrase-file", try s.write("dana's own passphrase\n", to: "dana"),
        "--passphrase-file", p2], "practitioner-add", "Dr Rivera"),
      (["practitioner", "add", "sam", "--role", "supervisor", "--kdf", "test", "--new-passphrase-file", try s.write("sam's own passphrase\n", to: "sam"),
        "--passphrase-file", p2], "practitioner-add", "Dr Rivera"),
      (["practitioner", "list", "--passphrase-file", p2], "practitioner-list", "Dr Rivera"),
      (["practitioner", "supervise", "dana", "--by", "sam", "--passphrase-file", p2], "practitioner-supervise", "Dr Rivera"),
      (["client", "assign", "ada", "--to", "dana", "--passphrase-file", p2], "client-assign", "Dr Rivera"),
      (["client", "unassign", "ada", "--from", "dana", "--passphrase-file", p2], "client-unassign", "Dr Rivera"),
      (["emergency", "ada", "--to", "dana", "--reason", "cover", "--passphrase-file", p2], "emergency-access", "Dr Rivera"),
      (["client", "list", "--as", "dana", "--passphrase-file", s.root.appendingPathComponent("dana").path], "client-list", "dana"),
      (["practitioner", "rename", "sam", "sammy", "--passphrase-file", p2], "practitioner-rename", "Dr Rivera"),
      (["practitioner", "remove", "sammy", "--passphrase-file", p2], "practitioner-remove", "Dr Rivera"),
      (["unlock", "--timeout", "60s", "--passphrase-file", p2], "session-start", "Dr Rivera"),
      (["lock"], "session-end", "system"),
      (["client", "discharge", "ada", "--passphrase-file", p2], "client-discharge", "Dr Rivera"),
      (["backup", "--to", s.root.appendingPathComponent("dest").path], "backup", "system"),
    ]
    var expected = [("init", "Dr Rivera")]
    for step in steps {
      let r = try s.run(step.args.map { $0 == "NOTE" ? code + ".1" : $0 == "CONSENT" ? code + ".C1" : $0 } + ["--vault", s.vault])
      if step.args.starts(with: ["client", "add"]) { code = String(r.stdout.dropFirst("Added client ".count).prefix(7)) }
      // consent check exits 5 when something needs attention, as it does here.
      #expect(r.status == (step.action == "consent-check" ? 5 : 0), "\(step.args): \(r.stderr)")
      // A search that shows a client's notes is recorded for that client first, then as itself.
      if step.action == "search" { expected.append((step.action, step.actor)) }
      expected.append((step.action, step.actor))
    }
    expected.append(("log-read", "Dr Rivera"))
    let got = try logActions(s, passphrase: s.root.appendingPathComponent("p2").path)
    #expect(got.map(\.action) == expected.map(\.0))
    #expect(got.map(\.actor) == expected.map(\.1))
    // The table is complete: every subcommand the binary lists (walking the help tree) is
    // exercised above or is `log show`, which made the final entry.
    let exercised: Set<String> = [
      "init", "info", "verify", "passwd", "recovery rotate", "log verify", "log head", "log show", "client add", "client list", "client show",
      "client update", "client discharge", "add-note", "note list", "note show", "note edit", "note sign", "note amend", "search",
      "form add", "form list", "practice set", "practice show", "note print", "client summary", "consent add", "consent list", "consent show", "consent get", "consent check", "consent revoke",
      "disclose", "disclosures", "export", "export create", "export request", "export pending", "import clients", "import notes",
      "backup", "backup create", "practitioner add", "practitioner list", "practitioner supervise", "practitioner rename",
      "practitioner remove", "client assign", "client unassign", "emergency", "unlock", "lock",
      // `status` reads only the kernel keyring; it records nothing.
      "status",
      // These read or write a backup directory, or need no vault at all: they have no vault log to write to.
      "export open", "backup list", "backup verify", "backup prune", "restore",
    ]
    var pending = [[String]()]
    var listed: Set<String> = []
    while let path = pending.popLast() {
      let help = try s.run(path + ["--help"]).stdout
      guard let section = help.components(separatedBy: "SUBCOMMANDS:").dropFirst().first else {
        listed.insert(path.joined(separator: " "))
        continue
      }
      // The section lists "  name   abstract" lines and ends at the first blank line.
      for line in section.drop(while: { $0 == "\n" }).components(separatedBy: "\n\n")[0].split(separator: "\n")
      where line.hasPrefix("  ") && !line.hasPrefix("   ") {
        guard let name = line.split(separator: " ").first.map(String.init), name != "help",
          name.allSatisfy({ $0.isLowercase || $0 == "-" }), path.count < 3
        else { continue }
        pending.append(path + [name])
      }
    }
    #expect(listed.subtracting(["help"]).subtracting(exercised).isEmpty, "commands without a logging check: \(listed.subtracting(exercised))")
  }

  @Test("--reason is recorded, and filters select entries")
  func reasonAndFilters() throws {
    let s = try CLISandbox()
    try s.initVault()
    #expect(try s.vaultRun(["verify", "--reason", "quarterly audit"]).status == 0)
    #expect(try s.run(["info", "--vault", s.vault]).status == 0)
    func entries(_ args: [String]) throws -> [[String: Any]] {
      try #require(try JSONSerialization.jsonObject(with: Data(s.vaultRun(["log", "show", "--json"] + args).stdout.utf8)) as? [[String: Any]])
    }
    let verified = try entries(["--action", "verify"])
    #expect(verified.count == 1)
    #expect(verified.first?["reason"] as? String == "quarterly audit")
    #expect(try entries(["--actor", "system"]).count == 1)
    #expect(try entries(["--limit", "2"]).count == 2)
    #expect(try s.vaultRun(["log", "show", "--since", "yesterday"]).status == 2)
    #expect(try s.vaultRun(["log", "show", "--since", "2000-01-01", "--until", "2000-01-02"]).stdout.contains("0 entries"))
  }

  @Test("an intact log verifies; log head prints a head that verify --head accepts")
  func intactAndHead() throws {
    let s = try CLISandbox()
    try s.initVault()
    let head = try s.run(["log", "head", "--vault", s.vault, "--json"])
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(head.stdout.utf8)) as? [String: Any])
    let hash = try #require(obj["head"] as? String)
    let r = try s.vaultRun(["log", "verify", "--head", hash])
    #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    #expect(r.stdout.contains("ok: the log is intact"))
    #expect(try s.vaultRun(["log", "verify", "--head", String(repeating: "ab", count: 32)]).status == 10)
  }

  /// A vault with a few signed entries, and the records of its log.
  func populated() throws -> (CLISandbox, Data, [Data]) {
    let s = try CLISandbox()
    try s.initVault()
    for _ in 0..<4 { #expect(try s.vaultRun(["verify"]).status == 0) }
    let (header, records) = try logRecords(s)
    #expect(records.count == 5)
    return (s, header, records)
  }

  func expectTampered(_ s: CLISandbox, naming entry: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let r = try s.vaultRun(["log", "verify"])
    #expect(r.status == 10, "\(r.stdout)", sourceLocation: sourceLocation)
    let firstError = r.stdout.split(separator: "\n").first { $0.hasPrefix("error:") } ?? ""
    #expect(firstError.contains(entry), "first error: \(firstError)", sourceLocation: sourceLocation)
    #expect(try s.vaultRun(["verify"]).status == 10, sourceLocation: sourceLocation)
  }

  @Test("a deleted entry is found, named by its position")
  func deleted() throws {
    let (s, header, records) = try populated()
    var r = records
    r.remove(at: 2)
    try writeLog(s, header: header, records: r)
    try expectTampered(s, naming: "entry 3")
  }

  @Test("an edited entry is found, named by its position")
  func edited() throws {
    let (s, header, records) = try populated()
    var r = records
    r[1][20] ^= 0x01
    try writeLog(s, header: header, records: r)
    try expectTampered(s, naming: "entry 2")
  }

  @Test("reordered entries are found at the first moved one")
  func reordered() throws {
    let (s, header, records) = try populated()
    var r = records
    r.swapAt(1, 3)
    try writeLog(s, header: header, records: r)
    try expectTampered(s, naming: "entry 2")
  }

  @Test("an inserted (replayed) entry is found")
  func inserted() throws {
    let (s, header, records) = try populated()
    var r = records
    r.insert(records[1], at: 2)
    try writeLog(s, header: header, records: r)
    try expectTampered(s, naming: "entry 3")
  }

  @Test("a log truncated below its last checkpoint is found")
  func truncated() throws {
    let (s, header, records) = try populated()
    try writeLog(s, header: header, records: Array(records.prefix(3)))
    try expectTampered(s, naming: "entries were removed")
  }

  @Test("the log rolled back to an earlier copy, with a later checkpoint present, is found")
  func rolledBack() throws {
    let s = try CLISandbox()
    try s.initVault()
    let early = try Data(contentsOf: URL(fileURLWithPath: s.vault + "/log/entries"))
    for _ in 0..<3 { #expect(try s.vaultRun(["verify"]).status == 0) }
    try early.write(to: URL(fileURLWithPath: s.vault + "/log/entries"))
    try expectTampered(s, naming: "entries were removed")
  }

  @Test("with the checkpoints deleted, a command that changes the vault refuses before changing anything")
  func deletedCheckpointsBlockChanges() throws {
    let s = try CLISandbox()
    try s.initVault()
    try FileManager.default.removeItem(atPath: s.vault + "/log/checkpoints")
    let before = try s.vaultFiles()
    let r = try s.vaultRun(["passwd", "--new-passphrase-file", s.write("a brand new passphrase\n", to: "n")])
    #expect(r.status == 10)
    #expect(r.stderr.contains("checkpoints are missing"))
    #expect(try s.vaultFiles() == before, "nothing changed, not even the log")
    #expect(try s.vaultRun(["verify"]).status == 10)
  }

  @Test("log show lists what it can read, then reports a damaged entry (exit 10) instead of a shorter log")
  func showDamaged() throws {
    let (s, header, records) = try populated()
    var r = records
    r[2][30] ^= 0x01  // inside entry 3's ciphertext; its framing stays intact
    try writeLog(s, header: header, records: r)
    let show = try s.vaultRun(["log", "show"])
    #expect(show.status == 10)
    #expect(show.stdout.contains("   1  "))
    #expect(show.stderr.contains("entry 3 does not decrypt"))
  }

  @Test("a hostile checkpoint time is shown as invalid, never a crash")
  func hostileCheckpointTime() throws {
    let s = try CLISandbox()
    try s.initVault()
    var data = try Data(contentsOf: URL(fileURLWithPath: s.vault + "/log/checkpoints"))
    for i in 0..<8 { data[8 + 40 + i] = i == 7 ? 0x7f : 0xff }
    try data.write(to: URL(fileURLWithPath: s.vault + "/log/checkpoints"))
    let head = try s.run(["log", "head", "--vault", s.vault])
    #expect(head.status == 0, "\(head.stderr)")
    #expect(head.stdout.contains("signature does NOT verify"))
    #expect(try s.vaultRun(["log", "verify"]).status == 10)
  }

  @Test("the labels 'system' and 'recovery' are reserved for the log and the recovery key")
  func reservedLabels() throws {
    let s = try CLISandbox()
    let r = try s.run(["init", "--vault", s.vault, "--passphrase-file", s.passphraseFile, "--kdf", "test", "--label", "system"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("reserved"))
    #expect(!FileManager.default.fileExists(atPath: s.vault))
  }

  @Test("a deleted log is found by vault verify")
  func deletedLog() throws {
    let s = try CLISandbox()
    try s.initVault()
    try FileManager.default.removeItem(atPath: s.vault + "/log")
    let r = try s.run(["verify", "--keyless", "--vault", s.vault])
    #expect(r.status == 10)
    #expect(r.stdout.contains("the access log is empty or missing"))
  }

  @Test("entries appended without the key are flagged as unsigned until an unlocked command signs them")
  func unsigned() throws {
    let s = try CLISandbox()
    try s.initVault()
    #expect(try s.run(["info", "--vault", s.vault]).status == 0)
    #expect(try s.run(["log", "head", "--vault", s.vault]).status == 0)
    let keyless = try s.run(["verify", "--keyless", "--vault", s.vault])
    #expect(keyless.status == 0)
    #expect(keyless.stdout.contains("2 entries after the last checkpoint are unsigned"), "\(keyless.stdout)")
    // Unlocking signs what keyless commands wrote, before the check looks.
    let r = try s.vaultRun(["log", "verify"])
    #expect(r.status == 0)
    #expect(!r.stdout.contains("unsigned ("), "\(r.stdout)")
    #expect(r.stdout.contains(" 0 unsigned;"), "\(r.stdout)")
  }

  @Test("a torn last record (a crash mid-append) is reported, then repaired by the next append")
  func torn() throws {
    let s = try CLISandbox()
    try s.initVault()
    let path = s.vault + "/log/entries"
    let full = try Data(contentsOf: URL(fileURLWithPath: path))
    try (full + Data([0x40, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00])).write(to: URL(fileURLWithPath: path))
    let r = try s.vaultRun(["log", "verify"])
    #expect(r.status == 0, "a torn tail is an interrupted write, not tampering: \(r.stdout)")
    #expect(r.stdout.contains("incomplete last record"))
    let actions = try logActions(s).map(\.action)
    #expect(actions.contains("log-repair"))
    let clean = try s.vaultRun(["log", "verify"])
    #expect(clean.status == 0)
    #expect(!clean.stdout.contains("incomplete"))
  }

  @Test("two processes appending at once both land, in some order")
  func concurrentAppends() throws {
    let s = try CLISandbox()
    try s.initVault()
    let group = DispatchGroup()
    nonisolated(unsafe) var statuses: [Int32] = []
    let lock = NSLock()
    for _ in 0..<8 {
      DispatchQueue.global().async(group: group) {
        let status = (try? s.run(["info", "--vault", s.vault]).status) ?? -1
        lock.lock()
        statuses.append(status)
        lock.unlock()
      }
    }
    group.wait()
    #expect(statuses == Array(repeating: 0, count: 8))
    let actions = try logActions(s).map(\.action)
    #expect(actions.filter { $0 == "info" }.count == 8)
    #expect(try s.vaultRun(["log", "verify"]).status == 0)
  }

  @Test("the log holds no plaintext: not the reason, not the actor")
  func encrypted() throws {
    let s = try CLISandbox()
    try s.initVault(["--label", "Dr Zanzibar"])
    #expect(try s.vaultRun(["verify", "--reason", "SECRET-REASON-MARKER"]).status == 0)
    for name in ["log/entries", "log/checkpoints"] {
      let data = try Data(contentsOf: URL(fileURLWithPath: "\(s.vault)/\(name)"))
      #expect(data.range(of: Data("SECRET-REASON-MARKER".utf8)) == nil)
      #expect(data.range(of: Data("Zanzibar".utf8)) == nil)
    }
  }
}
