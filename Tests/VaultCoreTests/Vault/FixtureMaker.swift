import Foundation
import Testing
import VaultCore
import VaultCrypto

/// What the v1 fixture holds beyond an empty vault, so that every layer of format 1 is pinned by
/// committed bytes: a client key file, a client index object named by the index, and a
/// vault-level object of two chunks.
enum FixtureContent {
  /// Plaintext of the client index object (its real encoding arrives with client records; the
  /// envelope is what this pins).
  static let clientIndexText = Array("vault format 1 fixture: client index object".utf8)
  /// 70,000 bytes: one full 64 KiB chunk and a padded final chunk.
  static func document() -> [UInt8] { (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }
}

/// Adds the fixture's records to a vault made by `vault init`; runs only from `make fixture`,
/// which sets VAULT_MAKE_FIXTURE to the fixture directory.
@Suite("fixture maker")
struct FixtureMaker {
  @Test("write the records of a new format fixture", .enabled(if: ProcessInfo.processInfo.environment["VAULT_MAKE_FIXTURE"] != nil))
  func make() throws {
    let dir = try #require(ProcessInfo.processInfo.environment["VAULT_MAKE_FIXTURE"])
    let vault = try Vault.open(at: dir + "/vault")
    let pass = try String(contentsOfFile: dir + "/passphrase.txt", encoding: .utf8).trimmingCharacters(in: .newlines)
    let unlocked = try vault.unlock(.passphrase(secret(pass)))
    let client = try RandomID.generate()
    let clientKey = try SecretKey.random()
    let id = vault.config.vaultID
    try AtomicFile.write(
      ClientKeyFile.encode(client: client, clientKey: clientKey, keys: unlocked.keys, vault: id),
      to: vault.layout.clientKey(client), temporaryDirectory: vault.layout.tmp)
    let store = vault.layout.objectStore
    let index = try store.put(FixtureContent.clientIndexText, binding: ObjectBinding(type: .clientIndex, client: client), key: clientKey, vault: id)
    let document = try store.put(FixtureContent.document(), binding: ObjectBinding(type: .document, client: .none), key: unlocked.keys.vaultObjects, vault: id)
    try unlocked.commit(VaultIndex(generation: 0, entries: [IndexEntry(client: client, clientIndex: index)]))
    let manifest = ["client": client.hex, "clientIndexObject": index.hex, "documentObject": document.hex]
    let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: dir + "/manifest.json"))
  }
}
