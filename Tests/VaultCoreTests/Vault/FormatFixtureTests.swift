import Foundation
import Testing
@testable import VaultCore

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
    let errors = try VaultVerifier(vault: vault).run(unlocked: unlocked).filter { $0.severity == .error }
    #expect(errors.isEmpty, "\(errors)")
    #expect(try VaultVerifier(vault: vault).run().filter { $0.severity == .error }.isEmpty)

    // Every layer decodes to the committed plaintext: index entry → client key → objects.
    let manifest = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.appendingPathComponent("manifest.json"))) as? [String: String])
    let client = try #require(RandomID(hex: manifest["client"] ?? ""))
    let clientIndex = try #require(ObjectID(hex: manifest["clientIndexObject"] ?? ""))
    let document = try #require(ObjectID(hex: manifest["documentObject"] ?? ""))
    let index = try unlocked.readIndex()
    #expect(index.generation == 7)
    #expect(index.entries.first == IndexEntry(client: client, clientIndex: clientIndex))
    #expect(index.entries.count == 2 && index.entries[1].client == .none, "the practice index entry")
    let keyFile = try Array(Data(contentsOf: URL(fileURLWithPath: vault.layout.clientKey(client))))
    _ = try ClientKeyFile.ownerKey(keyFile, client: client, keys: unlocked.keys, vault: vault.config.vaultID)
    #expect(
      try vault.layout.objectStore.get(
        document, binding: ObjectBinding(type: .document, client: .none), key: unlocked.keys.vaultObjects, vault: vault.config.vaultID)
        == FixtureContent.document())

    // The records layer: code, record, note and addendum as committed.
    let records = Records(unlocked)
    let loaded = try records.client(manifest["code"] ?? "")
    #expect(loaded.id == client)
    #expect(try records.currentRecord(loaded) == FixtureContent.record)
    let note = try #require(loaded.index.note(1))
    #expect(note.isSigned && note.minutes == 50 && note.kind == .progress && note.date.description == "2026-01-12")
    #expect(try records.text(loaded, note.current) == FixtureContent.noteText)
    #expect(note.addenda.map(\.reason) == ["fixture addendum"])
    #expect(try records.text(loaded, note.addenda[0].revision) == FixtureContent.addendumText)

    // Consents, the disclosure and the practice's form (client index version 2, practice index).
    #expect(loaded.index.consents.map(\.kind) == [.informedConsent, .releaseOfInformation])
    #expect(loaded.index.consents[1].release == FixtureContent.release)
    var signedCopy: [UInt8] = []
    try records.readConsent(loaded.index.consents[0], of: loaded) { signedCopy += $0 }
    #expect(signedCopy == FixtureContent.consentBytes)
    #expect(loaded.index.consents[0].file.fileName == "consent.pdf" && loaded.index.consents[0].file.mediaType == "application/pdf")
    let d = try #require(loaded.index.disclosures.first)
    #expect(d.authorization == 2 && d.address == "1 Fixture Way" && d.date.description == "2026-01-20")
    let practice = try records.practice()
    #expect(practice.forms.map(\.version) == ["v1"])
    var form: [UInt8] = []
    try records.readForm(practice.forms[0]) { form += $0 }
    #expect(form == FixtureContent.formBytes)
  }
}
