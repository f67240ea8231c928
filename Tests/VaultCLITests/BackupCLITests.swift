import Foundation
import Testing

@Suite("backup and restore through the binary")
struct BackupCLITests {
  /// Runs `vault backup --to dest` (keyless: no passphrase in the environment) and returns its JSON summary.
  func backup(_ s: CLISandbox, _ dest: String = "dest") throws -> [String: Any] {
    let r = try s.run(["backup", "--to", s.root.appendingPathComponent(dest).path, "--vault", s.vault, "--json", "--wait", "30"])
    #expect(r.status == 0, "\(r.stderr)")
    return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
  }

  @Test("incremental backups copy only new objects; a restore gives back every note and document byte for byte")
  func incrementalAndRestore() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    try s.ok(["add-note", c], input: Data("first session\n".utf8))
    let doc = s.root.appendingPathComponent("scan.pdf").path
    try Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }).write(to: URL(fileURLWithPath: doc))
    try s.ok(["consent", "add", c, "--kind", "other", "--file", doc])
    let first = try backup(s)
    #expect((first["objectsCopied"] as? Int ?? 0) >= 4)
    #expect(try backup(s)["objectsCopied"] as? Int == 0, "an unchanged vault copies nothing")
    try s.ok(["add-note", c], input: Data("second session\n".utf8))
    let third = try backup(s)
    #expect(third["objectsCopied"] as? Int == 2, "one note: its object and the client's new index object")

    // A machine with only the backup and the passphrase (or the recovery key).
    let restored = s.root.appendingPathComponent("restored").path
    #expect(try s.run(["restore", "--from", s.root.appendingPathComponent("dest").path, "--to", restored]).status == 0)
    #expect(try s.run(["verify", "--vault", restored, "--passphrase-file", s.passphraseFile]).status == 0)
    let notes = try s.run(["note", "list", c, "--vault", restored, "--passphrase-file", s.passphraseFile]).stdout
    #expect(notes.contains("first session") && notes.contains("second session"))
    let out = s.root.appendingPathComponent("back.pdf").path
    #expect(try s.run(["consent", "get", c + ".C1", "--out", out, "--vault", restored, "--recovery-key-file", s.recoveryFile]).status == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(contentsOf: URL(fileURLWithPath: doc)))
    #expect(try s.run(["restore", "--from", s.root.appendingPathComponent("dest").path, "--to", restored]).stderr.contains("already exists"))
    #expect(try s.ok(["log", "show", "--action", "backup"]).split(separator: "\n").count >= 3)
  }

  @Test("damage in the backup is found by keyless verify; --full decrypts; the wrong places are refused")
  func verifyAndRefusals() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    try s.ok(["add-note", c], input: Data("text\n".utf8))
    let first = try #require(try backup(s)["snapshot"] as? String)
    let dest = s.root.appendingPathComponent("dest").path
    #expect(try s.run(["backup", "verify", "--to", dest]).status == 0)
    #expect(try s.run(["backup", "verify", "--to", dest, "--full", "--passphrase-file", s.passphraseFile]).status == 0)
    let packs = try FileManager.default.contentsOfDirectory(atPath: dest + "/packs").sorted()
    let biggest = try #require(packs.max { (try? s.size(dest + "/packs/" + $0)) ?? 0 < (try? s.size(dest + "/packs/" + $1)) ?? 0 })
    try s.flipBit(dest + "/packs/" + biggest, at: 100)
    let flipped = try s.run(["backup", "verify", "--to", dest])
    #expect(flipped.status == 10 && flipped.stdout.contains("does not match its name"), "\(flipped.stdout)")
    try FileManager.default.removeItem(atPath: dest + "/packs/" + biggest)
    let deleted = try s.run(["backup", "verify", "--to", dest])
    #expect(deleted.status == 10 && deleted.stdout.contains("missing"))
    // The next backup packs again what the vault still holds: its snapshot is whole. What only
    // the lost pack held (the earlier snapshot's copy of the log) stays reported, under that snapshot.
    let latest = try #require(try backup(s)["snapshot"] as? String)
    let repaired = try s.run(["backup", "verify", "--to", dest])
    let errors = repaired.stdout.split(separator: "\n").filter { $0.hasPrefix("error:") }
    #expect(errors.allSatisfy { $0.contains(first) } && !repaired.stdout.contains(latest), "\(repaired.stdout)")
    #expect(try s.run(["restore", "--from", dest, "--to", s.root.appendingPathComponent("repaired").path]).status == 0)

    try FileManager.default.createDirectory(at: s.root.appendingPathComponent("notempty"), withIntermediateDirectories: true)
    try s.write("other\n", to: "notempty/file")
    #expect(try s.run(["backup", "--to", s.root.appendingPathComponent("notempty").path, "--vault", s.vault]).stderr.contains("is not empty and is not a vault backup"))
    let other = try CLISandbox()
    try other.initVault()
    let r = try other.run(["backup", "--to", dest, "--vault", other.vault])
    #expect(r.status == 1 && r.stderr.contains("another vault"))
    let holder = try FileHandle(forUpdating: URL(fileURLWithPath: dest + "/lock"))
    flock(holder.fileDescriptor, LOCK_EX)
    #expect(try s.run(["backup", "--to", dest, "--vault", s.vault]).status == 4)
    try holder.close()
  }

  @Test("prune removes the snapshots and copies the policy does not keep; what remains verifies and restores")
  func prune() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    var ids: [String] = []
    for i in 0..<3 {
      try s.ok(["add-note", c], input: Data("session \(i)\n".utf8))
      ids.append(try #require(try backup(s)["snapshot"] as? String))
    }
    let dest = s.root.appendingPathComponent("dest").path
    #expect(try s.run(["backup", "prune", "--to", dest]).stderr.contains("give at least one --keep"))
    let dry = try s.run(["backup", "prune", "--to", dest, "--keep-daily", "1", "--dry-run", "--json"])
    let plan = try #require(try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any])
    #expect(plan["kept"] as? [String] == [ids[2]] && (plan["removed"] as? [String])?.sorted() == [ids[0], ids[1]].sorted())
    #expect(try FileManager.default.contentsOfDirectory(atPath: dest + "/snapshots").count == 3, "a dry run removes nothing")
    #expect(try s.run(["backup", "prune", "--to", dest, "--keep-daily", "1"]).status == 0)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dest + "/snapshots") == [ids[2]])
    #expect(try s.run(["backup", "verify", "--to", dest, "--full", "--passphrase-file", s.passphraseFile]).status == 0)
    let restored = s.root.appendingPathComponent("restored").path
    #expect(try s.run(["restore", "--from", dest, "--to", restored]).status == 0)
    #expect(try s.run(["note", "list", c, "--vault", restored, "--passphrase-file", s.passphraseFile]).stdout.contains("session 2"))
  }

  @Test("log verify --against finds a vault rolled back to before its last backup")
  func rollback() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    let old = s.root.appendingPathComponent("old-copy").path
    try FileManager.default.copyItem(atPath: s.vault, toPath: old)
    try s.ok(["add-note", c], input: Data("after the copy\n".utf8))
    _ = try backup(s)
    let dest = s.root.appendingPathComponent("dest").path
    #expect(try s.vaultRun(["log", "verify", "--against", dest]).status == 0)
    try FileManager.default.removeItem(atPath: s.vault)
    try FileManager.default.moveItem(atPath: old, toPath: s.vault)
    let r = try s.vaultRun(["log", "verify", "--against", dest])
    #expect(r.status == 10 && r.stdout.contains("not in this log"), "\(r.stdout)")
  }

  @Test("backups killed at random points never leave the backup or the vault unusable; a vault written to meanwhile restores")
  func killedAndBusy() throws {
    let s = try CLISandbox()
    try s.initVault()
    let c = try s.addClient(["--legal-name", "Ada Lovelace"])
    for i in 0..<30 { try s.ok(["add-note", c], input: Data("note \(i)\n".utf8)) }
    let dest = s.root.appendingPathComponent("dest").path
    let kills = ProcessInfo.processInfo.environment["VAULT_LONG_TESTS"] == nil ? 8 : 60
    for i in 0..<kills {
      if i % 4 == 0 { try s.ok(["add-note", c], input: Data("more \(i)\n".utf8)) }
      let p = Process()
      p.executableURL = CLISandbox.binary
      p.arguments = ["backup", "--to", dest, "--vault", s.vault, "--quiet"]
      p.standardOutput = FileHandle.nullDevice
      p.standardError = FileHandle.nullDevice
      try p.run()
      usleep(UInt32.random(in: 0...40_000))
      kill(p.processIdentifier, SIGKILL)
      p.waitUntilExit()
      if FileManager.default.fileExists(atPath: dest + "/vault-backup") {
        let v = try s.run(["backup", "verify", "--to", dest])
        #expect(v.status == 0, "after kill \(i): \(v.stdout)")
      }
      #expect(try s.vaultRun(["verify"]).status == 0, "the vault after kill \(i)")
    }
    // Written to while backing up: notes added in parallel with three backups.
    let writer = Process()
    writer.executableURL = URL(fileURLWithPath: "/bin/sh")
    writer.arguments = ["-c", "for i in $(seq 20); do echo parallel $i | \(CLISandbox.binary.path) add-note \(c) --vault \(s.vault) --wait 30 >/dev/null; done"]
    writer.environment = ["VAULT_PASSPHRASE_FILE": s.passphraseFile, "HOME": s.root.path, "PATH": "/usr/bin:/bin"]
    try writer.run()
    for _ in 0..<3 { _ = try backup(s) }
    writer.waitUntilExit()
    _ = try backup(s)
    let restored = s.root.appendingPathComponent("restored").path
    #expect(try s.run(["restore", "--from", dest, "--to", restored]).status == 0)
    #expect(try s.run(["verify", "--vault", restored, "--passphrase-file", s.passphraseFile]).status == 0)
    let listed = try s.run(["note", "list", c, "--vault", restored, "--passphrase-file", s.passphraseFile, "--json"]).stdout
    #expect(((try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [Any])?.count ?? 0) >= 30 + 20)
  }
}
