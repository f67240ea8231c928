import Foundation
import Testing
import VaultCore
import VaultCrypto

/// Edits a checksummed vault file and recomputes its trailing BLAKE2b checksum, as an attacker
/// with write access can: what is left to catch the edit is the MAC or AEAD inside.
func forgeChecksummed(_ path: String, _ edit: (inout [UInt8]) -> Void) throws {
  var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
  edit(&bytes)
  let body = Array(bytes.dropLast(32))
  try Data(body + Hasher.blake2b256(body)).write(to: URL(fileURLWithPath: path))
}

@Suite("integrity failures are found and exit 10")
struct IntegrityTests {
  /// Adds one vault-level object through the library, as later commands will, and returns its path.
  func addObject(_ s: CLISandbox, size: Int = 200_000) throws -> String {
    let vault = try Vault.open(at: s.vault)
    let pass = try Array(s.passphrase.utf8).withUnsafeBytes { try SecureBytes(copying: $0) }
    let unlocked = try vault.unlock(.passphrase(pass))
    let plain = [UInt8](repeating: 0x41, count: size)
    let id = try vault.layout.objectStore.put(
      plain, binding: ObjectBinding(type: .document, client: .none), key: unlocked.keys.vaultObjects, vault: vault.config.vaultID)
    return vault.layout.objectStore.path(for: id)
  }

  @Test("a healthy vault verifies, with and without the passphrase")
  func healthy() throws {
    let s = try CLISandbox()
    try s.initVault()
    let keyed = try s.vaultRun(["verify"])
    #expect(keyed.status == 0, "\(keyed.stdout)\(keyed.stderr)")
    #expect(keyed.stdout.contains("ok: no problems found"))
    let keyless = try s.run(["verify", "--keyless", "--vault", s.vault])
    #expect(keyless.status == 0)
    #expect(keyless.stdout.contains("keyless checks only"))
  }

  @Test("a bit flip in a key slot is reported as damage (exit 10), not as a wrong passphrase")
  func slotBitFlip() throws {
    let s = try CLISandbox()
    try s.initVault()
    for slot in try s.files(in: "slots") { try s.flipBit(slot, at: 60) }
    let keyless = try s.run(["verify", "--keyless", "--vault", s.vault])
    #expect(keyless.status == 10)
    #expect(keyless.stdout.contains("slots/"))
    #expect(keyless.stdout.contains("checksum mismatch"))
    let unlock = try s.vaultRun(["verify"])
    #expect(unlock.status == 10)
    #expect(unlock.stdout.contains("error: slots/"))
    let passwd = try s.vaultRun(["passwd", "--new-passphrase-file", s.write("a brand new passphrase\n", to: "n")])
    #expect(passwd.status == 10)
    #expect(passwd.stderr.contains("integrity failure: slots/"))
  }

  @Test("deleted key slots are damage (exit 10), not a wrong passphrase")
  func slotsDeleted() throws {
    let s = try CLISandbox()
    try s.initVault()
    for slot in try s.files(in: "slots") { try FileManager.default.removeItem(atPath: slot) }
    let r = try s.vaultRun(["verify"])
    #expect(r.status == 10)
    #expect(r.stdout.contains("no passphrase slot"))
  }

  @Test("a vault directory with a file where a directory belongs fails with a one-line error, never a raw one")
  func fileInsteadOfDirectory() throws {
    let s = try CLISandbox()
    try s.initVault()
    try FileManager.default.removeItem(atPath: s.vault + "/slots")
    try Data("x".utf8).write(to: URL(fileURLWithPath: s.vault + "/slots"))
    for args in [["info"], ["verify"], ["verify", "--keyless"]] {
      let r = try s.vaultRun(args)
      #expect(r.status == 10, "\(args): \(r.stderr)")
      #expect(r.stderr.hasPrefix("vault: "), "\(args): \(r.stderr)")
      #expect(!r.stderr.contains("Error:"))
    }
  }

  @Test("a FIFO planted as the index does not hang keyless verification")
  func fifoIndex() throws {
    let s = try CLISandbox()
    try s.initVault()
    try FileManager.default.removeItem(atPath: s.vault + "/index")
    #expect(mkfifo(s.vault + "/index", 0o600) == 0)
    let r = try s.run(["verify", "--keyless", "--vault", s.vault])
    #expect(r.status == 10)
    #expect(r.stdout.contains("index"))
  }

  @Test("a truncated key slot is reported (exit 10)")
  func slotTruncated() throws {
    let s = try CLISandbox()
    try s.initVault()
    for slot in try s.files(in: "slots") { try s.truncate(slot, to: 40) }
    let r = try s.vaultRun(["verify"])
    #expect(r.status == 10)
    #expect(r.stdout.contains("key slot is damaged"))
  }

  @Test("a bit flip or truncation of the index is found without the key (exit 10)", arguments: [true, false])
  func indexDamage(_ flip: Bool) throws {
    let s = try CLISandbox()
    try s.initVault()
    if flip { try s.flipBit(s.vault + "/index", at: 30) } else { try s.truncate(s.vault + "/index", to: 20) }
    let r = try s.run(["verify", "--keyless", "--vault", s.vault])
    #expect(r.status == 10)
    #expect(r.stdout.contains("error: index:"))
  }

