import Foundation
import Testing

@Suite("unlocking and vault passwd")
struct UnlockTests {
  @Test("a wrong passphrase exits 3 and changes nothing")
  func wrongPassphrase() throws {
    let s = try CLISandbox()
    try s.initVault()
    // A leftover temporary file is removed by the next writer, but only once it has unlocked.
    try Data("left over".utf8).write(to: URL(fileURLWithPath: s.vault + "/tmp/.tmp-00112233"))
    let before = try s.vaultFiles()
    let lockBefore = try Data(contentsOf: URL(fileURLWithPath: s.vault + "/lock"))
    let bad = try s.write("not the right passphrase\n", to: "bad")
    let v = try s.run(["verify", "--vault", s.vault, "--passphrase-file", bad])
    #expect(v.status == 3)
    #expect(v.stderr == "vault: error: wrong passphrase; try again, or unlock with --recovery-key-file\n")
    let p = try s.run(["passwd", "--vault", s.vault, "--passphrase-file", bad, "--new-passphrase-file", s.write("x new passphrase\n", to: "n")])
    #expect(p.status == 3)
    // Nothing changes but the log, which records each refusal (log-in monitoring), appended only.
    let after = try s.vaultFiles()
    let log = try #require(after["log/entries"])
    let logBefore = try #require(before["log/entries"])
    #expect(after.filter { $0.key != "log/entries" } == before.filter { $0.key != "log/entries" })
    #expect(log.count > logBefore.count && log.prefix(logBefore.count) == logBefore)
    #expect(try Data(contentsOf: URL(fileURLWithPath: s.vault + "/lock")) == lockBefore)
    #expect(!v.stderr.contains("not the right"))
    // The next person to unlock is told, once; the entries say what was refused and when.
    let next = try s.vaultRun(["client", "list"])
    #expect(next.status == 0 && next.stderr.contains("warning: 2 failed unlock attempts since the vault was last unlocked"), "\(next.stderr)")
    #expect(try !s.vaultRun(["client", "list"]).stderr.contains("failed unlock"))
    let shown = try s.vaultRun(["log", "show", "--action", "unlock-failed"])
    #expect(shown.stdout.contains("system") && shown.stdout.contains("wrong passphrase") && shown.stdout.contains("2 entries"))
    #expect(!shown.stdout.contains("not the right"))
  }

  @Test("passwd rewrites one slot: the old passphrase stops working, the new one and the recovery key work")
  func passwd() throws {
    let s = try CLISandbox()
    try s.initVault()
    let before = try s.vaultFiles()
    let newFile = try s.write("a brand new passphrase\n", to: "new")
    let r = try s.vaultRun(["passwd", "--new-passphrase-file", newFile])
    #expect(r.status == 0, "\(r.stderr)")
    let after = try s.vaultFiles()
    // The access log grows with every command; of the vault's other files only one slot may change.
    let changed = Set(after.keys.filter { before[$0] != after[$0] && !$0.hasPrefix("log/") })
    #expect(changed.count == 1 && changed.first?.hasPrefix("slots/") == true, "changed: \(changed)")
    #expect(try s.vaultRun(["verify"]).status == 3)
    #expect(try s.run(["verify", "--vault", s.vault, "--passphrase-file", newFile]).status == 0)
    #expect(try s.run(["verify", "--vault", s.vault, "--recovery-key-file", s.recoveryFile]).status == 0)
  }

