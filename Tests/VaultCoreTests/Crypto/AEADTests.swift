import Testing
import VaultCrypto

@Suite("XChaCha20-Poly1305 AEAD")
struct AEADTests {
  static let associatedData = Array("vault.v1/test".utf8)

  @Test("a value sealed by the draft-irtf-cfrg-xchacha-03 §A.3.1 vector opens to its plaintext")
  func draftVector() throws {
    let key = try TestBytes.key(TestBytes.hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"))
    let nonce = TestBytes.hex("404142434445464748494a4b4c4d4e4f5051525354555657")
    let ad = TestBytes.hex("50515253c0c1c2c3c4c5c6c7")
    let ciphertext = TestBytes.hex(
      "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39"
        + "ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
        + "21f9664c97637da9768812f615c68b13b52e")
    let tag = TestBytes.hex("c0875924c1c7987947deafd8780acf49")
    let plaintext = Array(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.".utf8)
    // The sealed layout is nonce ‖ ciphertext ‖ tag.
    #expect(try AEAD.open(nonce + ciphertext + tag, using: key, binding: ad) == plaintext)
  }

  @Test("seal then open returns the plaintext, for empty and multi-block inputs")
  func roundTrip() throws {
    let key = try SecretKey.random()
    for plaintext in [[], [0x42], TestBytes.pattern(count: 4097)] {
      let sealed = try AEAD.seal(plaintext, using: key, binding: Self.associatedData)
      #expect(sealed.count == plaintext.count + AEAD.overhead)
      #expect(try AEAD.open(sealed, using: key, binding: Self.associatedData) == plaintext)
    }
  }

  @Test("sealing the same plaintext twice gives different bytes (random nonce)")
  func randomNonce() throws {
    let key = try SecretKey.random()
    let a = try AEAD.seal([1, 2, 3], using: key, binding: [])
    let b = try AEAD.seal([1, 2, 3], using: key, binding: [])
    #expect(a != b)
    #expect(a.prefix(AEAD.nonceSize) != b.prefix(AEAD.nonceSize))
  }

  @Test("a wrapped key unwraps to the same key")
  func wrapKey() throws {
    let wrapping = try SecretKey.random()
    let wrapped = try SecretKey.random()
    let sealed = try AEAD.seal(wrapped, using: wrapping, binding: Self.associatedData)
    #expect(sealed.count == SecretKey.size + AEAD.overhead)
    #expect(try AEAD.openKey(sealed, using: wrapping, binding: Self.associatedData).isEqual(to: wrapped))
  }

  @Test("openKey rejects a sealed value that is not 32 bytes of key")
  func openKeyWrongLength() throws {
    let key = try SecretKey.random()
    let sealed = try AEAD.seal([UInt8](repeating: 7, count: 31), using: key, binding: [])
    #expect(throws: CryptoError.invalidLength(expected: 32, actual: 31)) { try AEAD.openKey(sealed, using: key, binding: []) }
  }

  @Test("opening with the wrong key fails")
  func wrongKey() throws {
    let sealed = try AEAD.seal(Array("secret".utf8), using: SecretKey.random(), binding: Self.associatedData)
    #expect(throws: CryptoError.authenticationFailed) { try AEAD.open(sealed, using: SecretKey.random(), binding: Self.associatedData) }
  }

  @Test("changing any byte of nonce, ciphertext or tag makes opening fail")
  func everyByteIsAuthenticated() throws {
    let key = try SecretKey.random()
    let sealed = try AEAD.seal(Array("note body".utf8), using: key, binding: Self.associatedData)
    // Nonce, then ciphertext, then tag: every region is covered.
    for offset in sealed.indices {
      #expect(throws: CryptoError.authenticationFailed, "byte \(offset)") {
        try AEAD.open(TestBytes.flipping(sealed, byteAt: offset), using: key, binding: Self.associatedData)
      }
    }
    for bit in [0, AEAD.nonceSize * 8 + 3, (sealed.count - 1) * 8 + 7] {
      #expect(throws: CryptoError.authenticationFailed, "bit \(bit)") {
        try AEAD.open(TestBytes.flipping(sealed, bit: bit), using: key, binding: Self.associatedData)
      }
    }
  }

  @Test("opening with different associated data fails")
  func differentAssociatedData() throws {
    let key = try SecretKey.random()
    let sealed = try AEAD.seal(Array("x".utf8), using: key, binding: Self.associatedData)
    for ad in [[], Array("vault.v1/tesT".utf8), Self.associatedData + [0], Array(Self.associatedData.dropLast())] {
      #expect(throws: CryptoError.authenticationFailed) { try AEAD.open(sealed, using: key, binding: ad) }
    }
  }

  @Test("truncated input fails: below the overhead by length, otherwise by authentication")
  func truncated() throws {
    let key = try SecretKey.random()
    let sealed = try AEAD.seal(Array("0123456789".utf8), using: key, binding: [])
    for length in 0..<AEAD.overhead {
      #expect(throws: CryptoError.invalidLength(expected: AEAD.overhead, actual: length)) {
        try AEAD.open(Array(sealed.prefix(length)), using: key, binding: [])
      }
    }
    for length in AEAD.overhead..<sealed.count {
      #expect(throws: CryptoError.authenticationFailed, "length \(length)") {
        try AEAD.open(Array(sealed.prefix(length)), using: key, binding: [])
      }
    }
    #expect(throws: CryptoError.authenticationFailed) { try AEAD.open(sealed + [0], using: key, binding: []) }
  }
}
