import Testing
import VaultCore
import VaultCrypto

@Suite("key slots")
struct KeySlotTests {
  static let passphrase = "correct horse battery staple"
  static let label = "Dr. Ada"

  /// Byte offsets of a slot file's fields (FORMAT.md §5), for editing them as an attacker would.
  struct Layout {
    let labelCount: Int
    static let kind = FileHeader.size + RandomID.size
    static let labelStart = kind + 1 + 2
    var created: Int { Self.labelStart + labelCount }
    var opsLimit: Int { created + 8 }
    var memLimit: Int { opsLimit + 8 }
    var salt: Int { memLimit + 8 }
    var wrapped: Int { salt + PasswordKDF.saltSize }
    var checksum: Int { wrapped + SecretKey.size + AEAD.overhead }
  }

  static func credential(_ text: String = passphrase) throws -> Credential { .passphrase(try TestBytes.secure(text)) }

  static func slot(
    label: String = label, kdf: KDFParameters = .insecureTest, keys: VaultKeys, vault: RandomID
  ) throws -> KeySlot {
    try KeySlot.create(for: credential(), label: label, kdf: kdf, keys: keys, vault: vault, now: 1_760_000_000)
  }

  static func writeLE(_ value: UInt64, into bytes: inout [UInt8], at offset: Int) {
    for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
  }

  @Test("a passphrase slot encodes, decodes and unlocks to the master key")
  func roundTrip() throws {
    let keys = try VaultKeys.generate()
    let vault = try RandomID.generate()
    let slot = try Self.slot(keys: keys, vault: vault)
    let bytes = try slot.encoded()
    #expect(bytes.count == Layout(labelCount: Self.label.utf8.count).checksum + 32)

    let decoded = try KeySlot.decode(bytes)
    #expect(decoded.id == slot.id)
    #expect(decoded.kind == .passphrase)
    #expect(decoded.label == Self.label)
    #expect(decoded.created == 1_760_000_000)
    #expect(decoded.kdf == .insecureTest)
    #expect(decoded.salt == slot.salt)
    #expect(decoded.salt.count == PasswordKDF.saltSize)
    #expect(try decoded.encoded() == bytes)
    #expect(try decoded.unlock(Self.credential(), vault: vault).isEqual(to: keys.master!))
  }

  @Test("two slots for the same passphrase use different salts and bytes")
  func freshSalt() throws {
    let keys = try VaultKeys.generate()
    let vault = try RandomID.generate()
    let a = try Self.slot(keys: keys, vault: vault)
    let b = try Self.slot(keys: keys, vault: vault)
    #expect(a.salt != b.salt)
    #expect(a.id != b.id)
    #expect(try a.encoded() != b.encoded())
  }

  @Test("labels up to the byte limit, including non-ASCII ones, round-trip")
  func labels() throws {
    let keys = try VaultKeys.generate()
    let vault = try RandomID.generate()
    #expect(KeySlot.maxLabelBytes == 200)
    for label in ["x", "Zoë Ørsted 🔑", String(repeating: "a", count: 200), String(repeating: "\u{E9}", count: 100)] {
      let decoded = try KeySlot.decode(Self.slot(label: label, keys: keys, vault: vault).encoded())
      #expect(decoded.label == label)
      #expect(try decoded.unlock(Self.credential(), vault: vault).isEqual(to: keys.master!))
    }
  }