  @Test("an index edited with a recomputed checksum passes keyless checks but fails authentication (exit 10)")
  func indexForgedChecksum() throws {
    let s = try CLISandbox()
    try s.initVault()
    try forgeChecksummed(s.vault + "/index") { bytes in bytes[40] ^= 0x80 }
    #expect(try s.run(["verify", "--keyless", "--vault", s.vault]).status == 0)
    let r = try s.vaultRun(["verify"])
    #expect(r.status == 10)
    #expect(r.stdout.contains("index does not authenticate"))
  }

  @Test("an index from another vault is rejected (exit 10)")
  func indexFromAnotherVault() throws {
    let s = try CLISandbox()
    try s.initVault()
    let other = try CLISandbox()
    try other.initVault()
    try FileManager.default.removeItem(atPath: s.vault + "/index")
    try FileManager.default.copyItem(atPath: other.vault + "/index", toPath: s.vault + "/index")
    #expect(try s.vaultRun(["verify"]).status == 10)
  }

  @Test("a damaged config stops every command with exit 10", arguments: [20, 100, 150])
  func configDamage(_ offset: Int) throws {
    let s = try CLISandbox()
    try s.initVault()
    try s.flipBit(s.vault + "/config", at: offset)
    #expect(try s.run(["info", "--vault", s.vault]).status == 10)
    #expect(try s.vaultRun(["verify"]).status == 10)
  }

  @Test("a config whose public key was swapped (checksum recomputed) is caught on unlock")
  func configForged() throws {
    let s = try CLISandbox()
    try s.initVault()
    try forgeChecksummed(s.vault + "/config") { bytes in bytes[40] ^= 0x01 }  // inside the X25519 public key
    let r = try s.vaultRun(["verify"])
    #expect(r.status == 10)
    #expect(r.stdout.contains("config does not authenticate"))
    let info = try s.run(["info", "--vault", s.vault])
    #expect(info.status == 0, "keyless commands cannot check the MAC")
    let passwd = try s.vaultRun(["passwd", "--new-passphrase-file", s.write("a brand new passphrase\n", to: "n")])
    #expect(passwd.status == 10)
    #expect(passwd.stderr.contains("config does not authenticate"))
  }

  @Test("a bit flip anywhere in an object is found by its name (exit 10), keyless and keyed", arguments: [3, 30, 60, 70_000, 199_990])
  func objectBitFlip(_ offset: Int) throws {
    let s = try CLISandbox()
    try s.initVault()
    let object = try addObject(s)
    #expect(try s.run(["verify", "--keyless", "--vault", s.vault]).status == 0)
    try s.flipBit(object, at: offset)
    let r = try s.run(["verify", "--keyless", "--vault", s.vault])
    #expect(r.status == 10)
    #expect(r.stdout.contains("objects/"))
    #expect(try s.vaultRun(["verify"]).status == 10)
  }

  @Test("a truncated object is found (exit 10)")
  func objectTruncated() throws {
    let s = try CLISandbox()
    try s.initVault()
    let object = try addObject(s)
    try s.truncate(object, to: 100_000)
    let r = try s.run(["verify", "--keyless", "--vault", s.vault])
    #expect(r.status == 10)
    #expect(r.stdout.contains("hash mismatch"))
  }

  @Test("the plaintext of an object never appears in the vault's files")
  func objectIsEncrypted() throws {
    let s = try CLISandbox()
    try s.initVault()
    _ = try addObject(s, size: 4096)
    for (name, data) in try s.vaultFiles() {
      #expect(data.range(of: Data(repeating: 0x41, count: 32)) == nil, "\(name) holds plaintext")
    }
  }

  @Test("a vault written by a newer format version is refused with exit 1 and a hint to upgrade")
  func newerFormat() throws {
    let s = try CLISandbox()
    try s.initVault()
    try forgeChecksummed(s.vault + "/config") { bytes in bytes[5] = 2 }
    let r = try s.run(["info", "--vault", s.vault])
    #expect(r.status == 1)
    #expect(r.stderr.contains("format version 2"))
    #expect(r.stderr.contains("newer"))
  }

  @Test("a lock file replaced by a symlink is not followed: damage (exit 10), and the target untouched")
  func symlinkedLock() throws {
    let s = try CLISandbox()
    try s.initVault()
    let victim = try s.write("precious\n", to: "victim")
    try FileManager.default.removeItem(atPath: s.vault + "/lock")
    try FileManager.default.createSymbolicLink(atPath: s.vault + "/lock", withDestinationPath: victim)
    let r = try s.vaultRun(["passwd", "--new-passphrase-file", s.write("a brand new passphrase\n", to: "n")])
    #expect(r.status == 10)
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
  }

  @Test("verify reports every problem, not only the first")
  func reportsAll() throws {
    let s = try CLISandbox()
    try s.initVault()
    let object = try addObject(s)
    try s.flipBit(object, at: 1000)
    try s.flipBit(s.vault + "/index", at: 30)
    let r = try s.run(["verify", "--keyless", "--vault", s.vault, "--json"])
    #expect(r.status == 10)
    let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(obj["errors"] as? Int == 2)
  }
}
