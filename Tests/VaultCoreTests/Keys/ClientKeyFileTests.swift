import Testing
@testable import VaultCore
import VaultCrypto

@Suite("client key files")
struct ClientKeyFileTests {
  struct Fixture {
    let keys: VaultKeys
    let vault: RandomID
    let client: RandomID
    let clientKey: SecretKey
    let bytes: [UInt8]

    init() throws {
      keys = try VaultKeys.generate()
      vault = try RandomID.generate()
      client = try RandomID.generate()
      clientKey = try SecretKey.random()
      bytes = try ClientKeyFile.legacy(client: client, clientKey: clientKey, keys: keys, vault: vault).encoded()
    }
  }

  @Test("a wrapped client key decodes to the same key, and names its client without a key")
  func roundTrip() throws {
    let f = try Fixture()
    #expect(f.bytes.count == FileHeader.size + RandomID.size + SecretKey.size + AEAD.overhead + 32)
    #expect(try ClientKeyFile.client(in: f.bytes) == f.client)
    #expect(try ClientKeyFile.ownerKey(f.bytes, client: f.client, keys: f.keys, vault: f.vault).isEqual(to: f.clientKey))
  }

  @Test("decoding for another client id is rejected")
  func wrongClient() throws {
    let f = try Fixture()
    #expect(throws: FormatError.invalidField("client key file names another client")) {
      try ClientKeyFile.ownerKey(f.bytes, client: RandomID.generate(), keys: f.keys, vault: f.vault)
    }
  }

  @Test("a key file renamed to another client, with its id and checksum rewritten, does not open")
  func movedToAnotherClient() throws {
    let f = try Fixture()
    let other = try RandomID.generate()
    var moved = f.bytes
    moved.replaceSubrange(FileHeader.size..<FileHeader.size + RandomID.size, with: other.bytes)
    moved = try TestBytes.withRecomputedChecksum(moved)
    #expect(try ClientKeyFile.client(in: moved) == other)
    #expect(throws: CryptoError.authenticationFailed) { try ClientKeyFile.ownerKey(moved, client: other, keys: f.keys, vault: f.vault) }
  }

  @Test("another vault's keys or id do not open a client key")
  func otherVault() throws {
    let f = try Fixture()
    #expect(throws: CryptoError.authenticationFailed) {
      try ClientKeyFile.ownerKey(f.bytes, client: f.client, keys: VaultKeys.generate(), vault: f.vault)
    }
    #expect(throws: CryptoError.authenticationFailed) {
      try ClientKeyFile.ownerKey(f.bytes, client: f.client, keys: f.keys, vault: RandomID.generate())
    }
  }

  @Test("a flipped bit or a truncation anywhere is detected")
  func tampering() throws {
    let f = try Fixture()
    for bit in 0..<(f.bytes.count * 8) {
      let flipped = TestBytes.flipping(f.bytes, bit: bit)
      #expect(throws: (any Error).self, "bit \(bit)") { try ClientKeyFile.ownerKey(flipped, client: f.client, keys: f.keys, vault: f.vault) }
    }
    for length in 0..<f.bytes.count {
      #expect(throws: (any Error).self, "length \(length)") { try ClientKeyFile.client(in: Array(f.bytes.prefix(length))) }
    }
  }

  @Test("a flipped bit in the sealed key with a recomputed checksum fails authentication")
  func sealedKeyIsAuthenticated() throws {
    let f = try Fixture()
    let start = FileHeader.size + RandomID.size
    for offset in start..<(f.bytes.count - 32) {
      let edited = try TestBytes.withRecomputedChecksum(TestBytes.flipping(f.bytes, byteAt: offset))
      #expect(throws: CryptoError.authenticationFailed, "byte \(offset)") {
        try ClientKeyFile.ownerKey(edited, client: f.client, keys: f.keys, vault: f.vault)
      }
    }
  }
}
