import Foundation
import Testing

/// A practice with several practitioners, through the real binary (issue 14, "Done means").
@Suite("a practice: practitioners, roles, sessions")
struct PracticeTests {
  /// An owner (the sandbox passphrase), clinicians dana and lee, an auditor; a client each for
  /// the owner (Ann), dana (Dora) and lee (Lou), each with one note.
  struct Practice {
    let s: CLISandbox
    var dana = "", lee = "", audit = ""
    var codes: [String: String] = [:]

    init() throws {
      s = try CLISandbox()
      try s.initVault(["--label", "owner"])
      dana = try s.write("dana passphrase 1\n", to: "dana.pass")
      lee = try s.write("lee passphrase 12\n", to: "lee.pass")
      audit = try s.write("audit passphrase 1\n", to: "audit.pass")
      codes["Ann"] = try add("Ann Owner", as: nil)
      for (name, role, file) in [("dana", "clinician", dana), ("lee", "clinician", lee), ("audit", "auditor", audit)] {
        let r = try s.vaultRun(["practitioner", "add", name, "--role", role, "--kdf", "test", "--new-passphrase-file", file])
        #expect(r.status == 0, "\(r.stderr)")
      }
      codes["Dora"] = try add("Dora Dana", as: ("dana", dana))
      codes["Lou"] = try add("Lou Lee", as: ("lee", lee))
    }

