import Foundation
import Testing
import VaultCore

/// Records are kept for a decade: every release must open vaults written by earlier ones.
@Suite("committed format fixtures")
struct FormatFixtureTests {
  /// Copies a fixture to a temporary directory (tests never write to the committed copy).
  func copyFixture(_ name: String, to dir: TemporaryDirectory) throws -> (vault: String, fixture: URL) {
    let fixture = testsDirectory.appendingPathComponent("Fixtures/\(name)")
    let vault = dir.path + "/vault"
    try FileManager.default.copyItem(atPath: fixture.appendingPathComponent("vault").path, toPath: vault)
    return (vault, fixture)
  }

  @Test("the v1 fixture opens, unlocks with its passphrase and its recovery key, and verifies")
  func v1() throws {
    let dir = try TemporaryDirectory()
    let (path, fixture) = try copyFixture("v1-vault", to: dir)
    let vault = try Vault.open(at: path)
    let expectedID = try String(contentsOf: fixture.appendingPathComponent("vault-id.txt"), encoding: .utf8)
    #expect(vault.config.vaultID.hex == expectedID.trimmingCharacters(in: .whitespacesAndNewlines))
    let pass = try String(contentsOf: fixture.appendingPathComponent("passphrase.txt"), encoding: .utf8)
    let unlocked = try vault.unlock(.passphrase(secret(pass.trimmingCharacters(in: .newlines))))
    #expect(unlocked.slot.label == "fixture")
    let recovery = try String(contentsOf: fixture.appendingPathComponent("recovery-key.txt"), encoding: .utf8)
    _ = try vault.unlock(.recoveryKey(RecoveryKey.parse(secret(recovery))))
    #expect(try unlocked.readIndex().generation == 0)
    let errors = try VaultVerifier(vault: vault).run(unlocked: unlocked).filter { $0.severity == .error }
    #expect(errors.isEmpty, "\(errors)")
  }
}
