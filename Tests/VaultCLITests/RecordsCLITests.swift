import Foundation
import Testing

/// Polls `condition` every 10 ms until it holds or `seconds` pass: waiting for an event, not for luck.
func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if condition() { return true }
    usleep(10_000)
  }
  return condition()
}

extension CLISandbox {
  /// Adds a client and returns the printed code.
  func addClient(_ args: [String]) throws -> String {
    let r = try vaultRun(["client", "add", "--json"] + args)
    #expect(r.status == 0, "\(r.stderr)")
    let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    return try #require(obj?["code"] as? String)
  }

  /// A shell script made executable, for $VISUAL.
  func script(_ name: String, _ body: String) throws -> String {
    let path = try write("#!/bin/sh\n" + body, to: name)
    chmod(path, 0o755)
    return path
  }

  /// A fresh RAM-backed directory to serve as $XDG_RUNTIME_DIR, so tests can see exactly what the editor path leaves.
  func runtimeDir() throws -> String {
    let dir = "/dev/shm/vault-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    return dir
  }
}

/// A vault with one client and a fresh RAM-backed $XDG_RUNTIME_DIR (the caller removes it).
func editorSandbox() throws -> (CLISandbox, client: String, runtime: String) {
  let s = try CLISandbox()
  try s.initVault()
  return (s, try s.addClient(["--legal-name", "Ada Lovelace"]), try s.runtimeDir())
}

func contents(_ dir: String) -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? ["<unreadable>"] }

@Suite("client records and notes through the binary")
struct RecordsCLITests {
  @Test("the session workflow: clients, notes by file, stdin and editor, sign, refuse, amend, list, show, search, update, discharge")
  func workflow() throws {
    let s = try CLISandbox()
    try s.initVault()
    let maria = try s.addClient(["--legal-name", "María García", "--preferred-name", "Mia", "--dob", "1990-04-01", "--field", "insurance=Acme"])
    #expect(maria.count == 7 && maria.dropFirst(4).first == "-")
    _ = try s.addClient(["--legal-name", "Mark Twain"])

    // By file, by stdin, by a scripted editor (a name prefix and accents are forgiven).
    let file = try s.write("Discussed sleep hygiene.\nHomework: diary.\n", to: "n1.txt")
    #expect(try s.vaultRun(["add-note", maria, "--file", file, "--duration", "50m"]).status == 0)
    #expect(try s.vaultRun(["add-note", "garcia", "--kind", "intake", "--date", "2026-01-05"], input: Data("Intake via stdin.\n".utf8)).status == 0)
    let runtime = try s.runtimeDir()
    defer { try? FileManager.default.removeItem(atPath: runtime) }
    let editor = try s.script("ed.sh", "printf 'Subjective:\\nSleep is BETTER.\\n\\nPlan:\\nContinue.\\n' > \"$1\"\n")
    let r3 = try s.vaultRun(["add-note", "mia", "--edit", "--template", "soap", "--sign"], env: ["VISUAL": editor, "XDG_RUNTIME_DIR": runtime])
    #expect(r3.status == 0, "\(r3.stderr)")
    #expect(contents(runtime).isEmpty)

    // Sign; a signed note refuses edits (clear message, nothing written); amend instead.
    #expect(try s.vaultRun(["note", "sign", "\(maria).1"]).status == 0)
    let before = try s.vaultFiles()
    let refused = try s.vaultRun(["note", "edit", "\(maria).1", "--file", file])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("can never change") && refused.stderr.contains("vault note amend \(maria).1"))
    #expect(try s.vaultFiles() == before)
    let fix = try s.write("The session lasted 45 minutes, not 50.\n", to: "fix.txt")
    #expect(try s.vaultRun(["note", "amend", "\(maria).1", "--reason", "wrong duration", "--file", fix]).status == 0)

    let list = try s.vaultRun(["note", "list", maria])
    #expect(list.stdout.split(separator: "\n").count == 3)
    #expect(list.stdout.contains("\(maria).2   2026-01-05  intake"))
    let show = try s.vaultRun(["note", "show", "\(maria).1"])
    #expect(show.stdout.contains("Discussed sleep hygiene.") && show.stdout.contains("Addendum 1") && show.stdout.contains("reason: wrong duration"))
    #expect(show.stdout.contains("The session lasted 45 minutes"))

