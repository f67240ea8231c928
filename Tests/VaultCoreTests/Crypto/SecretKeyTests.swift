import Testing
import VaultCrypto

@Suite("keys and secure memory")
struct SecretKeyTests {
  @Test("subkeys match libsodium's crypto_kdf construction computed independently")
  func deriveKnownAnswer() throws {
    // Python: hashlib.blake2b(b"", key=bytes(range(32)), digest_size=32,
    //   salt=struct.pack("<Q", id) + bytes(8), person=b"vaultmk1" + bytes(8)).hexdigest()
    // These pin the vault's subkey derivation: if they change, existing vaults stop opening.
    let master = try TestBytes.key(Array(0..<32))
    let expected: [UInt64: String] = [
      0: "eb5b67622ff9b07a98002f4501bdaeffff8c7bd540c88579903148ed4861147d",
      1: "ef21002cb78f7cde4fe8f2d1937e7fc564ca83ad9058c15f02841e2dcb78f797",
      2: "1551421341f5858c6088bbd64250a048a14d05c1f9244a86d829ede65678ffe5",
      6: "6db39c38ccebedcd9c35f43385464dc6903ea0d5e024185c3dfe084f72a30b7a",
    ]
    for (id, hex) in expected {
      #expect(TestBytes.bytes(of: try master.derive(id: id, context: "vaultmk1")) == TestBytes.hex(hex), "id \(id)")
    }
    #expect(
      TestBytes.bytes(of: try master.derive(id: 1, context: "vaultmk2"))
        == TestBytes.hex("ae8c578612737a6e0ce9a25ea9ec532610f3ce3a13f657e9e875202d85783299"))
  }

  @Test("derive is deterministic and gives different keys for different ids and contexts")
  func deriveSeparates() throws {
    let master = try SecretKey.random()
    let subkeys = try (0..<8).map { try master.derive(id: UInt64($0), context: "vaultmk1") }
    for i in subkeys.indices {
      #expect(subkeys[i].isEqual(to: try master.derive(id: UInt64(i), context: "vaultmk1")))
      #expect(!subkeys[i].isEqual(to: master))
      for j in subkeys.indices where j != i { #expect(!subkeys[i].isEqual(to: subkeys[j]), "ids \(i) and \(j)") }
    }
    #expect(!subkeys[1].isEqual(to: try master.derive(id: 1, context: "othrctx1")))
    #expect(!subkeys[1].isEqual(to: try SecretKey.random().derive(id: 1, context: "vaultmk1")))
  }

  @Test("a key must be exactly 32 bytes")
  func keyLength() throws {
    for length in [0, 16, 31, 33, 64] {
      #expect(throws: CryptoError.invalidLength(expected: 32, actual: length)) {
        try SecretKey(SecureBytes(count: length))
      }
    }
    #expect(try SecretKey(SecureBytes(count: 32)).isEqual(to: TestBytes.key([UInt8](repeating: 0, count: 32))))
  }

  @Test("random keys differ")
  func randomKeys() throws {
    #expect(!(try SecretKey.random()).isEqual(to: try SecretKey.random()))
  }

  @Test("SecureBytes.isEqual compares content and length")
  func secureBytesEquality() throws {
    let a = try TestBytes.secure([1, 2, 3, 4])
    #expect(a.isEqual(to: a))
    #expect(a.isEqual(to: try TestBytes.secure([1, 2, 3, 4])))
    #expect(!a.isEqual(to: try TestBytes.secure([1, 2, 3, 5])))
    #expect(!a.isEqual(to: try TestBytes.secure([0, 2, 3, 4])))
    #expect(!a.isEqual(to: try TestBytes.secure([1, 2, 3])))
    #expect(!a.isEqual(to: try TestBytes.secure([1, 2, 3, 4, 0])))
    #expect(try SecureBytes(count: 0).isEqual(to: SecureBytes(count: 0)))
  }

  @Test("SecureBytes starts zeroed, copies its input and trims with prefix")
  func secureBytesContent() throws {
    #expect(TestBytes.bytes(of: try SecureBytes(count: 5)) == [0, 0, 0, 0, 0])
    var source: [UInt8] = [9, 8, 7]
    let copy = try source.withUnsafeBytes { try SecureBytes(copying: $0) }
    source[0] = 0
    #expect(TestBytes.bytes(of: copy) == [9, 8, 7])
    #expect(TestBytes.bytes(of: try copy.prefix(2)) == [9, 8])
    #expect(TestBytes.bytes(of: try copy.prefix(10)) == [9, 8, 7])
    let random = try SecureBytes.random(count: 32)
    #expect(random.count == 32)
    #expect(!random.isEqual(to: try SecureBytes(count: 32)))
  }

  @Test("constantTimeEqual compares content and length")
  func constantTimeComparison() {
    #expect(constantTimeEqual([], []))
    #expect(constantTimeEqual([1, 2], [1, 2]))
    #expect(!constantTimeEqual([1, 2], [1, 3]))
    #expect(!constantTimeEqual([1, 2], [1, 2, 3]))
    #expect(!constantTimeEqual([], [0]))
  }
}
