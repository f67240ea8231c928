import Testing
import VaultCore
import VaultCrypto

@Suite("vault index")
struct VaultIndexTests {
  static func entries(_ count: Int) throws -> [IndexEntry] {
    try (0..<count).map { i in
      IndexEntry(client: try RandomID.generate(), clientIndex: try ObjectID(bytes: TestBytes.pattern(count: 32, seed: UInt32(i + 1))))
    }
  }

  @Test("an index with entries round-trips, keeping their order and generation")
  func roundTrip() throws {
    let keys = try VaultKeys.generate()
    let vault = try RandomID.generate()
    let indexes = [
      VaultIndex(), VaultIndex(generation: 7, entries: try Self.entries(1)), VaultIndex(generation: .max, entries: try Self.entries(50)),
    ]
    for index in indexes {
      let bytes = try index.encoded(keys: keys, vault: vault)
      #expect(bytes.count == FileHeader.size + AEAD.overhead + 12 + 48 * index.entries.count + 32)
      try VaultIndex.checkStructure(bytes)
      #expect(try VaultIndex.decode(bytes, keys: keys, vault: vault) == index)
    }
  }

  @Test("the body is encrypted: client ids do not appear in the file")
  func encrypted() throws {
    let keys = try VaultKeys.generate()
    let entries = try Self.entries(3)
    let bytes = try VaultIndex(generation: 1, entries: entries).encoded(keys: keys, vault: RandomID.generate())
    for entry in entries {
      #expect(!TestBytes.contains(bytes, entry.client.bytes))
      #expect(!TestBytes.contains(bytes, entry.clientIndex.bytes))
    }
  }

  @Test("another vault's keys or another vault id do not open the index")
  func wrongKeys() throws {
    let keys = try VaultKeys.generate()
    let vault = try RandomID.generate()
    let bytes = try VaultIndex(generation: 3, entries: try Self.entries(2)).encoded(keys: keys, vault: vault)
    #expect(throws: CryptoError.authenticationFailed) { try VaultIndex.decode(bytes, keys: VaultKeys.generate(), vault: vault) }
    #expect(throws: CryptoError.authenticationFailed) { try VaultIndex.decode(bytes, keys: keys, vault: RandomID.generate()) }
  }

  @Test("the index key is a subkey, not the master key")
  func usesIndexSubkey() throws {
    let keys = try VaultKeys.generate()
    let vault = try RandomID.generate()
    let bytes = try VaultIndex(generation: 1).encoded(keys: keys, vault: vault)
    let sealed = try ChecksummedFile.decode(.index, bytes)
    #expect(try AEAD.open(sealed, using: keys.index, binding: Array("vault.v1/index".utf8) + vault.bytes + FileHeader.encode(.index)).count == 12)
    #expect(throws: CryptoError.authenticationFailed) {
      try AEAD.open(sealed, using: keys.master!, binding: Array("vault.v1/index".utf8) + vault.bytes + FileHeader.encode(.index))
    }
  }

  @Test("a flipped bit anywhere fails, with or without a recomputed checksum")
  func bitFlips() throws {
    let keys = try VaultKeys.generate()
    let vault = try RandomID.generate()
    let bytes = try VaultIndex(generation: 9, entries: try Self.entries(2)).encoded(keys: keys, vault: vault)
    for bit in 0..<(bytes.count * 8) {
      let flipped = TestBytes.flipping(bytes, bit: bit)
      #expect(throws: (any Error).self, "bit \(bit)") { try VaultIndex.decode(flipped, keys: keys, vault: vault) }
    }
    for offset in FileHeader.size..<(bytes.count - 32) {
      let edited = try TestBytes.withRecomputedChecksum(TestBytes.flipping(bytes, byteAt: offset))
      #expect(throws: CryptoError.authenticationFailed, "byte \(offset)") { try VaultIndex.decode(edited, keys: keys, vault: vault) }
    }
  }

  @Test("an index that lists a client twice is rejected")
  func duplicateClient() throws {
    let keys = try VaultKeys.generate()
    let vault = try RandomID.generate()
    var entries = try Self.entries(3)
    entries[2].client = entries[0].client
    let bytes = try VaultIndex(generation: 1, entries: entries).encoded(keys: keys, vault: vault)
    #expect(throws: FormatError.invalidField("a client appears twice")) { try VaultIndex.decode(bytes, keys: keys, vault: vault) }
  }

  @Test("a truncated index fails the keyless structure check")
  func truncated() throws {
    let bytes = try VaultIndex().encoded(keys: VaultKeys.generate(), vault: RandomID.generate())
    for length in 0..<bytes.count {
      #expect(throws: FormatError.self, "length \(length)") { try VaultIndex.checkStructure(Array(bytes.prefix(length))) }
    }
    // A well-formed file whose body is too short for a sealed index.
    let short = try ChecksummedFile.encode(.index, body: [UInt8](repeating: 0, count: AEAD.overhead + 11))
    #expect(throws: FormatError.truncated) { try VaultIndex.checkStructure(short) }
  }
}
