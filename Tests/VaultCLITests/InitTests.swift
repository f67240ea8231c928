import Foundation
import Testing

@Suite("vault init")
struct InitTests {
  @Test("creates a vault with private modes, two key slots and a 0600 recovery key file")
  func creates() throws {
    let s = try CLISandbox()
    let r = try s.initVault()
    #expect(r.stdout.contains("Created vault"))
    let fm = FileManager.default
    for dir in ["", "/slots", "/objects", "/clientkeys", "/tmp"] {
      let mode = try fm.attributesOfItem(atPath: s.vault + dir)[.posixPermissions] as? Int
      #expect(mode == 0o700, "mode of \(dir) is \(String(mode ?? 0, radix: 8))")
    }
    for (name, _) in try s.vaultFiles() {
      let mode = try fm.attributesOfItem(atPath: "\(s.vault)/\(name)")[.posixPermissions] as? Int
      #expect(mode == 0o600, "mode of \(name)")
    }
    #expect(try s.files(in: "slots").count == 2)
    #expect(try fm.attributesOfItem(atPath: s.recoveryFile)[.posixPermissions] as? Int == 0o600)
    let key = try String(contentsOfFile: s.recoveryFile, encoding: .utf8)
    #expect(!r.stdout.contains(key.trimmingCharacters(in: .whitespacesAndNewlines)), "recovery key printed although written to a file")
  }

  @Test("without --recovery-key-out the recovery key is printed once, with instructions")
  func printsRecoveryKey() throws {
    let s = try CLISandbox()
    let r = try s.run(["init", "--vault", s.vault, "--passphrase-file", s.passphraseFile, "--kdf", "test"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("RECOVERY KEY"))
    #expect(r.stdout.contains("offline"))
    let line = r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.count == 69 && $0.filter { $0 == "-" }.count == 13 }
    let key = try #require(line)
    try s.write(key + "\n", to: "printed-key")
    #expect(try s.run(["verify", "--vault", s.vault, "--recovery-key-file", s.root.appendingPathComponent("printed-key").path]).status == 0)
  }

  @Test("the passphrase can come from VAULT_PASSPHRASE_FILE or VAULT_PASSPHRASE_COMMAND")
  func passphraseSources() throws {
    let s = try CLISandbox()
    let a = try s.run(["init", "--vault", s.vault, "--kdf", "test", "--json"], env: ["VAULT_PASSPHRASE_FILE": s.passphraseFile])
    #expect(a.status == 0, "\(a.stderr)")
    let b = try s.run(["verify", "--vault", s.vault], env: ["VAULT_PASSPHRASE_COMMAND": "printf '%s\\n' '\(s.passphrase)'"])
    #expect(b.status == 0, "\(b.stderr)")
    let c = try s.run(["verify", "--vault", s.vault], env: ["VAULT_PASSPHRASE_COMMAND": "echo not-the-passphrase"])
    #expect(c.status == 3)
    let d = try s.run(["verify", "--vault", s.vault], env: ["VAULT_PASSPHRASE_COMMAND": "exit 7"])
    #expect(d.status == 3)
    #expect(d.stderr.contains("exited with status 7"))
  }

  @Test("refuses an existing vault and leaves it unchanged")
  func refusesExisting() throws {
    let s = try CLISandbox()
    try s.initVault()
    let before = try s.vaultFiles()
    let r = try s.run(["init", "--vault", s.vault, "--passphrase-file", s.passphraseFile, "--kdf", "test"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("a vault already exists"))
    #expect(try s.vaultFiles() == before)
  }

  @Test("refuses a non-empty directory that is not a vault, and touches nothing in it")
  func refusesForeignDirectory() throws {
    let s = try CLISandbox()
    try FileManager.default.createDirectory(atPath: s.vault, withIntermediateDirectories: true)
    try Data("mine".utf8).write(to: URL(fileURLWithPath: s.vault + "/notes.txt"))
    let r = try s.run(["init", "--vault", s.vault, "--passphrase-file", s.passphraseFile, "--kdf", "test"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("is not empty"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: s.vault) == ["notes.txt"])
  }

  @Test("accepts an existing empty directory")
  func acceptsEmptyDirectory() throws {
    let s = try CLISandbox()
    try FileManager.default.createDirectory(atPath: s.vault, withIntermediateDirectories: true)
    try s.initVault()
    #expect(try s.vaultRun(["verify"]).status == 0)
  }

  @Test("refuses empty and short passphrases, says the rule, and creates nothing", arguments: ["", "short pass1"])
  func refusesWeakPassphrase(_ weak: String) throws {
    let s = try CLISandbox()
    let file = try s.write(weak + "\n", to: "weak")
    let r = try s.run(["init", "--vault", s.vault, "--passphrase-file", file, "--kdf", "test"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("at least 12 characters"))
    #expect(!FileManager.default.fileExists(atPath: s.vault))
    #expect(try FileManager.default.contentsOfDirectory(atPath: s.root.path).filter { $0.hasPrefix(".") }.isEmpty)
  }

  @Test("an unusable --recovery-key-out is refused before any vault exists", arguments: ["missing-dir/key.txt", "pass"])
  func badRecoveryKeyOut(_ name: String) throws {
    let s = try CLISandbox()
    let target = s.root.appendingPathComponent(name).path
    let before = try? Data(contentsOf: URL(fileURLWithPath: target))
    let r = try s.run(["init", "--vault", s.vault, "--passphrase-file", s.passphraseFile, "--kdf", "test", "--recovery-key-out", target])
    #expect(r.status == 1)
    #expect(r.stderr.contains(target))
    #expect(r.stderr.contains("cannot create the file"))
    #expect(!FileManager.default.fileExists(atPath: s.vault))
    #expect((try? Data(contentsOf: URL(fileURLWithPath: target))) == before, "an existing file was changed")
  }

  @Test("with no terminal and no passphrase source, init fails with exit 3 and a hint")
  func noSource() throws {
    let s = try CLISandbox()
    let r = try s.run(["init", "--vault", s.vault, "--kdf", "test"])
    #expect(r.status == 3)
    #expect(r.stderr.contains("VAULT_PASSPHRASE_FILE"))
    #expect(!FileManager.default.fileExists(atPath: s.vault))
  }

  @Test("no file in the vault contains the passphrase")
  func noPlaintextPassphrase() throws {
    let s = try CLISandbox()
    try s.initVault()
    try #require(try s.vaultRun(["passwd", "--new-passphrase-file", s.write("another long passphrase\n", to: "p2")]).status == 0)
    for (name, data) in try s.vaultFiles() {
      #expect(data.range(of: Data(s.passphrase.utf8)) == nil, "\(name) contains the passphrase")
      #expect(data.range(of: Data("another long passphrase".utf8)) == nil, "\(name) contains the new passphrase")
    }
  }

  @Test("info needs no passphrase and shows the format version and slots, as text and JSON")
  func info() throws {
    let s = try CLISandbox()
    try s.initVault(["--label", "Dr Rivera"])
    let r = try s.run(["info", "--vault", s.vault])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("Format version: 1"))
    #expect(r.stdout.contains("'Dr Rivera'"))
    let j = try s.run(["info", "--vault", s.vault, "--json"])
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
    #expect(obj["formatVersion"] as? Int == 1)
    #expect((obj["slots"] as? [Any])?.count == 2)
  }
}
