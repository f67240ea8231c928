import Foundation
import Testing
import VaultCrypto
@testable import VaultCore

/// `vault verify` and the practitioner registry (FORMAT.md §10, §17.1): damage is found without
/// a key; a forged or rolled-back registry with one.
@Suite("verify: the practitioner registry")
struct RegistryCheckTests {
  /// A practice: the creator (an owner, by the move) and `dana`, a clinician.
  struct Fixture {
    let dir: TemporaryDirectory
    let created: Vault.Creation
    var vault: Vault { created.vault.vault }
    var path: String { vault.layout.practitioners }

    init() throws {
      dir = try TemporaryDirectory()
      created = try makeVault(in: dir)
      try add("dana")
    }

    /// Adds a clinician (a new registry generation).
    func add(_ name: String) throws {
      let owner = try Practice(vault, unlocked: created.vault, mode: .write)
      _ = try owner.practitioners.add(name, role: "clinician", passphrase: TestBytes.secure("\(name) passphrase 1234"), cost: .test, supervisor: nil)
    }

    /// The findings about the registry, of a keyed or keyless run of every check.
    func findings(keyed: Bool) throws -> [Finding] {
      try VaultVerifier(vault: vault).run(unlocked: keyed ? created.vault : nil).filter { $0.path == "practitioners" }
    }
  }

  @Test("an intact registry gives no finding, keyed or not, and the check is listed after the log's")
  func intact() throws {
    let f = try Fixture()
    #expect(try f.findings(keyed: false).isEmpty)
    #expect(try f.findings(keyed: true).isEmpty)
    #expect(VaultVerifier.standardChecks.map(\.name).suffix(2) == ["access log", "practitioner registry"])
  }

  @Test("a byte flipped anywhere in the registry is an error without a key", arguments: [0, 9, 20, -40, -1])
  func flippedByte(at offset: Int) throws {
    let f = try Fixture()
    var bytes = try RawFile.read(f.path)
    bytes[offset < 0 ? bytes.count + offset : offset] ^= 0x01
    try RawFile.write(bytes, to: f.path)
    let found = try f.findings(keyed: false)
    #expect(found.count == 1 && found.first?.severity == .error, "\(found)")
    #expect(found.first?.message.hasPrefix("the practitioner registry is damaged: ") == true, "\(found)")
  }

  @Test("a registry changed and checksummed again passes without a key, and its signature fails with one")
  func forged() throws {
    let f = try Fixture()
    var bytes = try RawFile.read(f.path)
    // Rename dana to dona, and make the checksum right: only the signature can tell.
    let at = try #require(Self.find(Array("dana".utf8), in: bytes))
    bytes[at + 1] = UInt8(ascii: "o")
    let content = Array(bytes.dropLast(Hasher.digestSize))
    try RawFile.write(content + (try Hasher.blake2b256(content)), to: f.path)
    #expect(try PractitionerRegistry.decode(try RawFile.read(f.path)).registry.named("dona") != nil)
    #expect(try f.findings(keyed: false).isEmpty)
    #expect(
      try f.findings(keyed: true) == [
        Finding(.error, "practitioners", "the practitioner registry's signature does not verify (modified by someone without an owner's key)")
      ])
  }

  @Test("an older registry put back (it still verifies) is found by its generation against the index's")
  func rolledBack() throws {
    let f = try Fixture()
    let old = try RawFile.read(f.path)
    let oldGeneration = try PractitionerRegistry.decode(old).registry.generation
    try f.add("lee")
    let index = try f.created.vault.readIndex()
    #expect(index.revision == 1 && index.registryGeneration > oldGeneration)
    #expect(try f.findings(keyed: true).isEmpty)
    try RawFile.write(old, to: f.path)
    #expect(try f.findings(keyed: false).isEmpty, "without a key the generation recorded in the index is out of reach")
    #expect(
      try f.findings(keyed: true) == [
        Finding(
          .error, "practitioners",
          "the practitioner registry (generation \(oldGeneration)) is older than the index records (\(index.registryGeneration)): rolled back")
      ])
  }

  @Test("a deleted registry is an error without a key once the index is a practice's; a format-1 vault needs none")
  func missing() throws {
    let dir = try TemporaryDirectory()
    let plain = try makeVault(in: dir)
    #expect(try VaultVerifier(vault: plain.vault.vault).run().filter { $0.path == "practitioners" }.isEmpty)
    let f = try Fixture()
    try FileManager.default.removeItem(atPath: f.path)
    let expected = [Finding(.error, "practitioners", "the practitioner registry is missing, but the index is a practice's (deleted)")]
    #expect(try f.findings(keyed: false) == expected)
    #expect(try f.findings(keyed: true) == expected)
  }

  static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
    guard bytes.count >= needle.count else { return nil }
    return (0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle }
  }
}

extension RegistryCheckTests {
  @Test("a passphrase slot no practitioner lists, and a listed slot that is missing, are warnings without a key")
  func slotsAndEntries() throws {
    let f = try Fixture()
    let registry = try #require(try f.vault.registry())
    let dana = try #require(registry.named("dana"))
    let slotPath = f.vault.layout.slot(dana.slots[0])
    let bytes = try RawFile.read(slotPath)
    // dana's slot copied under another id: nobody lists it.
    let stray = try RandomID(bytes: [UInt8](repeating: 0x5a, count: 16))
    let slot = try KeySlot.decode(bytes)
    #expect(slot.kind == .personal)
    var copy = bytes
    copy.replaceSubrange(8..<24, with: stray.bytes)
    let content = Array(copy.dropLast(Hasher.digestSize))
    try RawFile.writeNew(content + (try Hasher.blake2b256(content)), to: f.vault.layout.slot(stray))
    try FileManager.default.removeItem(atPath: slotPath)
    let found = try VaultVerifier(vault: f.vault).run()
    #expect(
      found.contains(
        Finding(
          .warning, "slots/\(stray.hex)",
          "key slot 'dana' belongs to no practitioner of the registry, so it opens nothing (left by an interrupted removal, or planted)")), "\(found)")
    #expect(found.contains(Finding(.warning, "practitioners", "dana's key slot \(dana.slots[0].hex) is missing")), "\(found)")
    #expect(!found.contains { $0.severity == .error }, "\(found)")
  }
}