    func add(_ name: String, as who: (String, String)?) throws -> String {
      let cred = who.map { ["--as", $0.0, "--passphrase-file", $0.1] } ?? []
      let r = try s.vaultRun(["client", "add", "--legal-name", name, "--json"] + cred)
      let code = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])["code"] as? String ?? ""
      let note = try s.write("Private words about \(name).\n", to: "note-\(code)")
      #expect(try s.vaultRun(["add-note", code, "--file", note] + cred).status == 0)
      return code
    }

    func run(_ args: [String], as who: String, _ file: String) throws -> CLISandbox.Result {
      try s.vaultRun(args + ["--as", who, "--passphrase-file", file])
    }
  }

  @Test("each clinician lists, reads and searches only their own clients; the auditor reads the log and the accounting, never a note")
  func twoCliniciansAndAnAuditor() throws {
    let p = try Practice()
    let dora = try #require(p.codes["Dora"]), lou = try #require(p.codes["Lou"])
    let danaList = try p.run(["client", "list"], as: "dana", p.dana)
    #expect(danaList.stdout.contains("Dora Dana") && !danaList.stdout.contains("Lou Lee") && !danaList.stdout.contains("Ann Owner"))
    let leeList = try p.run(["client", "list"], as: "lee", p.lee)
    #expect(leeList.stdout.contains("Lou Lee") && !leeList.stdout.contains("Dora Dana"))
    let search = try p.run(["search", "Private"], as: "dana", p.dana)
    #expect(search.status == 0 && search.stdout.contains(dora) && !search.stdout.contains(lou))
    // Another clinician's client: refused, exit 6, nothing of it shown.
    let refused = try p.run(["note", "show", lou + ".1"], as: "dana", p.dana)
    #expect(refused.status == 6 && !refused.stdout.contains("Lou") && refused.stderr.contains("not assigned to dana"))
    // The auditor: the log and the accounting, but no note.
    #expect(try p.run(["log", "show"], as: "audit", p.audit).status == 0)
    let accounting = try p.run(["disclosures", dora], as: "audit", p.audit)
    #expect(accounting.status == 0 && accounting.stdout.contains("Dora Dana"))
    let noteShow = try p.run(["note", "show", dora + ".1"], as: "audit", p.audit)
    #expect(noteShow.status == 6 && !noteShow.stdout.contains("Private words"))
    // A clinician does not read the log or manage practitioners.
    #expect(try p.run(["log", "show"], as: "dana", p.dana).status == 6)
    // The owner sees everyone; the vault verifies; entries name the practitioner.
    let all = try p.s.vaultRun(["client", "list"])
    #expect(all.stdout.contains("Ann Owner") && all.stdout.contains("Dora Dana") && all.stdout.contains("Lou Lee"))
    #expect(try p.s.vaultRun(["verify"]).status == 0)
    #expect(try p.s.vaultRun(["log", "verify"]).status == 0)
    let danas = try p.s.vaultRun(["log", "show", "--practitioner", "dana", "--json"])
    let entries = try #require(try JSONSerialization.jsonObject(with: Data(danas.stdout.utf8)) as? [[String: Any]])
    #expect(!entries.isEmpty && entries.allSatisfy { $0["actor"] as? String == "dana" && ($0["practitioner"] as? String)?.count == 32 })
  }

  @Test("emergency access is flagged, and listed by log show --flagged; assignment follows")
  func emergency() throws {
    let p = try Practice()
    let lou = try #require(p.codes["Lou"])
    let missing = try p.s.vaultRun(["emergency", lou, "--to", "dana"])
    #expect(missing.status == 2, "the reason is required")
    #expect(try p.s.vaultRun(["emergency", lou, "--to", "dana", "--reason", "lee on leave; client in crisis"]).status == 0)
    #expect(try p.run(["note", "show", lou + ".1"], as: "dana", p.dana).stdout.contains("Private words about Lou Lee"))
    let flagged = try p.s.vaultRun(["log", "show", "--flagged", "--json"])
    let entries = try #require(try JSONSerialization.jsonObject(with: Data(flagged.stdout.utf8)) as? [[String: Any]])
    #expect(entries.map { $0["action"] as? String } == ["emergency-access"])
    #expect(entries.first?["reason"] as? String == "lee on leave; client in crisis")
    // A clinician cannot break the glass.
    #expect(try p.run(["emergency", lou, "--to", "dana", "--reason", "x"], as: "lee", p.lee).status == 6)
  }

  @Test("a removed clinician's old slot, registry and key file, copied back, open nothing written after the removal")
  func removal() throws {
    let p = try Practice()
    let dora = try #require(p.codes["Dora"])
    let before = try p.s.vaultFiles()
    let kept = p.s.root.appendingPathComponent("kept").path
    try FileManager.default.copyItem(atPath: p.s.vault, toPath: kept)
    let removed = try p.s.vaultRun(["practitioner", "remove", "dana", "--json"])
    #expect(removed.status == 0 && removed.stdout.contains("\"clientsRekeyed\":1"), "\(removed.stdout) \(removed.stderr)")
    let after = try p.s.write("Written after dana left.\n", to: "later")
    #expect(try p.s.vaultRun(["add-note", dora, "--file", after]).status == 0)
    #expect(try p.run(["client", "list"], as: "dana", p.dana).status != 0, "her passphrase no longer unlocks")
    // The attack: every file she had, put back into a copy of the vault.
    let copy = p.s.root.appendingPathComponent("copy").path
    try FileManager.default.copyItem(atPath: p.s.vault, toPath: copy)
    for (name, data) in before where name == "practitioners" || name.hasPrefix("slots/") || name.hasPrefix("clientkeys/") {
      try data.write(to: URL(fileURLWithPath: "\(copy)/\(name)"))
    }
    let new = try p.s.run(["note", "show", dora + ".2", "--vault", copy, "--as", "dana", "--passphrase-file", p.dana])
    #expect(new.status != 0 && !new.stdout.contains("Written after dana left"), "\(new.stdout)")
    // What removal cannot take back: a copy of the vault she kept still opens for her.
    let old = try p.s.run(["note", "show", dora + ".1", "--vault", kept, "--as", "dana", "--passphrase-file", p.dana])
    #expect(old.stdout.contains("Private words about Dora Dana"), "\(old.stderr)")
  }

  @Test("putting back an old registry, a removed owner's slot or an old key file is refused, never silently obeyed")
  func rollbacks() throws {
    let p = try Practice()
    let dora = try #require(p.codes["Dora"])
    let owner2 = try p.s.write("second owner passphrase\n", to: "owner2.pass")
    #expect(try p.s.vaultRun(["practitioner", "add", "bo", "--role", "owner", "--kdf", "test", "--new-passphrase-file", owner2]).status == 0)
    let before = try p.s.vaultFiles()
    #expect(try p.s.vaultRun(["practitioner", "remove", "dana"]).status == 0)
    #expect(try p.s.vaultRun(["practitioner", "remove", "owner", "--as", "bo", "--passphrase-file", owner2]).status == 0)
    let after = try p.s.vaultFiles()
    func putBack(_ prefix: String, from files: [String: Data] = before) throws {
      for (name, data) in files where name.hasPrefix(prefix) { try data.write(to: URL(fileURLWithPath: "\(p.s.vault)/\(name)")) }
    }
    // The removed owner's slot: refused (the registry no longer lists it).
    try putBack("slots/")
    let owner = try p.s.vaultRun(["client", "list", "--as", "owner"])
    #expect(owner.status != 0 && !owner.stdout.contains("Dora"), "\(owner.stderr)")
    // The old registry too: older than the index records.
    try putBack("practitioners")
    let dana = try p.run(["client", "list"], as: "dana", p.dana)
    #expect(dana.status == 10 && dana.stderr.contains("rolled back"), "\(dana.stderr)")
    // An old key file of Dora's: the client index was re-encrypted under the new key, so a writer fails loudly.
    try putBack("practitioners", from: after)
    try putBack("clientkeys/")
    let note = try p.s.write("after the rollback\n", to: "rollback-note")
    let write = try p.s.vaultRun(["add-note", dora, "--file", note, "--as", "bo", "--passphrase-file", owner2])
    #expect(write.status != 0, "a note was written under a rolled-back key file: \(write.stdout)")
    // No registry at all beside an index that needs one: refused, and the message says what to do.
    try FileManager.default.removeItem(atPath: "\(p.s.vault)/practitioners")
    let missing = try p.s.vaultRun(["client", "list", "--as", "bo", "--passphrase-file", owner2])
    #expect(missing.status == 10 && missing.stderr.contains("missing (deleted)") && missing.stderr.contains("from the latest backup"), "\(missing.stderr)")
  }

  @Test("a supervisor reads their supervisee's clients and writes nothing; a renamed clinician's entries stay theirs")
  func supervisionAndRename() throws {
    let p = try Practice()
    let dora = try #require(p.codes["Dora"]), lou = try #require(p.codes["Lou"])
    let sam = try p.s.write("sam passphrase 123\n", to: "sam.pass")
    #expect(try p.s.vaultRun(["practitioner", "add", "sam", "--role", "supervisor", "--kdf", "test", "--new-passphrase-file", sam]).status == 0)
    #expect(try p.s.vaultRun(["practitioner", "supervise", "dana", "--by", "sam"]).status == 0)
    let list = try p.run(["client", "list"], as: "sam", sam)
    #expect(list.stdout.contains("Dora Dana") && !list.stdout.contains("Lou Lee"), "\(list.stdout)")
    #expect(try p.run(["note", "show", dora + ".1"], as: "sam", sam).stdout.contains("Private words about Dora Dana"))
    #expect(try p.run(["note", "show", lou + ".1"], as: "sam", sam).status == 6)
    let note = try p.s.write("a supervisor's note\n", to: "sam-note")
    #expect(try p.run(["add-note", dora, "--file", note], as: "sam", sam).status == 6, "a supervisor writes nothing clinical")
    // Clients assigned to dana later reach her supervisor too; clearing supervision takes them back.
    #expect(try p.s.vaultRun(["practitioner", "supervise", "dana", "--none"]).status == 0)
    #expect(try p.run(["note", "show", dora + ".1"], as: "sam", sam).status == 6)
    // Renamed, dana's earlier entries are found under her new name.
    #expect(try p.s.vaultRun(["practitioner", "rename", "dana", "dina"]).status == 0)
    let log = try p.s.vaultRun(["log", "show", "--practitioner", "dina", "--json"])
    let entries = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]])
    #expect(entries.contains { $0["actor"] as? String == "dana" && $0["action"] as? String == "note-add" }, "\(log.stdout)")
    #expect(try p.run(["client", "list"], as: "dina", p.dana).stdout.contains("Dora Dana"))
  }

  @Test("a recovered owner slot whose label is another practitioner's name is refused, and the vault still opens")
  func recoveredSlotNamedLikeAPractitioner() throws {
    let p = try Practice()
    // The owner's passphrase slot is lost; the recovery key writes a new one.
    let registry = try Data(contentsOf: URL(fileURLWithPath: "\(p.s.vault)/practitioners"))
    let info = try #require(try JSONSerialization.jsonObject(with: Data(p.s.run(["info", "--vault", p.s.vault, "--json"]).stdout.utf8)) as? [String: Any])
    let slots = try #require(info["slots"] as? [[String: Any]])
    let owner = try #require(slots.first { $0["label"] as? String == "owner" && $0["kind"] as? String == "passphrase" }?["id"] as? String)
    try FileManager.default.removeItem(atPath: "\(p.s.vault)/slots/\(owner)")
    let new = try p.s.write("a recovered passphrase\n", to: "recovered")
    let r = try p.s.run(["passwd", "--vault", p.s.vault, "--recovery-key-file", p.s.recoveryFile, "--label", "Dana", "--new-passphrase-file", new, "--kdf", "test"])
    #expect(r.status == 1 && r.stderr.contains("already exists"), "\(r.stderr)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: "\(p.s.vault)/practitioners")) == registry)
    #expect(try p.s.run(["client", "list", "--vault", p.s.vault, "--recovery-key-file", p.s.recoveryFile]).status == 0, "the vault still opens")
    let ok = try p.s.run(["passwd", "--vault", p.s.vault, "--recovery-key-file", p.s.recoveryFile, "--label", "owner", "--new-passphrase-file", new, "--kdf", "test"])
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(try p.s.run(["client", "list", "--vault", p.s.vault, "--as", "owner", "--passphrase-file", new]).status == 0)
  }

  @Test("bad input is refused with a clear error and nothing changes")
  func badInput() throws {
    let p = try Practice()
    let lou = try #require(p.codes["Lou"])
    let wrong = try p.s.write("not dana's passphrase\n", to: "wrong")
    let cases: [(args: [String], status: Int32, says: String)] = [
      (["client", "list", "--as", "dana", "--passphrase-file", wrong], 3, "wrong passphrase"),
      (["client", "list", "--as", "nobody"], 1, "no practitioner is named 'nobody'"),
      (["practitioner", "add", "kim", "--role", "wizard", "--new-passphrase-file", p.dana], 1, "'wizard' is not a role"),
      (["practitioner", "add", "lee", "--role", "clinician", "--kdf", "test", "--new-passphrase-file", p.dana], 1, "already exists"),
      (["practitioner", "remove", "owner"], 1, "last owner"),
      (["client", "assign", lou, "--to", "audit"], 1, "never receives clinical content"),
      (["client", "assign", lou, "--to", "nobody"], 1, "no practitioner is named"),
      (["practitioner", "add", "kim", "--role", "clinician", "--kdf", "test", "--new-passphrase-file", p.dana, "--as", "dana", "--passphrase-file", p.dana],
        6, "for owners only"),
      (["client", "assign", lou, "--to", "dana", "--as", "lee", "--passphrase-file", p.lee], 6, "for owners only"),
    ]
    for c in cases {
      let files = try p.s.vaultFiles().filter { !$0.key.hasPrefix("log/") }
      let r = try p.s.vaultRun(c.args)
      #expect(r.status == c.status, "\(c.args): \(r.stderr)")
      #expect(r.stderr.contains(c.says), "\(c.args): \(r.stderr)")
      #expect(try p.s.vaultFiles().filter { !$0.key.hasPrefix("log/") } == files, "\(c.args) changed the vault")
    }
  }

  @Test("unlock once, run commands with no prompt, idle refresh, expiry in the kernel, lock")
  func sessions() throws {
    let p = try Practice()
    let noPass = ["VAULT_PASSPHRASE_FILE": ""]
    func status() throws -> [String: Any] {
      try #require(try JSONSerialization.jsonObject(with: Data(p.s.vaultRun(["status", "--json"], env: noPass).stdout.utf8)) as? [String: Any])
    }
    // Without a session and without a passphrase source, a command cannot unlock.
    #expect(try p.s.vaultRun(["client", "list", "--as", "dana"], env: noPass).status == 3)
    #expect(try p.run(["unlock", "--timeout", "60s", "--idle", "30s"], as: "dana", p.dana).status == 0)
    #expect(try status()["practitioner"] as? String == "dana")
    let listed = try p.s.vaultRun(["client", "list"], env: noPass)
    #expect(listed.status == 0 && listed.stdout.contains("Dora Dana"), "\(listed.stderr)")
    // Idle refresh: wait (bounded) until the kernel's timer has run down, then use the session.
    let deadline = Date().addingTimeInterval(20)
    while (try status()["remainingSeconds"] as? Int ?? 0) > 27, Date() < deadline { usleep(100_000) }
    #expect((try status()["remainingSeconds"] as? Int ?? 99) <= 27)
    #expect(try p.s.vaultRun(["client", "list"], env: noPass).status == 0)
    #expect((try status()["remainingSeconds"] as? Int ?? 0) >= 28, "the command restarted the idle timer")
    // Lock: the next command asks again.
    #expect(try p.s.vaultRun(["lock"], env: noPass).status == 0)
    #expect(try status()["unlocked"] as? Bool == false)
    #expect(try p.s.vaultRun(["client", "list"], env: noPass).status == 3)
    // Expiry with no vault process running: the kernel removes the key; polled with a bound.
    #expect(try p.run(["unlock", "--timeout", "2s"], as: "dana", p.dana).status == 0)
    let expiry = Date().addingTimeInterval(15)
    while try status()["unlocked"] as? Bool == true, Date() < expiry { usleep(100_000) }
    #expect(try status()["unlocked"] as? Bool == false, "the session outlived its timeout")
    #expect(try p.s.vaultRun(["client", "list"], env: noPass).status == 3)
  }

  @Test("where the kernel keyring is unavailable, unlock says so and commands ask as before")
  func noKeyring() throws {
    let p = try Practice()
    let r = try p.s.vaultRun(["unlock"], env: ["VAULT_KEYRING": "off"])
    #expect(r.status == 1 && r.stderr.contains("cannot keep an unlock session"), "\(r.stderr)")
    #expect(try p.s.vaultRun(["client", "list"], env: ["VAULT_KEYRING": "off"]).status == 0, "the passphrase file still works")
  }
}