  @Test("passwd with the recovery key sets a new passphrase when the old one is forgotten")
  func recoveryReset() throws {
    let s = try CLISandbox()
    try s.initVault()
    let newFile = try s.write("remembered this time\n", to: "new")
    let r = try s.run(["passwd", "--vault", s.vault, "--recovery-key-file", s.recoveryFile, "--new-passphrase-file", newFile])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try s.run(["verify", "--vault", s.vault, "--passphrase-file", newFile]).status == 0)
    #expect(try s.vaultRun(["verify"]).status == 3)
  }

  @Test("passwd refuses a short new passphrase and changes nothing")
  func passwdShort() throws {
    let s = try CLISandbox()
    try s.initVault()
    let before = try s.vaultFiles()
    let r = try s.vaultRun(["passwd", "--new-passphrase-file", s.write("short\n", to: "short")])
    #expect(r.status == 1)
    #expect(r.stderr.contains("at least 12 characters"))
    #expect(try s.vaultFiles() == before)
  }

  @Test("the recovery key restores a deleted passphrase slot")
  func recoveryRestoresSlot() throws {
    let s = try CLISandbox()
    try s.initVault(["--label", "Dr Rivera"])
    let info = try s.run(["info", "--vault", s.vault, "--json"])
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
    let slots = try #require(obj["slots"] as? [[String: Any]])
    let passSlot = try #require(slots.first { $0["kind"] as? String == "passphrase" }?["id"] as? String)
    try FileManager.default.removeItem(atPath: "\(s.vault)/slots/\(passSlot)")
    #expect(try s.vaultRun(["verify"]).status == 10)
    let newFile = try s.write("a brand new passphrase\n", to: "n")
    let r = try s.run(["passwd", "--vault", s.vault, "--recovery-key-file", s.recoveryFile, "--label", "Dr Rivera",
      "--new-passphrase-file", newFile, "--kdf", "test"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try s.run(["verify", "--vault", s.vault, "--passphrase-file", newFile]).status == 0)
  }

  @Test("core dumps are disabled in the running vault process")
  func coreDumpsDisabled() throws {
    let s = try CLISandbox()
    try s.initVault()
    // The passphrase command runs as a child of vault, so $PPID is the vault process itself.
    let limits = s.root.appendingPathComponent("limits").path
    let command = "grep 'Max core file size' /proc/$PPID/limits > \(limits); printf '%s\\n' '\(s.passphrase)'"
    let r = try s.run(["verify", "--vault", s.vault], env: ["VAULT_PASSPHRASE_COMMAND": command])
    #expect(r.status == 0, "\(r.stderr)")
    let line = try String(contentsOfFile: limits, encoding: .utf8)
    #expect(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(4).prefix(2) == ["0", "0"], "\(line)")
  }

  @Test("passwd refuses the current passphrase as the new one")
  func passwdSame() throws {
    let s = try CLISandbox()
    try s.initVault()
    let r = try s.vaultRun(["passwd", "--new-passphrase-file", s.passphraseFile])
    #expect(r.status == 1)
    #expect(r.stderr.contains("the same as the current one"))
  }

  @Test("passwd --label names a slot that does not exist: exit 1, the labels are listed")
  func passwdUnknownLabel() throws {
    let s = try CLISandbox()
    try s.initVault(["--label", "Dr Rivera"])
    let r = try s.run(["passwd", "--vault", s.vault, "--recovery-key-file", s.recoveryFile, "--label", "Dr Nobody",
      "--new-passphrase-file", s.write("a brand new passphrase\n", to: "n")])
    #expect(r.status == 1)
    #expect(r.stderr.contains("'Dr Rivera'"))
  }

  @Test("a malformed or wrong recovery key cannot unlock (exit 3)")
  func badRecoveryKey() throws {
    let s = try CLISandbox()
    try s.initVault()
    var key = try String(contentsOfFile: s.recoveryFile, encoding: .utf8)
    let typo = try s.write(String(key.dropFirst()) + "\n", to: "typo")
    let r = try s.run(["verify", "--vault", s.vault, "--recovery-key-file", typo])
    #expect(r.status == 3)
    #expect(r.stderr.contains("malformed or has a typo"))
    // A well-formed key from another vault.
    let other = try CLISandbox()
    try other.initVault()
    key = try String(contentsOfFile: other.recoveryFile, encoding: .utf8)
    let foreign = try s.write(key, to: "foreign")
    let f = try s.run(["verify", "--vault", s.vault, "--recovery-key-file", foreign])
    #expect(f.status == 3)
    #expect(f.stderr.contains("does not unlock this vault"))
  }

  @Test("recovery rotate: the new key opens the vault, the old one no longer does, and a bad key file changes nothing")
  func recoveryRotate() throws {
    let s = try CLISandbox()
    try s.initVault()
    let old = s.recoveryFile
    #expect(try s.run(["verify", "--vault", s.vault, "--recovery-key-file", old]).status == 0)
    // A key file that exists is refused before anything changes.
    let taken = try s.write("keep me\n", to: "taken")
    let slotsBefore = try FileManager.default.contentsOfDirectory(atPath: s.vault + "/slots").sorted()
    let refused = try s.vaultRun(["recovery", "rotate", "--recovery-key-out", taken])
    #expect(refused.status == 1 && refused.stderr.contains("already exists"), "\(refused.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: s.vault + "/slots").sorted() == slotsBefore)
    #expect(try String(contentsOfFile: taken, encoding: .utf8) == "keep me\n")

    let new = s.root.appendingPathComponent("new-recovery").path
    let r = try s.vaultRun(["recovery", "rotate", "--recovery-key-out", new, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(json["retired"] as? Int == 1 && json["recoveryKeyFile"] as? String == new && json["recoveryKey"] == nil)
    #expect(try FileManager.default.attributesOfItem(atPath: new)[.posixPermissions] as? Int == 0o600)
    #expect(try s.run(["verify", "--vault", s.vault, "--recovery-key-file", old]).status == 3)
    #expect(try s.run(["verify", "--vault", s.vault, "--recovery-key-file", new]).status == 0)
    #expect(try s.vaultRun(["log", "show", "--action", "recovery-rotate"]).stdout.contains("1 earlier recovery slot(s) retired"))
    // Without a file, the key is printed once, on stdout only.
    let printed = try s.vaultRun(["recovery", "rotate"])
    #expect(printed.status == 0 && printed.stdout.contains("shown only this once"))
    #expect(try s.run(["verify", "--vault", s.vault, "--recovery-key-file", new]).status == 3)
  }
}