  @Test("create refuses an empty label or one over the byte limit")
  func createBoundsLabels() throws {
    let keys = try VaultKeys.generate()
    let vault = try RandomID.generate()
    for label in ["", String(repeating: "a", count: 201), String(repeating: "\u{E9}", count: 101)] {
      #expect(throws: VaultError.invalidLabel(maximum: 200)) {
        try Self.slot(label: label, keys: keys, vault: vault)
      }
    }
  }

  @Test("decode refuses a slot whose label is over the byte limit")
  func decodeBoundsLabels() throws {
    var bytes = try Self.slot(label: String(repeating: "a", count: 200), keys: VaultKeys.generate(), vault: RandomID.generate()).encoded()
    // Lengthen the label to 201 bytes by hand, as no writer would.
    bytes[Layout.labelStart - 2] = 201
    bytes.insert(UInt8(ascii: "a"), at: Layout.labelStart)
    #expect(throws: FormatError.invalidField("string longer than 200 bytes")) {
      try KeySlot.decode(TestBytes.withRecomputedChecksum(bytes))
    }
  }

  @Test("a wrong passphrase throws .wrongPassphrase")
  func wrongPassphrase() throws {
    let vault = try RandomID.generate()
    let slot = try KeySlot.decode(Self.slot(keys: VaultKeys.generate(), vault: vault).encoded())
    for wrong in ["correct horse battery stapl", "Correct horse battery staple", "", Self.passphrase + " "] {
      #expect(throws: VaultError.wrongPassphrase) { try slot.unlock(Self.credential(wrong), vault: vault) }
    }
  }

  @Test("a slot from one vault does not unlock with another vault's id")
  func otherVault() throws {
    let keys = try VaultKeys.generate()
    let vaultA = try RandomID.generate()
    let slot = try KeySlot.decode(Self.slot(keys: keys, vault: vaultA).encoded())
    #expect(throws: VaultError.wrongPassphrase) { try slot.unlock(Self.credential(), vault: RandomID.generate()) }
    #expect(try slot.unlock(Self.credential(), vault: vaultA).isEqual(to: keys.master!))
  }

  @Test("a recovery slot unlocks with its recovery key only")
  func recoverySlot() throws {
    let keys = try VaultKeys.generate()
    let vault = try RandomID.generate()
    let recovery = try RecoveryKey.generate()
    let created = try KeySlot.create(
      for: .recoveryKey(recovery), label: "recovery", kdf: .moderate, keys: keys, vault: vault, now: 0)
    let slot = try KeySlot.decode(created.encoded())
    #expect(slot.kind == .recovery)
    #expect(slot.kdf == KDFParameters(opsLimit: 0, memLimit: 0))

    let reparsed = try RecoveryKey.parse(TestBytes.secure(recovery.encoded()))
    #expect(try slot.unlock(.recoveryKey(reparsed), vault: vault).isEqual(to: keys.master!))
    #expect(throws: VaultError.wrongRecoveryKey) { try slot.unlock(.recoveryKey(RecoveryKey.generate()), vault: vault) }
    #expect(throws: VaultError.wrongRecoveryKey) { try slot.unlock(.recoveryKey(recovery), vault: RandomID.generate()) }
    #expect(throws: VaultError.wrongPassphrase) { try slot.unlock(Self.credential(), vault: vault) }

    let passphraseSlot = try Self.slot(keys: keys, vault: vault)
    #expect(throws: VaultError.wrongRecoveryKey) { try passphraseSlot.unlock(.recoveryKey(recovery), vault: vault) }
  }

  @Test("a flipped bit anywhere in a slot file fails to decode")
  func everyBitFlip() throws {
    let bytes = try Self.slot(keys: VaultKeys.generate(), vault: RandomID.generate()).encoded()
    for bit in 0..<(bytes.count * 8) {
      #expect(throws: (any Error).self, "bit \(bit)") { try KeySlot.decode(TestBytes.flipping(bytes, bit: bit)) }
    }
    for length in 0..<bytes.count {
      #expect(throws: (any Error).self, "length \(length)") { try KeySlot.decode(Array(bytes.prefix(length))) }
    }
  }

  @Test(
    "a slot edited in any bound field, with its checksum recomputed, does not unlock",
    arguments: ["label", "created", "lowered KDF cost", "opsLimit only", "memLimit only", "slot id"])
  func editedFieldsAreBound(field: String) throws {
    let keys = try VaultKeys.generate()
    let vault = try RandomID.generate()
    // Start above the minimum cost so that it can be lowered to a value the reader still accepts.
    let original = KDFParameters(opsLimit: 2, memLimit: 16 << 10)
    var bytes = try Self.slot(kdf: original, keys: keys, vault: vault).encoded()
    let layout = Layout(labelCount: Self.label.utf8.count)
    switch field {
    case "label": bytes[Layout.labelStart] = UInt8(ascii: "M")  // "Dr. Ada" becomes "Mr. Ada"
    case "created": Self.writeLE(1_760_000_001, into: &bytes, at: layout.created)
    case "lowered KDF cost":
      Self.writeLE(1, into: &bytes, at: layout.opsLimit)
      Self.writeLE(8 << 10, into: &bytes, at: layout.memLimit)
    case "opsLimit only": Self.writeLE(1, into: &bytes, at: layout.opsLimit)
    case "memLimit only": Self.writeLE(8 << 10, into: &bytes, at: layout.memLimit)
    default: bytes[FileHeader.size] ^= 1
    }
    let edited = try KeySlot.decode(TestBytes.withRecomputedChecksum(bytes))
    if field == "label" { #expect(edited.label == "Mr. Ada") }
    if field == "lowered KDF cost" { #expect(edited.kdf == .insecureTest) }
    #expect(throws: VaultError.wrongPassphrase) { try edited.unlock(Self.credential(), vault: vault) }
  }

  @Test(
    "a slot demanding more Argon2id cost than the caps is refused before any hashing",
    arguments: [(UInt64(17), UInt64(8 << 10)), (1, (4 << 30) + 1), (0, 8 << 10), (1, 1024), (.max, .max)])
  func hostileCost(opsLimit: UInt64, memLimit: UInt64) throws {
    var bytes = try Self.slot(keys: VaultKeys.generate(), vault: RandomID.generate()).encoded()
    let layout = Layout(labelCount: Self.label.utf8.count)
    Self.writeLE(opsLimit, into: &bytes, at: layout.opsLimit)
    Self.writeLE(memLimit, into: &bytes, at: layout.memLimit)
    #expect(throws: FormatError.invalidField("Argon2id parameters outside the accepted range")) {
      try KeySlot.decode(TestBytes.withRecomputedChecksum(bytes))
    }
  }

  @Test("a recovery slot with KDF parameters and an unknown slot kind are rejected")
  func invalidKinds() throws {
    let keys = try VaultKeys.generate()
    let vault = try RandomID.generate()
    var recovery = try KeySlot.create(
      for: .recoveryKey(RecoveryKey.generate()), label: "recovery", kdf: .insecureTest, keys: keys, vault: vault, now: 0
    ).encoded()
    Self.writeLE(1, into: &recovery, at: Layout(labelCount: 8).opsLimit)
    #expect(throws: FormatError.invalidField("recovery slot has KDF parameters")) {
      try KeySlot.decode(TestBytes.withRecomputedChecksum(recovery))
    }

    var unknown = try Self.slot(keys: keys, vault: vault).encoded()
    unknown[Layout.kind] = 4
    #expect(throws: FormatError.invalidField("unknown slot kind 4")) { try KeySlot.decode(TestBytes.withRecomputedChecksum(unknown)) }
  }

  @Test("a slot with bytes appended or removed before the checksum is rejected")
  func wrongLength() throws {
    let bytes = try Self.slot(keys: VaultKeys.generate(), vault: RandomID.generate()).encoded()
    let content = Array(bytes.dropLast(32))
    let placeholder = [UInt8](repeating: 0, count: 32)  // replaced by the recomputed checksum
    let longer = try TestBytes.withRecomputedChecksum(content + [0] + placeholder)
    let shorter = try TestBytes.withRecomputedChecksum(Array(content.dropLast()) + placeholder)
    #expect(throws: FormatError.trailingBytes) { try KeySlot.decode(longer) }
    #expect(throws: FormatError.truncated) { try KeySlot.decode(shorter) }
  }

  @Test("a key slot file is not accepted as another kind of file")
  func wrongKind() throws {
    let bytes = try Self.slot(keys: VaultKeys.generate(), vault: RandomID.generate()).encoded()
    #expect(throws: FormatError.wrongKind(expected: .index, found: 2)) { try ChecksummedFile.decode(.index, bytes) }
  }
}
