import Foundation
import Testing
import VaultCore

/// After a keyless backup, the next unlocked command signs its entry silently; entries that
/// are not what keyless commands write stay unsigned and reported (THREAT-MODEL.md).
@Suite("keyless entries are signed at the next unlock, forged ones are still reported")
struct RoutineSigningTests {
  /// A vault with a client, then a keyless backup.
  func backedUp() throws -> CLISandbox {
    let s = try CLISandbox()
    try s.initVault()
    _ = try s.addClient(["--legal-name", "Ann Lee"])
    let b = try s.run(["backup", "--to", s.root.appendingPathComponent("dest").path, "--vault", s.vault])
    #expect(b.status == 0, "\(b.stderr)")
    return s
  }

  /// Appends `entry` as anyone who can write the vault's files can: sealed to the public key in `config`.
  func forge(_ s: CLISandbox, _ entry: LogEntry) throws {
    try AccessLog(vault: Vault.open(at: s.vault)).append(entry, unlocked: nil)
  }

  @Test("keyless backup, then verify: no warning; the backup entry is signed and still listed")
  func backupThenVerify() throws {
    let s = try backedUp()
    let keyless = try s.run(["verify", "--keyless", "--vault", s.vault])
    #expect(keyless.stdout.contains("unsigned"), "without the key nothing can be signed: \(keyless.stdout)")
    let r = try s.vaultRun(["verify"])
    #expect(r.status == 0)
    #expect(!r.stdout.contains("warning"), "\(r.stdout)")
    let log = try s.vaultRun(["log", "verify"])
    #expect(log.stdout.contains(" 0 unsigned;") && !log.stdout.contains("warning"), "\(log.stdout)")
    let backups = try #require(try JSONSerialization.jsonObject(with: Data(s.vaultRun(["log", "show", "--action", "backup", "--json"]).stdout.utf8)) as? [[String: Any]])
    #expect(backups.count == 1 && backups[0]["actor"] as? String == "system")
  }

  @Test("a forged sealed entry after the backup is not signed: the keyed verify warns, naming it and why, and the backup's entry waits with it")
  func forgedKind() throws {
    let s = try backedUp()
    try forge(s, LogEntry(action: "note-show", actor: LogEntry.system, detail: "note K7F3-2Q.1 version 1"))
    let r = try s.vaultRun(["verify"])
    #expect(r.status == 0, "a warning, as for every unsigned entry")
    #expect(r.stdout.contains("2 entries after the last checkpoint are unsigned"), "all or nothing: \(r.stdout)")
    #expect(r.stdout.contains("'note-show': 'note-show' is not an action of a keyless command"), "\(r.stdout)")
    #expect(r.stdout.contains("someone who can write the vault's files may have added it"))
  }

  @Test("a forged entry of a keyless kind is still refused when its content is not what that command writes")
  func forgedContent() throws {
    for (entry, why) in [
      (LogEntry(action: "backup", actor: LogEntry.system, client: "K7F3-2Q", detail: "snapshot 00 to /x"), "keyless commands name no client or object"),
      (LogEntry(action: "backup", actor: LogEntry.system, time: Date().addingTimeInterval(40 * 86_400)), "it is dated in the future"),
      (LogEntry(action: "info", actor: LogEntry.system, time: Date(timeIntervalSince1970: 1_000_000_000)), "it is dated before the last checkpoint"),
    ] {
      let s = try backedUp()
      try forge(s, entry)
      let r = try s.vaultRun(["log", "verify"])
      #expect(r.status == 0)
      #expect(r.stdout.contains("are unsigned") && r.stdout.contains(why), "\(why): \(r.stdout)")
    }
  }
}
