import Foundation
import Testing
import VaultCore
import VaultCrypto

@Suite("creating, opening and unlocking a vault")
struct VaultLifecycleTests {
  @Test("a new vault opens and unlocks with the passphrase and with the recovery key")
  func createAndUnlock() throws {
    let dir = try TemporaryDirectory()
    let created = try makeVault(in: dir)
    let vault = try Vault.open(at: dir.path + "/v")
    #expect(vault.config == created.vault.vault.config)
    let byPass = try vault.unlock(.passphrase(secret("correct horse battery staple")))
    #expect(byPass.slot.kind == .passphrase)
    #expect(byPass.slot.label == "tester")
    let byRecovery = try vault.unlock(.recoveryKey(created.recoveryKey))
    #expect(byRecovery.slot.kind == .recovery)
    #expect(byPass.keys.master!.isEqual(to: byRecovery.keys.master!))
    #expect(try byPass.readIndex() == VaultIndex())
  }

  @Test("a recovery key survives printing and re-typing")
  func recoveryKeyText() throws {
    let dir = try TemporaryDirectory()
    let created = try makeVault(in: dir)
    let typed = try created.recoveryKey.encoded().lowercased().replacingOccurrences(of: "-", with: " ")
    let parsed = try RecoveryKey.parse(secret(typed))
    #expect(try Vault.open(at: dir.path + "/v").unlock(.recoveryKey(parsed)).slot.kind == .recovery)
  }

  @Test("a wrong passphrase throws wrongPassphrase")
  func wrongPassphrase() throws {
    let dir = try TemporaryDirectory()
    _ = try makeVault(in: dir)
    #expect(throws: VaultError.wrongPassphrase) {
      try Vault.open(at: dir.path + "/v").unlock(.passphrase(secret("not the passphrase")))
    }
  }

  @Test("creation refuses an existing vault and a non-empty directory and leaves no staging directory")
  func createRefusals() throws {
    let dir = try TemporaryDirectory()
    _ = try makeVault(in: dir)
    #expect(throws: VaultError.vaultAlreadyExists(path: dir.path + "/v")) { try makeVault(in: dir) }
    try FileManager.default.createDirectory(atPath: dir.path + "/other", withIntermediateDirectories: false)
    _ = FileManager.default.createFile(atPath: dir.path + "/other/x", contents: Data())
    #expect(throws: VaultError.directoryNotEmpty(path: dir.path + "/other")) {
      try Vault.create(at: dir.path + "/other", passphrase: secret("correct horse battery staple"), label: "t", kdf: .insecureTest, now: 0)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["other", "v"])
  }

  @Test("opening a directory without a vault says so")
  func openMissing() throws {
    let dir = try TemporaryDirectory()
    #expect(throws: VaultError.vaultNotFound(path: dir.path + "/nothing")) { try Vault.open(at: dir.path + "/nothing") }
  }

  @Test("a vault from a newer format version is refused as unsupported, not as corrupt")
  func newerVersion() throws {
    let dir = try TemporaryDirectory()
    _ = try makeVault(in: dir)
    let path = dir.path + "/v/config"
    var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[5] = 2
    let body = Array(bytes.dropLast(32))
    try Data(body + Hasher.blake2b256(body)).write(to: URL(fileURLWithPath: path))
    #expect(throws: VaultError.unsupportedFormat(version: 2)) { try Vault.open(at: dir.path + "/v") }
  }

  @Test("each commit bumps the index generation, and the index reads back")
  func commitGeneration() throws {
    let dir = try TemporaryDirectory()
    let v = try makeVault(in: dir).vault
    let first = try v.commit(v.readIndex())
    let second = try v.commit(first)
    #expect(second.generation == 2)
    #expect(try v.readIndex().generation == 2)
  }

  @Test("changing the passphrase rewrites only its slot; the old one stops working, the recovery key keeps working")
  func changePassphrase() throws {
    let dir = try TemporaryDirectory()
    let created = try makeVault(in: dir)
    let slotsDir = dir.path + "/v/slots"
    let before = try FileManager.default.contentsOfDirectory(atPath: slotsDir).sorted()
    let new = try created.vault.changePassphrase(to: secret("another good passphrase"), kdf: nil, now: 1_800_000_100)
    #expect(new.id == created.vault.slot.id)
    #expect(try FileManager.default.contentsOfDirectory(atPath: slotsDir).sorted() == before)
    let vault = try Vault.open(at: dir.path + "/v")
    #expect(throws: VaultError.wrongPassphrase) { try vault.unlock(.passphrase(secret("correct horse battery staple"))) }
    #expect(try vault.unlock(.passphrase(secret("another good passphrase"))).keys.master!.isEqual(to: created.vault.keys.master!))
    #expect(try vault.unlock(.recoveryKey(created.recoveryKey)).slot.kind == .recovery)
  }

  @Test("leftover temporary files are reported by verify and removed before the next write")
  func leftovers() throws {
    let dir = try TemporaryDirectory()
    let created = try makeVault(in: dir)
    let stray = dir.path + "/v/tmp/.tmp-0011223344556677"
    _ = FileManager.default.createFile(atPath: stray, contents: Data("half".utf8))
    let findings = try VaultVerifier(vault: created.vault.vault).run(unlocked: created.vault)
    #expect(findings.contains { $0.severity == .warning && $0.path == "tmp/.tmp-0011223344556677" })
    #expect(!findings.contains { $0.severity == .error })
    try created.vault.vault.prepareForWriting()
    #expect(!FileManager.default.fileExists(atPath: stray))
  }

  @Test("empty directories dropped by a copy are recreated before writing")
  func recreatesDirectories() throws {
    let dir = try TemporaryDirectory()
    let created = try makeVault(in: dir)
    for d in ["tmp", "objects", "clientkeys"] { try FileManager.default.removeItem(atPath: dir.path + "/v/\(d)") }
    #expect(try VaultVerifier(vault: created.vault.vault).run(unlocked: created.vault).filter { $0.severity == .error }.isEmpty)
    try created.vault.vault.prepareForWriting()
    _ = try created.vault.commit(created.vault.readIndex())
  }
}