    let search = try s.vaultRun(["search", "SLEEP", "--json"])
    let hits = try #require(try JSONSerialization.jsonObject(with: Data(search.stdout.utf8)) as? [[String: Any]])
    #expect(hits.count == 2)
    #expect(hits.compactMap { $0["snippet"] as? String }.contains { $0.contains("Sleep is BETTER") })

    // Update keeps the earlier version; discharge closes the record.
    #expect(try s.vaultRun(["client", "update", maria, "--phone", "555 0100", "--field", "insurance="]).status == 0)
    let history = try s.vaultRun(["client", "show", maria, "--history"])
    #expect(history.stdout.contains("1. ") && history.stdout.contains("created") && history.stdout.contains("updated phone, insurance"))
    #expect(try s.vaultRun(["client", "show", maria, "--version", "1"]).stdout.contains("insurance:"))
    #expect(!(try s.vaultRun(["client", "show", maria]).stdout.contains("insurance:")))
    #expect(try s.vaultRun(["client", "discharge", maria, "--reason", "goals met"]).status == 0)
    let closed = try s.vaultRun(["add-note", maria, "--file", file])
    #expect(closed.status == 1 && closed.stderr.contains("discharged"))
    #expect(!(try s.vaultRun(["client", "list"]).stdout.contains(maria)))
    #expect(try s.vaultRun(["client", "list", "--all"]).stdout.contains(maria))
    let verify = try s.vaultRun(["verify"])
    #expect(verify.status == 0, "\(verify.stdout)")
    #expect(!verify.stdout.contains("warning"), "\(verify.stdout)")
  }

  @Test("a draft keeps every version; psychotherapy notes are kept apart from lists and searches")
  func draftsAndPsychotherapy() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    #expect(try s.vaultRun(["add-note", c], input: Data("first draft\n".utf8)).status == 0)
    #expect(try s.vaultRun(["note", "edit", c + ".1"], input: Data("second draft\n".utf8)).status == 0)
    #expect(try s.vaultRun(["note", "show", c + ".1", "--version", "1"]).stdout.contains("first draft"))
    #expect(try s.vaultRun(["note", "show", c + ".1"]).stdout.contains("second draft"))
    #expect(try s.vaultRun(["note", "amend", c + ".1", "--reason", "x"], input: Data("y\n".utf8)).status == 1)

    #expect(try s.vaultRun(["add-note", c, "--kind", "psychotherapy"], input: Data("private process note\n".utf8)).status == 0)
    let list = try s.vaultRun(["note", "list", c])
    #expect(!list.stdout.contains(c + ".2") && list.stderr.contains("1 psychotherapy note(s) not shown"))
    #expect(try s.vaultRun(["note", "list", c, "--psychotherapy"]).stdout.contains(c + ".2"))
    #expect(try s.vaultRun(["search", "private"]).stdout.contains("No notes match"))
    #expect(try s.vaultRun(["search", "private", "--kind", "psychotherapy"]).stdout.contains(c + ".2"))
  }

  @Test("the editor's file never outlives the command: editor fails, template untouched, empty text")
  func editorCleanup() throws {
    let (s, c, runtime) = try editorSandbox()
    defer { try? FileManager.default.removeItem(atPath: runtime) }
    let before = try s.vaultFiles().filter { !$0.key.hasPrefix("log/") }
    let cases: [(editor: String, message: String)] = [
      (try s.script("fail.sh", "echo 'half a note' > \"$1\"; exit 3\n"), "the editor exited with status 3"),
      (try s.script("noop.sh", "exit 0\n"), "the template was left unchanged"),
      (try s.script("empty.sh", ": > \"$1\"\n"), "is empty"),
      (try s.script("vanish.sh", "rm \"$1\"\n"), "is empty"),
    ]
    for (editor, message) in cases {
      let r = try s.vaultRun(["add-note", c, "--edit", "--template", "dap"], env: ["VISUAL": editor, "XDG_RUNTIME_DIR": runtime])
      #expect(r.status == 1, "\(editor)")
      #expect(r.stderr.contains(message) && r.stderr.contains("nothing was saved"), "\(r.stderr)")
      #expect(contents(runtime).isEmpty, "\(editor) left \(contents(runtime))")
    }
    #expect(try s.vaultFiles().filter { !$0.key.hasPrefix("log/") } == before)
    #expect(contents(s.vault + "/tmp").isEmpty)
  }

  @Test("the editor's file is wiped even when vault, its shell and the editor are killed with SIGKILL")
  func editorKilled() throws {
    let (s, c, runtime) = try editorSandbox()
    defer { try? FileManager.default.removeItem(atPath: runtime) }
    let ready = s.root.appendingPathComponent("ready").path
    // The editor writes a note, reports its process group (vault's session) and waits to be killed.
    let editor = try s.script("hang.sh", """
      printf 'secret session content\\n' > "$1"
      read -r _ _ _ _ pgid _ < /proc/$$/stat
      echo "$pgid" > \(ready).tmp && mv \(ready).tmp \(ready)
      exec sleep 600

      """)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
    p.arguments = ["-w", CLISandbox.binary.path, "add-note", c, "--edit", "--vault", s.vault]
    p.environment = [
      "HOME": s.root.path, "PATH": "/usr/bin:/bin", "VAULT_PASSPHRASE_FILE": s.passphraseFile, "VISUAL": editor, "XDG_RUNTIME_DIR": runtime,
    ]
    p.standardInput = FileHandle.nullDevice
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    #expect(waitUntil(seconds: 60) { FileManager.default.fileExists(atPath: ready) })
    let pgid = try #require(Int32(try String(contentsOfFile: ready, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
    #expect(contents(runtime).count == 1, "the scratch directory exists while the editor runs")
    kill(-pgid, SIGKILL)
    p.waitUntilExit()
    #expect(waitUntil(seconds: 30) { contents(runtime).isEmpty }, "left behind: \(contents(runtime))")
    #expect(try s.vaultRun(["note", "list", c]).stdout.contains("No notes."))
  }

  @Test("no lock is held while the editor runs: another vault command can write meanwhile")
  func editorHoldsNoLock() throws {
    let (s, c, runtime) = try editorSandbox()
    defer { try? FileManager.default.removeItem(atPath: runtime) }
    let editor = try s.script("busy.sh", """
      "\(CLISandbox.binary.path)" client add --legal-name 'Added Meanwhile' --vault "\(s.vault)" || exit 9
      printf 'written while another command wrote\n' > "$1"

      """)
    let r = try s.vaultRun(["add-note", c, "--edit"], env: ["VISUAL": editor, "XDG_RUNTIME_DIR": runtime])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try s.vaultRun(["client", "list"]).stdout.contains("Added Meanwhile"))
    #expect(try s.vaultRun(["note", "list", c]).stdout.contains("written while another command wrote"))
  }

  @Test("after the editor closes, a busy vault is waited for instead of discarding the text")
  func editorWaitsForTheLock() throws {
    let (s, c, runtime) = try editorSandbox()
    defer { try? FileManager.default.removeItem(atPath: runtime) }
    // The editor leaves another process holding the vault's lock for a second as it exits.
    let editor = try s.script("busy.sh", """
      printf 'typed while the vault was busy\n' > "$1"
      flock --shared "\(s.vault)/lock" sleep 1 >/dev/null 2>&1 &
      while flock --nonblock --exclusive "\(s.vault)/lock" true; do :; done

      """)
    let r = try s.vaultRun(["add-note", c, "--edit"], env: ["VISUAL": editor, "XDG_RUNTIME_DIR": runtime])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try s.vaultRun(["note", "list", c]).stdout.contains("typed while the vault was busy"))
  }

  @Test("an edit based on an older version is refused instead of silently replacing a newer one")
  func editConflict() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    #expect(try s.vaultRun(["add-note", c], input: Data("first\n".utf8)).status == 0)
    let runtime = try s.runtimeDir()
    defer { try? FileManager.default.removeItem(atPath: runtime) }
    let other = try s.write("someone else's version\n", to: "other.txt")
    let editor = try s.script("race.sh", """
      "\(CLISandbox.binary.path)" note edit \(c).1 --file "\(other)" --vault "\(s.vault)" || exit 9
      printf 'my version\n' > "$1"

      """)
    let r = try s.vaultRun(["note", "edit", c + ".1", "--edit"], env: ["VISUAL": editor, "XDG_RUNTIME_DIR": runtime])
    #expect(r.status == 1)
    #expect(r.stderr.contains("was changed by") && r.stderr.contains("version 2"), "\(r.stderr)")
    #expect(try s.vaultRun(["note", "show", c + ".1"]).stdout.contains("someone else's version"))
    #expect(contents(runtime).isEmpty)
  }

  @Test("control characters in a note are shown escaped; signing a list checks every note first; a full name beats a prefix")
  func outputAndLists() throws {
    let s = try CLISandbox()
    try s.initVault()
    let ann = try s.addClient(["--legal-name", "Ann"])
    _ = try s.addClient(["--legal-name", "Anna"])
    #expect(try s.vaultRun(["add-note", "ann"], input: Data("\u{1B}]0;pwned\u{07}\u{1B}[31mred\n".utf8)).status == 0)
    let show = try s.vaultRun(["note", "show", ann + ".1"])
    #expect(!show.stdout.contains("\u{1B}") && show.stdout.contains("\\e]0;pwned\\u{7}\\e[31mred"), "\(show.stdout)")
    #expect(!(try s.vaultRun(["note", "list", ann]).stdout.contains("\u{1B}")))
    let json = try s.vaultRun(["note", "show", ann + ".1", "--json"])
    #expect(json.stdout.contains("\\u001b]0;pwned"), "JSON keeps the text exactly")

    #expect(try s.vaultRun(["add-note", ann], input: Data("second\n".utf8)).status == 0)
    #expect(try s.vaultRun(["note", "sign", ann + ".1"]).status == 0)
    let r = try s.vaultRun(["note", "sign", ann + ".2", ann + ".1"])
    #expect(r.status == 1 && r.stderr.contains("already signed"))
    #expect(try s.vaultRun(["note", "list", ann, "--drafts"]).stdout.contains(ann + ".2"), "nothing was signed")
  }

  @Test("bad input is refused with a clear message and changes nothing")
  func badInput() throws {
    let s = try CLISandbox()
    try s.initVault()
    let ada = try s.addClient(["--legal-name", "Ada Lovelace"])
    _ = try s.addClient(["--legal-name", "Adam Smith"])
    let note = try s.write("text\n", to: "n.txt")
    let latin1 = s.root.appendingPathComponent("latin1.txt").path
    try Data([0x63, 0x61, 0x66, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: latin1))
    let huge = s.root.appendingPathComponent("huge.txt").path
    try Data(repeating: 0x61, count: 50 << 20).write(to: URL(fileURLWithPath: huge))
    let before = try s.vaultFiles()
    let cases: [(args: [String], input: Data?, status: Int32, message: String)] = [
      (["add-note", "zelda", "--file", note], nil, 1, "no client has the code or a name starting with 'zelda'"),
      (["add-note", "ZZZZ-ZZ", "--file", note], nil, 1, "no client has the code"),
      (["add-note", "ada", "--file", note], nil, 1, "'ada' matches 2 clients"),
      (["add-note", ada, "--file", note, "--date", "2026-02-30"], nil, 2, "there is no such day"),
      (["add-note", ada, "--file", note, "--date", "25/11/2026"], nil, 2, "YYYY-MM-DD"),
      (["add-note", ada, "--file", note, "--date", "2999-01-01"], nil, 1, "in the future"),
      (["add-note", ada, "--file", latin1], nil, 1, "is not UTF-8 text (invalid byte at offset 3)"),
      (["add-note", ada, "--file", huge], nil, 1, "too large for a note"),
      (["add-note", ada], Data(), 1, "is empty"),
      (["add-note", ada], Data(" \n\t\n".utf8), 1, "is empty"),
      (["add-note", ada, "--file", s.root.appendingPathComponent("missing").path], nil, 1, "cannot open it"),
      (["note", "show", "\(ada).9"], nil, 1, "there is no note \(ada).9"),
      (["note", "show", "nonsense"], nil, 1, "is not a note id"),
      (["client", "add", "--legal-name", "  "], nil, 1, "legal name is empty"),
      (["client", "add", "--legal-name", "X", "--dob", "2999-01-01"], nil, 1, "in the future"),
      (["client", "add", "--legal-name", "Esc\u{1B}[2J"], nil, 1, "control characters"),
      (["client", "add"], nil, 2, "--legal-name"),
      (["client", "update", ada, "--phone", ""], nil, 1, "nothing was saved"),
      (["search", " "], nil, 2, "the search text is empty"),
    ]
    for c in cases {
      let r = try s.vaultRun(c.args, input: c.input)
      #expect(r.status == c.status, "\(c.args): \(r.stderr)")
      #expect(r.stderr.contains(c.message), "\(c.args): \(r.stderr)")
      #expect(!r.stderr.contains("Ada Lovelace"), "client names stay out of error messages")
    }
    let json = try s.vaultRun(["add-note", "ada", "--file", note, "--json"])
    #expect(json.stderr.contains("\"kind\":\"ambiguousClient\""))
    let after = try s.vaultFiles()
    #expect(after.filter { !$0.key.hasPrefix("log/") } == before.filter { !$0.key.hasPrefix("log/") })
  }
}
