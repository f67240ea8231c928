import Foundation
import Testing

/// `vault import clients` and `vault import notes` through the real binary (issue 16, section 3).
@Suite("import through the binary")
struct ImportCLITests {
  static func json(_ text: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }

  static func clients(_ s: CLISandbox) throws -> [[String: Any]] {
    let r = try s.vaultRun(["client", "list", "--all", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    return json(r.stdout) as? [[String: Any]] ?? []
  }

  static func log(_ s: CLISandbox) throws -> [[String: Any]] {
    let r = try s.vaultRun(["log", "show", "--json"])
    return (json(r.stdout) as? [String: Any])?["entries"] as? [[String: Any]] ?? json(r.stdout) as? [[String: Any]] ?? []
  }

  static func writeBytes(_ s: CLISandbox, _ bytes: [UInt8], to name: String) throws -> String {
    let path = s.root.appendingPathComponent(name).path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test("a good file imports every row: BOM, CRLF, quoted commas, quotes and line breaks, a field of one's own")
  func goodFile() throws {
    let s = try CLISandbox()
    try s.initVault()
    let text = "legal_name,Preferred Name,dob,phone,address,field:insurance,start_date\r\n"
      + "Ann Lee,Annie,1990-01-01,555-0100,\"1 Main St\r\nApt 2\",\"Acme, \"\"gold\"\"\",2024-01-15\r\n"
      + "Bob Ray,,1980-02-03,,,,\r\n"
      + "\r\n"
      + "Cy Doe,,,,,,\r\n"
    let file = try Self.writeBytes(s, [0xEF, 0xBB, 0xBF] + Array(text.utf8), to: "clients.csv")
    let r = try s.vaultRun(["import", "clients", file, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let rows = try #require(Self.json(r.stdout) as? [[String: Any]])
    #expect(rows.map { $0["row"] as? Int } == [2, 3, 5])  // Ann's address holds a line break: row 3 starts on line 4
    #expect(rows.map { $0["legalName"] as? String } == ["Ann Lee", "Bob Ray", "Cy Doe"])
    let codes = rows.compactMap { $0["code"] as? String }
    #expect(codes.count == 3 && Set(codes).count == 3)
    let listed = try Self.clients(s)
    #expect(Set(listed.compactMap { $0["code"] as? String }) == Set(codes))
    #expect(listed.first { $0["code"] as? String == codes[0] }?["startDate"] as? String == "2024-01-15")
    let show = try s.vaultRun(["client", "show", codes[0], "--json"])
    let record = try #require((Self.json(show.stdout) as? [String: Any])?["record"] as? [String: Any])
    #expect(record["address"] as? String == "1 Main St\nApt 2")
    #expect((record["fields"] as? [String: String])?["insurance"] == "Acme, \"gold\"")
    #expect(record["preferredName"] as? String == "Annie")
    // One client-add entry per client, naming the file and row.
    let adds = try Self.log(s).filter { $0["action"] as? String == "client-add" }
    #expect(adds.map { $0["client"] as? String } == codes)
    #expect(adds.allSatisfy { ($0["detail"] as? String)?.contains("imported from \(file), row") == true }, "\(adds)")
    // Human output: the codes per row.
    let again = try s.write("legal_name\nDee Fox\n", to: "one.csv")
    let human = try s.vaultRun(["import", "clients", again])
    #expect(human.status == 0 && human.stdout.contains("row 2  ") && human.stdout.contains("Imported 1 client(s)"), "\(human.stdout)")
    #expect(try s.vaultRun(["verify"]).status == 0)
  }

  @Test("three bad rows: the dry run lists all three with row numbers; the real run imports nothing")
  func badRows() throws {
    let s = try CLISandbox()
    try s.initVault()
    #expect(try s.vaultRun(["client", "add", "--legal-name", "Existing Person"]).status == 0)
    let before = try Self.clients(s)
    let file = try s.write(
      "legal_name,date_of_birth,phone\n"
        + "Good One,1990-01-01,1\n"  // row 2
        + "Bad Date,04/01/1990,2\n"  // row 3
        + ",1990-01-01,3\n"  // row 4
        + "Bad \"Quote\" Here,1990-01-01,4\n"  // row 5
        + "Good Two,,5\n",  // row 6
      to: "bad.csv")
    let dry = try s.vaultRun(["import", "clients", file, "--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    for row in ["row 3, date_of_birth", "row 4, legal_name", "row 5: "] { #expect(dry.stdout.contains("refused \(row)"), "\(row): \(dry.stdout)") }
    #expect(dry.stdout.contains("would import row 2: Good One") && dry.stdout.contains("would import row 6: Good Two"))
    #expect(dry.stdout.contains("nothing was imported"))
    let dryJSON = try s.vaultRun(["import", "clients", file, "--dry-run", "--json"])
    let report = try #require(Self.json(dryJSON.stdout) as? [String: Any])
    #expect(report["dryRun"] as? Bool == true && report["rows"] as? Int == 5)
    let refused = try #require(report["refused"] as? [[String: Any]])
    #expect(refused.map { $0["row"] as? Int } == [3, 4, 5])
    #expect(refused.map { $0["field"] as? String } == ["date_of_birth", "legal_name", nil])
    #expect(refused.allSatisfy { ($0["message"] as? String)?.isEmpty == false && $0["line"] as? Int == $0["row"] as? Int })
    #expect((report["clients"] as? [[String: Any]])?.map { $0["row"] as? Int } == [2, 6])
    // The real run: the same report, exit 1, and nothing imported.
    let files = try s.vaultFiles().filter { !$0.key.hasPrefix("log/") }
    let real = try s.vaultRun(["import", "clients", file])
    #expect(real.status == 1)
    #expect(real.stdout.contains("refused row 3") && real.stdout.contains("refused row 5"))
    #expect(real.stderr.contains("3 of 5 rows would be refused") && real.stderr.contains("nothing was imported"), "\(real.stderr)")
    let realJSON = try s.vaultRun(["import", "clients", file, "--json"])
    #expect(realJSON.status == 1)
    #expect(((Self.json(realJSON.stderr) as? [String: Any])?["error"] as? [String: Any])?["kind"] as? String == "importRefused")
    #expect((Self.json(realJSON.stdout) as? [String: Any])?["dryRun"] as? Bool == false)
    #expect(try Self.clients(s).count == before.count)
    #expect(try s.vaultFiles().filter { !$0.key.hasPrefix("log/") } == files, "a refused import changed the vault")
    // Both runs were recorded, as lookups: they tell whether clients with these names exist.
    let lookups = try Self.log(s).filter { ($0["detail"] as? String)?.contains("import of clients from") == true }
    #expect(lookups.count == 4 && lookups.allSatisfy { $0["action"] as? String == "client-lookup" })
    #expect(try s.vaultRun(["verify"]).status == 0)
  }

  @Test("a file the import cannot read at all: unknown or repeated columns, empty, UTF-16, Latin-1, too large")
  func unusableFiles() throws {
    let s = try CLISandbox()
    try s.initVault()
    let cases: [(String, [UInt8], String)] = [
      ("unknown.csv", Array("legal_name,colour\nAnn,red\n".utf8), "unknown columns 'colour'"),
      ("twice.csv", Array("legal_name,phone,Phone\nAnn,1,2\n".utf8), "phone twice"),
      ("noname.csv", Array("phone\n1\n".utf8), "no legal_name column"),
      ("empty.csv", [], "it is empty"),
      ("header.csv", Array("legal_name\r\n".utf8), "no clients"),
      ("utf16.csv", [0xFF, 0xFE] + Array("legal_name\n".utf8).flatMap { [$0, 0] }, "UTF-16"),
      ("latin1.csv", Array("legal_name\nJos".utf8) + [0xE9] + Array("\n".utf8), "line 2 is not UTF-8"),
    ]
    for (name, bytes, message) in cases {
      let file = try Self.writeBytes(s, bytes, to: name)
      let r = try s.vaultRun(["import", "clients", file, "--json"])
      #expect(r.status == 1, "\(name): \(r.stderr)")
      let error = (Self.json(r.stderr) as? [String: Any])?["error"] as? [String: Any]
      #expect(error?["kind"] as? String == "importInvalid", "\(name): \(r.stderr)")
      #expect((error?["message"] as? String)?.contains(message) == true, "\(name): \(r.stderr)")
    }
    // The known columns are listed when one is not.
    let unknown = try s.vaultRun(["import", "clients", s.root.appendingPathComponent("unknown.csv").path])
    #expect(unknown.stderr.contains("legal_name, preferred_name, date_of_birth") && unknown.stderr.contains("field:NAME"))
    // Over 16 MiB: refused before it is read whole.
    let big = try Self.writeBytes(s, Array("legal_name\n".utf8) + [UInt8](repeating: 0x61, count: 17 << 20), to: "big.csv")
    let r = try s.vaultRun(["import", "clients", big])
    #expect(r.status == 1 && r.stderr.contains("larger than 16 MiB"), "\(r.stderr)")
    // A huge field refuses its row (with the column), not the file.
    let huge = try s.write("legal_name,address\nAnn,\"\(String(repeating: "x", count: 100_000))\"\nBob,1 Main St\n", to: "huge.csv")
    let h = try s.vaultRun(["import", "clients", huge, "--dry-run"])
    #expect(h.status == 0 && h.stdout.contains("refused row 2") && h.stdout.contains("longer than 64 KiB") && h.stdout.contains("would import row 3"), "\(h.stdout)")
    let long = try s.write("legal_name,address\nAnn,\(String(repeating: "x", count: 1001))\n", to: "long.csv")
    #expect(try s.vaultRun(["import", "clients", long, "--dry-run"]).stdout.contains("refused row 2, address: the address is longer than 1000 bytes"))
    #expect(try Self.clients(s).isEmpty)
  }

  @Test("possible duplicates (same legal name and birth date) are refused unless --allow-duplicates")
  func duplicates() throws {
    let s = try CLISandbox()
    try s.initVault()
    let add = try s.vaultRun(["client", "add", "--legal-name", "Maria Garcia", "--dob", "1990-04-01", "--json"])
    let code = try #require((Self.json(add.stdout) as? [String: Any])?["code"] as? String)
    let file = try s.write("legal_name,date_of_birth\nmaria  GARCIA,1990-04-01\nSam Roe,2000-01-01\nsam roe,2000-01-01\n", to: "d.csv")
    let r = try s.vaultRun(["import", "clients", file])
    #expect(r.status == 1)
    #expect(r.stdout.contains("refused row 2: possible duplicate") && r.stdout.contains(code), "\(r.stdout)")
    #expect(r.stdout.contains("refused row 4: possible duplicate") && r.stdout.contains("as row 3"), "\(r.stdout)")
    #expect(try Self.clients(s).count == 1)
    let allowed = try s.vaultRun(["import", "clients", file, "--allow-duplicates"])
    #expect(allowed.status == 0, "\(allowed.stderr)")
    #expect(try Self.clients(s).count == 4)
  }

  /// A vault with two clients, Ann Lee and Bob Ray; returns their codes.
  static func twoClients(_ s: CLISandbox) throws -> (ann: String, bob: String) {
    try s.initVault(["--label", "owner"])
    let file = try s.write("legal_name,date_of_birth\nAnn Lee,1990-01-01\nBob Ray,1980-01-01\n", to: "two.csv")
    let r = try s.vaultRun(["import", "clients", file, "--json"])
    let rows = Self.json(r.stdout) as? [[String: Any]] ?? []
    #expect(rows.count == 2, "\(r.stderr)")
    return (rows.first?["code"] as? String ?? "", rows.last?["code"] as? String ?? "")
  }

  @Test("notes: front matter (by code or exact legal name) and file names; drafts unless signed; one note-add entry each")
  func notesHappyPath() throws {
    let s = try CLISandbox()
    let (ann, bob) = try Self.twoClients(s)
    let dir = s.root.appendingPathComponent("notes").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try s.write("---\nclient: ann lee\ndate: 2024-05-01\nkind: intake\nminutes: 50\nsigned: true\n---\n\nIntake. Signed by Dr Old.\n", to: "notes/intake.md")
    try s.write("---\nclient: \(bob)\ndate: 2024-06-01\nduration: 1h\n---\nBob's first session.\n", to: "notes/bob.txt")
    try s.write("Ann's second session.\r\n", to: "notes/\(ann)_2024-05-08.txt")
    try s.write("Phone call.\n", to: "notes/\(ann)_2024-04-20_contact.md")
    try s.write("ignored", to: "notes/.DS_Store")
    let dry = try s.vaultRun(["import", "notes", dir, "--dry-run", "--json"])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(((Self.json(dry.stdout) as? [String: Any])?["notes"] as? [Any])?.count == 4)
    let r = try s.vaultRun(["import", "notes", dir + "/", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let notes = try #require(Self.json(r.stdout) as? [[String: Any]])
    #expect(notes.count == 4)
    let byFile = Dictionary(uniqueKeysWithValues: notes.map { ($0["file"] as? String ?? "", $0) })
    // Ann's notes are numbered in date order: the contact (04-20), the intake (05-01), the session (05-08).
    #expect(byFile["\(ann)_2024-04-20_contact.md"]?["id"] as? String == "\(ann).1")
    #expect(byFile["intake.md"]?["id"] as? String == "\(ann).2")
    #expect(byFile["\(ann)_2024-05-08.txt"]?["id"] as? String == "\(ann).3")
    #expect(byFile["bob.txt"]?["id"] as? String == "\(bob).1")
    #expect(byFile["intake.md"]?["signed"] as? Bool == true && byFile["bob.txt"]?["signed"] as? Bool == false)
    let shown = try s.vaultRun(["note", "show", "\(ann).2", "--json"])
    let view = try #require(Self.json(shown.stdout) as? [String: Any])
    #expect(view["text"] as? String == "Intake. Signed by Dr Old.\n")
    let list = try s.vaultRun(["note", "list", bob, "--json"])
    #expect(list.stdout.contains("\"minutes\":60"), "\(list.stdout)")
    let adds = try Self.log(s).filter { $0["action"] as? String == "note-add" }
    #expect(adds.count == 4)
    #expect(adds.allSatisfy { ($0["detail"] as? String)?.contains("imported from \(dir)/") == true })
    #expect(adds.contains { ($0["detail"] as? String)?.contains("signed in the source system") == true })
    // Running it again adds nothing twice.
    let again = try s.vaultRun(["import", "notes", dir])
    #expect(again.status == 1 && again.stdout.contains("possible duplicate of note"), "\(again.stdout)")
    #expect(try s.vaultRun(["verify"]).status == 0)
  }

  @Test("notes: one unknown client, a symlink, a directory, an empty note or a bad name refuses the whole import")
  func notesRefused() throws {
    let s = try CLISandbox()
    let (ann, _) = try Self.twoClients(s)
    let dir = s.root.appendingPathComponent("notes").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try s.write("Good note.\n", to: "notes/\(ann)_2024-05-08.txt")
    try s.write("---\nclient: Nobody Known\ndate: 2024-05-01\n---\nText.\n", to: "notes/unknown.md")
    let files = try s.vaultFiles().filter { !$0.key.hasPrefix("log/") }
    let r = try s.vaultRun(["import", "notes", dir])
    #expect(r.status == 1)
    #expect(r.stdout.contains("refused unknown.md, client: no client has the code or exact legal name 'Nobody Known'"), "\(r.stdout)")
    #expect(r.stderr.contains("1 of 2 files would be refused"), "\(r.stderr)")
    #expect(try s.vaultFiles().filter { !$0.key.hasPrefix("log/") } == files)
    #expect((Self.json(try s.vaultRun(["note", "list", ann, "--json"]).stdout) as? [Any])?.count == 0)
    try FileManager.default.removeItem(atPath: "\(dir)/unknown.md")
    let secret = try s.write("not a note\n", to: "secret.txt")
    try FileManager.default.createSymbolicLink(atPath: "\(dir)/link.txt", withDestinationPath: secret)
    try FileManager.default.createDirectory(atPath: "\(dir)/sub", withIntermediateDirectories: true)
    try s.write("   \n", to: "notes/\(ann)_2024-05-09.txt")
    try s.write("x", to: "notes/\(ann)_2024-05-10.pdf")
    try s.write("x\n", to: "notes/\(ann)_2099-01-01.txt")
    try s.write("x\n", to: "notes/bad\u{1B}[31mname.txt")
    // A name that is not UTF-8 (Latin-1 é), made with open(2) since Foundation names files by String.
    let latin1 = Array("\(dir)/caf".utf8).map { CChar(bitPattern: $0) } + [CChar(bitPattern: 0xE9)] + Array(".txt".utf8CString)
    let fd = open(latin1, O_CREAT | O_WRONLY, 0o600)
    #expect(fd >= 0)
    _ = write(fd, "text\n", 5)
    close(fd)
    let dry = try s.vaultRun(["import", "notes", dir, "--dry-run"])
    #expect(dry.status == 0)
    #expect(dry.stdout.contains("its name is not UTF-8"), "\(dry.stdout)")
    for expected in [
      "refused link.txt: it is a symbolic link", "refused sub: it is a directory", "_2024-05-09.txt: its text is empty",
      "_2024-05-10.pdf: only .txt and .md", "_2099-01-01.txt: invalid date", "holds control characters",
    ] {
      #expect(dry.stdout.contains(expected), "\(expected): \(dry.stdout)")
    }
    #expect(!dry.stdout.contains("\u{1B}"), "a hostile name reached the terminal unescaped")
    #expect(!dry.stdout.contains("not a note"))
    #expect(try s.vaultRun(["import", "notes", dir]).status == 1)
    #expect((Self.json(try s.vaultRun(["note", "list", ann, "--json"]).stdout) as? [Any])?.count == 0)
    // Not a directory, or an empty one.
    #expect(try s.vaultRun(["import", "notes", secret]).stderr.contains("not a directory"))
    let empty = s.root.appendingPathComponent("empty").path
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    #expect(try s.vaultRun(["import", "notes", empty, "--json"]).stderr.contains("importInvalid"))
  }

  @Test("a role that may not add clients or notes is refused (exit 6) before a record is read; a clinician imports for their own clients")
  func roles() throws {
    let s = try CLISandbox()
    let (ann, _) = try Self.twoClients(s)
    let sam = try s.write("sam's own passphrase\n", to: "sam")
    #expect(try s.vaultRun(["practitioner", "add", "sam", "--role", "supervisor", "--kdf", "test", "--new-passphrase-file", sam]).status == 0)
    let audit = try s.write("audit's own passphrase\n", to: "audit")
    #expect(try s.vaultRun(["practitioner", "add", "audit", "--role", "auditor", "--kdf", "test", "--new-passphrase-file", audit]).status == 0)
    let csv = try s.write("legal_name\nNew Person\n", to: "new.csv")
    let dir = s.root.appendingPathComponent("notes").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try s.write("A note.\n", to: "notes/\(ann)_2024-05-08.txt")
    for (who, file) in [("sam", sam), ("audit", audit)] {
      for args in [["import", "clients", csv], ["import", "clients", csv, "--dry-run"], ["import", "notes", dir], ["import", "notes", dir, "--dry-run"]] {
        let r = try s.vaultRun(args + ["--as", who, "--passphrase-file", file])
        #expect(r.status == 6, "\(who) \(args): \(r.status) \(r.stderr)")
      }
    }
    #expect(try Self.clients(s).count == 2)
    // A clinician imports clients (assigned to them) and notes for their own clients only.
    let dana = try s.write("dana's own passphrase\n", to: "dana")
    #expect(try s.vaultRun(["practitioner", "add", "dana", "--role", "clinician", "--kdf", "test", "--new-passphrase-file", dana]).status == 0)
    let r = try s.vaultRun(["import", "clients", csv, "--json", "--as", "dana", "--passphrase-file", dana])
    #expect(r.status == 0, "\(r.stderr)")
    let notes = try s.vaultRun(["import", "notes", dir, "--as", "dana", "--passphrase-file", dana])
    #expect(notes.status == 1 && notes.stdout.contains("among those assigned to you"), "\(notes.stdout)")
  }

  /// Faults injected (Tests/FaultInjection/faultshim.c) at points spread over an import of 20
  /// clients, from the first object written to the index's rename and after: each run leaves
  /// either none of the clients or all of them, and the vault checks clean after the next command.
  @Test(.enabled(if: FaultInjectionTests.compiler != nil, "no C compiler: the LD_PRELOAD shim cannot be built"))
  func faultsMidway() throws {
    let counter = try CLISandbox()
    try counter.initVault()
    guard let shim = try FaultInjectionTests.buildShim(in: counter) else { return }
    let rows = (1...20).map { "Person \($0),1990-01-\(String(format: "%02d", $0))" }.joined(separator: "\n")
    let csvText = "legal_name,date_of_birth\n" + rows + "\n"
    let countFile = counter.root.appendingPathComponent("count").path
    let counted = try counter.vaultRun(["import", "clients", try counter.write(csvText, to: "c.csv")], env: [
      "LD_PRELOAD": shim, "FAULT_DIR": URL(fileURLWithPath: counter.vault).resolvingSymlinksInPath().path, "FAULT_COUNT_FILE": countFile,
    ])
    #expect(counted.status == 0, "\(counted.stderr)")
    let points = Int((try? String(contentsOfFile: countFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
    #expect(points > 40, "the shim counted \(points) calls for an import of 20 clients")
    var failed = 0
    for at in Set([1, points / 5, points / 3, points / 2, 2 * points / 3, points * 4 / 5, points - 3, points - 1, points]) where at >= 1 {
      let s = try CLISandbox()
      try s.initVault()
      let csv = try s.write(csvText, to: "c.csv")
      let r = try s.vaultRun(["import", "clients", csv], env: [
        "LD_PRELOAD": shim, "FAULT_DIR": URL(fileURLWithPath: s.vault).resolvingSymlinksInPath().path, "FAULT_AT": "\(at)",
        "FAULT_ERRNO": at % 2 == 0 ? "ENOSPC" : "EIO",
      ])
      if r.status != 0 { failed += 1 }
      #expect(r.status == 0 || r.stderr.hasPrefix("vault: error:"), "fault at \(at): \(r.stderr)")
      // The next writer reclaims what an interrupted import left; then all or nothing is there.
      #expect(try s.vaultRun(["client", "add", "--legal-name", "Afterwards"]).status == 0)
      let count = try Self.clients(s).count - 1
      #expect(count == 0 || count == 20, "fault at \(at) of \(points) (exit \(r.status)): \(count) of 20 clients imported")
      #expect(r.status == 0 || count == 0 || r.stderr.contains("was made and recorded"), "fault at \(at): exit \(r.status) but \(count) imported: \(r.stderr)")
      let verify = try s.vaultRun(["verify"])
      #expect(verify.status == 0, "fault at \(at): \(verify.stdout) \(verify.stderr)")
    }
    #expect(failed >= 3, "only \(failed) injected faults made the import fail: the shim is not reaching it")
  }
}
