import Foundation
import Testing

@Suite("help, version and usage errors")
struct HelpAndUsageTests {
  @Test("vault --help lists the commands and the exit statuses")
  func rootHelp() throws {
    let s = try CLISandbox()
    let r = try s.run(["--help"])
    #expect(r.status == 0)
    for word in ["init", "passwd", "info", "verify", "EXIT STATUS", "VAULT_PASSPHRASE_FILE", "10  integrity failure"] {
      #expect(r.stdout.contains(word), "help lacks \(word)")
    }
  }

  @Test("vault init --help teaches the command: passphrase rules, recovery key, examples")
  func initHelp() throws {
    let r = try CLISandbox().run(["init", "--help"])
    #expect(r.status == 0)
    for word in ["at least 12 characters", "recovery key", "EXAMPLES", "--kdf", "EXIT STATUS", "--recovery-key-out"] {
      #expect(r.stdout.contains(word), "init help lacks \(word)")
    }
  }

  @Test("--version prints the release and the format version")
  func version() throws {
    let r = try CLISandbox().run(["--version"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("format 1"))
  }

  @Test("an unknown option is a usage error in vault's one style: exit 2, message, short usage, where help is")
  func unknownOption() throws {
    let r = try CLISandbox().run(["info", "--no-such-option"])
    #expect(r.status == 2)
    #expect(r.stderr == """
      vault: error: unknown option '--no-such-option'
      Usage: vault info [<options>]
      See 'vault info --help'.

      """)
    #expect(r.stdout.isEmpty)
  }

  @Test("every usage error has one style: no 'Error:', a usage line under 81 columns, the command's help named")
  func oneErrorStyle() throws {
    let s = try CLISandbox()
    for args in [["note", "show"], ["client", "add", "--bogus"], ["export", "create", "--vault", s.vault], ["info", "--wait", "-1"], ["clinet"]] {
      let r = try s.run(args)
      #expect(r.status == 2, "\(args)")
      #expect(r.stderr.hasPrefix("vault: error: "), "\(args): \(r.stderr)")
      #expect(!r.stderr.contains("Error:"), "\(args): \(r.stderr)")
      let usage = r.stderr.split(separator: "\n").first { $0.hasPrefix("Usage: ") }
      #expect(usage != nil && usage!.count <= 80, "\(args): \(r.stderr)")
      #expect(r.stderr.hasSuffix("--help'.\n"), "\(args): \(r.stderr)")
    }
    let short = try s.run(["note", "show"])
    #expect(short.stderr.contains("Usage: vault note show [<options>] <note>\nSee 'vault note show --help'."), "\(short.stderr)")
  }

  @Test("shared options may come before the command, and go to it; an option the command lacks is named")
  func leadingOptions() throws {
    let s = try CLISandbox()
    try s.initVault()
    let before = try s.run(["--vault", s.vault, "--passphrase-file", s.passphraseFile, "--json", "info"])
    // info never unlocks: a passphrase file given before it (an alias) is ignored, not refused.
    let after = try s.run(["info", "--vault", s.vault, "--json"])
    #expect(before.status == 0, "\(before.stderr)")
    #expect(before.stdout == after.stdout && !before.stdout.isEmpty)
    let equals = try s.run(["--vault=\(s.vault)", "--wait", "1", "client", "list", "--passphrase-file", s.passphraseFile])
    #expect(equals.status == 0, "\(equals.stderr)")
    // A group's default command takes them too (vault backup = vault backup create).
    let backup = try s.run(["--vault", s.vault, "--json", "backup", "--to", s.root.appendingPathComponent("b").path])
    #expect(backup.status == 0, "\(backup.stderr)")
    let refused = try s.run(["--reason", "audit", "restore", "--from", s.root.path])
    #expect(refused.status == 2)
    #expect(refused.stderr.hasPrefix("vault: error: 'vault restore' does not take --reason"), "\(refused.stderr)")
    let help = try s.run(["--help"])
    #expect(help.stdout.contains("'vault --vault DIR info'"))
    // An alias's vault and passphrase are not an export's: export open, which opens no vault,
    // ignores them (its own --passphrase-file is for the export), and help ignores them too.
    let c = try s.addClient(["--legal-name", "Ann Lee"])
    let exportPass = try s.write("the export's own passphrase\n", to: "export-pass")
    try s.ok(["export", c, "--out", "r.age", "--export-passphrase-file", exportPass, "--identity-verified", "id"])
    let alias = ["--vault", s.vault, "--passphrase-file", s.passphraseFile]
    let ignored = try s.run(alias + ["export", "open", "r.age", "--out", "x.zip"])
    #expect(ignored.status == 3 && ignored.stderr.contains("no terminal to ask for the export's passphrase"), "\(ignored.stderr)")
    #expect(try s.run(alias + ["export", "open", "r.age", "--out", "x.zip", "--passphrase-file", exportPass]).status == 0)
    let groupHelp = try s.run(alias + ["client", "--help"])
    #expect(groupHelp.status == 0 && groupHelp.stdout.contains("OVERVIEW"), "\(groupHelp.stderr)")
  }

  @Test("a mistyped command names the word and the nearest command, at any depth, in text and JSON")
  func mistypedCommand() throws {
    let s = try CLISandbox()
    let root = try s.run(["clinet", "list"])
    #expect(root.status == 2)
    #expect(root.stderr.hasPrefix("vault: error: unknown command 'clinet'; did you mean 'client'?\n"), "\(root.stderr)")
    let nested = try s.run(["client", "shw", "jo"])
    #expect(nested.status == 2)
    #expect(nested.stderr.hasPrefix("vault: error: 'vault client' has no command 'shw'; did you mean 'show'?\n"), "\(nested.stderr)")
    #expect(nested.stderr.contains("See 'vault client --help'."))
    let json = try s.run(["client", "shw", "jo", "--json"])
    #expect(json.status == 2)
    let obj = try JSONSerialization.jsonObject(with: Data(json.stderr.utf8)) as? [String: [String: Any]]
    #expect(obj?["error"]?["kind"] as? String == "usage")
    let message = obj?["error"]?["message"] as? String ?? ""
    #expect(message.contains("'shw'") && message.contains("'show'") && !message.contains("--json"), "\(message)")
    let help = try s.run(["help", "client", "shw"])
    #expect(help.status == 2 && help.stderr.contains("did you mean 'show'?"), "\(help.stderr)")
    #expect(try s.run(["help", "client", "show"]).stdout.contains("USAGE: vault client show"))
    let far = try s.run(["client", "zzz"])
    #expect(far.stderr.contains("the commands are: add, list, show"), "\(far.stderr)")
    let leading = try s.run(["--vault", s.vault, "note", "sigh", "X.1"])
    #expect(leading.stderr.contains("did you mean 'sign'?"), "\(leading.stderr)")
  }

  @Test("an invalid option value is a usage error (exit 2)")
  func badValue() throws {
    let s = try CLISandbox()
    #expect(try s.run(["init", "--kdf", "extreme", "--vault", s.vault]).status == 2)
    #expect(try s.run(["info", "--wait", "-1", "--vault", s.vault]).status == 2)
    #expect(!FileManager.default.fileExists(atPath: s.vault))
  }

  @Test("with --json, errors are one JSON object on stderr carrying the exit code")
  func jsonError() throws {
    let s = try CLISandbox()
    let r = try s.run(["info", "--vault", s.vault, "--json"])
    #expect(r.status == 1)
    let obj = try JSONSerialization.jsonObject(with: Data(r.stderr.utf8)) as? [String: [String: Any]]
    #expect(obj?["error"]?["code"] as? Int == 1)
    #expect(obj?["error"]?["kind"] as? String == "vaultNotFound")
  }

  @Test("a missing vault is a clear exit 1 that says how to create one")
  func missingVault() throws {
    let s = try CLISandbox()
    let r = try s.run(["verify", "--vault", s.vault])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("vault: error: no vault at"))
    #expect(r.stderr.contains("vault init"))
  }
}

/// Every command path of the real binary, from its tool-info dump (`vault --experimental-dump-help`).
enum CommandTree {
  static func paths(_ s: CLISandbox) throws -> [[String]] {
    let r = try s.run(["--experimental-dump-help"])
    let root = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    var out: [[String]] = []
    func walk(_ command: [String: Any], _ path: [String]) {
      if path.last == "help" || command["shouldDisplay"] as? Bool == false { return }
      out.append(path)
      for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub, path + [sub["commandName"] as? String ?? ""]) }
    }
    walk(root?["command"] as? [String: Any] ?? [:], [])
    return out
  }
}

@Suite("help shows what a user types")
struct HelpDefaultsTests {
  @Test("no help text shows a Swift value as a default (DayCount(days: 30), 0.0)")
  func defaults() throws {
    let s = try CLISandbox()
    let paths = try CommandTree.paths(s)
    #expect(paths.count > 40)
    let swiftValue = try Regex(#"\(default: [^)]*([A-Z][a-zA-Z]+\(|\b\d+\.0\b)"#)
    for path in paths {
      let r = try s.run(path + ["--help"])
      #expect(r.status == 0, "\(path)")
      let text = r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
      #expect(text.firstMatch(of: swiftValue) == nil, "vault \(path.joined(separator: " ")) --help shows a Swift value as a default")
    }
    let check = try s.run(["consent", "check", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    #expect(check.contains("(default: 30d)"))
  }
}

@Suite("messages that say what to do")
struct GuidanceTests {
  @Test("export open without a terminal says what it uses, and that the vault's passphrase settings are not it")
  func exportOpenWithoutTerminal() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ann Lee"])
    let own = try s.write("our own export passphrase\n", to: "own.txt")
    try s.ok(["export", c, "--out", "own.age", "--export-passphrase-file", own, "--identity-verified", "in office"])
    let plain = try s.run(["export", "open", "own.age", "--out", "o.zip"])
    #expect(plain.status == 3)
    #expect(plain.stderr.contains("--passphrase-file FILE") && plain.stderr.contains("--identity FILE"), "\(plain.stderr)")
    #expect(!plain.stderr.contains("VAULT_PASSPHRASE"), "\(plain.stderr)")
    let withEnv = try s.run(["export", "open", "own.age", "--out", "o.zip"], env: ["VAULT_PASSPHRASE_FILE": s.passphraseFile])
    #expect(withEnv.status == 3)
    #expect(withEnv.stderr.contains("VAULT_PASSPHRASE_FILE is not used here: it gives the vault's passphrase, not the export's"), "\(withEnv.stderr)")
    #expect(withEnv.stderr.contains("--passphrase-file FILE"))
    #expect(!FileManager.default.fileExists(atPath: s.root.appendingPathComponent("o.zip").path))
    #expect(try s.run(["export", "open", "own.age", "--out", "o.zip", "--passphrase-file", own]).status == 0)
  }

  @Test("--template without an editor to fill says what to do instead, with the template's headings; nothing is written")
  func templateWithoutTerminal() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ann Lee"])
    let r = try s.vaultRun(["add-note", c, "--template", "soap"])
    #expect(r.status == 2)
    #expect(r.stderr.hasPrefix("vault: error: --template pre-fills the editor, but there is no terminal here"), "\(r.stderr)")
    #expect(r.stderr.contains("Subjective: Objective: Assessment: Plan:") && r.stderr.contains("--file FILE"), "\(r.stderr)")
    #expect(r.stderr.contains("Usage: vault add-note [<options>] <client>"), "the usage is the command's own: \(r.stderr)")
    let own = try s.write("Goals:\n", to: "mine.txt")
    let custom = try s.vaultRun(["note", "amend", c + ".1", "--reason", "r", "--template", own])
    #expect(custom.status == 2 && custom.stderr.contains("no terminal here"), "\(custom.stderr)")
    // On a terminal with standard input redirected, --edit is the way.
    let vault = s.vault, pass = s.passphraseFile, bin = CLISandbox.binary.path
    let tty = try s.shell("script -qec '\(bin) add-note \(c) --template dap --vault \(vault) --passphrase-file \(pass) </dev/null' /dev/null")
    #expect(tty.out.contains("add --edit to write in the editor on this terminal") && tty.out.contains("Data: Assessment: Plan:"), "\(tty.out)")
    #expect(try s.json(["note", "list", c]) as? [Any] == nil || (try s.json(["note", "list", c]) as? [Any])?.isEmpty == true)
  }
}

@Suite("--quiet everywhere")
struct QuietTests {
  @Test("every command accepts --quiet (the command tree from the binary's dump, each run with it)")
  func everyCommand() throws {
    let s = try CLISandbox()
    let dump = try JSONSerialization.jsonObject(with: Data(try s.run(["--experimental-dump-help"]).stdout.utf8)) as? [String: Any]
    var leaves: [(path: [String], options: [String])] = []
    func walk(_ c: [String: Any], _ path: [String]) {
      if path.last == "help" || c["shouldDisplay"] as? Bool == false { return }
      let subs = c["subcommands"] as? [[String: Any]] ?? []
      if subs.isEmpty {
        let names = (c["arguments"] as? [[String: Any]] ?? []).flatMap { ($0["names"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } }
        leaves.append((path, names))
      }
      for sub in subs { walk(sub, path + [sub["commandName"] as? String ?? ""]) }
    }
    walk(dump?["command"] as? [String: Any] ?? [:], [])
    #expect(leaves.count > 40)
    for leaf in leaves {
      #expect(leaf.options.contains("quiet"), "vault \(leaf.path.joined(separator: " ")) lacks --quiet")
      let r = try s.run(leaf.path + ["--quiet"])
      #expect(!r.stderr.contains("unknown option '--quiet'"), "vault \(leaf.path.joined(separator: " ")): \(r.stderr)")
    }
  }

  @Test("on a terminal, verify shows progress; with --quiet (after or before the command) it shows none")
  func quietOnTerminal() throws {
    let s = try CLISandbox()
    try s.initVault()
    _ = try s.addClient(["--legal-name", "Ann Lee"])
    let base = "\(CLISandbox.binary.path) verify --vault \(s.vault) --passphrase-file \(s.passphraseFile)"
    let loud = try s.shell("script -qec '\(base)' /dev/null")
    #expect(loud.status == 0 && loud.out.contains("checking objects"), "\(loud.out)")
    let quiet = try s.shell("script -qec '\(base) --quiet' /dev/null")
    #expect(quiet.status == 0 && !quiet.out.contains("checking objects") && quiet.out.contains("ok"), "\(quiet.out)")
    let leading = try s.shell("script -qec '\(CLISandbox.binary.path) --quiet \(base.split(separator: " ").dropFirst().joined(separator: " "))' /dev/null")
    #expect(leading.status == 0 && !leading.out.contains("checking objects"), "\(leading.out)")
  }
}

@Suite("shell completion of codes and note ids")
struct CompletionTests {
  /// What a generated completion script runs for the <client> or <note> argument of `path`.
  func complete(_ s: CLISandbox, _ path: [String], word: String, env: [String: String] = [:]) throws -> CLISandbox.Result {
    let typed = ["vault"] + path + ["--vault", s.vault, word]
    return try s.run(["---completion"] + path + ["--", "positional@0", String(typed.count - 1), String(word.count)] + typed, env: env)
  }

  @Test("with an unlock session: codes and note ids, no names, nothing written; without one: nothing, exit 0, no prompt")
  func codesAndNotes() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ann Lee"])
    try s.ok(["add-note", c], input: Data("first session\n".utf8))
    try s.ok(["add-note", c], input: Data("second session\n".utf8))
    // Locked: silent and successful, even with a passphrase file in the environment (never used).
    for env in [[:], ["VAULT_PASSPHRASE_FILE": s.passphraseFile]] {
      let locked = try complete(s, ["client", "show"], word: "", env: env)
      #expect(locked.status == 0 && locked.stdout.isEmpty && locked.stderr.isEmpty, "\(locked)")
    }
    let before = try s.vaultFiles()
    let unlock = try s.vaultRun(["unlock", "--timeout", "2m"])
    defer { _ = try? s.run(["lock", "--vault", s.vault]) }
    if unlock.status != 0 && unlock.stderr.contains("keyring") { return }  // no kernel keyring here: nothing to complete from
    #expect(unlock.status == 0, "\(unlock.stderr)")
    let afterUnlock = try s.vaultFiles()
    let codes = try complete(s, ["client", "show"], word: "")
    #expect(codes.status == 0 && codes.stdout == c + "\n", "\(codes)")
    #expect(try complete(s, ["client", "show"], word: String(c.prefix(2)).lowercased()).stdout == c + "\n")
    #expect(try complete(s, ["client", "show"], word: "ZZ").stdout.isEmpty)
    #expect(try complete(s, ["note", "show"], word: "").stdout == c + ".\n")
    #expect(try complete(s, ["note", "show"], word: c + ".").stdout == "\(c).1\n\(c).2\n")
    #expect(try complete(s, ["note", "sign"], word: c + ".2").stdout == "\(c).2\n")
    for r in [codes, try complete(s, ["note", "show"], word: c + ".")] {
      #expect(!r.stdout.contains("Ann") && !r.stdout.contains("Lee") && !r.stdout.contains("session") && r.stderr.isEmpty)
    }
    // Read-only: completing wrote nothing into the vault (the access log included).
    #expect(try s.vaultFiles() == afterUnlock)
    #expect(afterUnlock.count >= before.count)
  }
}

@Suite("man pages")
struct ManPageTests {
  @Test("one page per command group: every command in a page, the standard sections, no mandoc -T lint message")
  func pages() throws {
    let s = try CLISandbox()
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/man.py").standardized.path
    let out = s.root.appendingPathComponent("man").path
    let made = try s.shell("python3 '\(script)' '\(CLISandbox.binary.path)' '\(out)'")
    #expect(made.status == 0, "\(made.out)")
    let files = made.out.split(separator: "\n").map(String.init)
    #expect(files.count >= 12 && files.contains(out + "/vault.1") && files.contains(out + "/vault-client.1"), "\(files)")
    var text: [String: String] = [:]
    for file in files {
      let page = try String(contentsOfFile: file, encoding: .utf8)
      text[file] = page
      for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "ENVIRONMENT", "FILES", "EXIT STATUS", "SEE ALSO"] {
        #expect(page.contains("\n.Sh \(section)\n"), "\(file) lacks \(section)")
      }
      // The pages name each other; until they are installed mandoc cannot find them (nothing else is allowed).
      let lint = try s.shell("command -v mandoc >/dev/null || { echo 'mandoc is missing: make test-deps'; exit 1; }; mandoc -T lint '\(file)' 2>&1")
      let messages = lint.out.split(separator: "\n").filter { !$0.contains("referenced manual not found: Xr vault") }
      #expect(messages.isEmpty, "\(file): \(messages.joined(separator: "\n"))")
    }
    let all = text.values.joined()
    let paths = try CommandTree.paths(s)
    for path in paths where !path.isEmpty {
      let subs = paths.filter { $0.count > path.count && Array($0.prefix(path.count)) == path }
      if subs.isEmpty { #expect(all.contains("\n.Ss vault \(path.joined(separator: " "))\n"), "vault \(path.joined(separator: " ")) is in no page") }
    }
    #expect(text[out + "/vault-backup.1"]?.contains("AWS_ACCESS_KEY_ID") == true)
    #expect(text[out + "/vault-note.1"]?.contains("Ev EDITOR") == true)
    #expect(text[out + "/vault.1"]?.contains(".It 10\nIntegrity failure") == true)
  }
}
