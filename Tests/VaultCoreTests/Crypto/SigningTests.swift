import Testing
import VaultCrypto

@Suite("Ed25519 signatures")
struct SigningTests {
  // RFC 8032 §7.1, TEST 1 (empty message).
  static let seed = TestBytes.hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
  static let publicKey = TestBytes.hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
  static let signature = TestBytes.hex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")

  static func rfcKeyPair() throws -> SigningKeyPair {
    try SigningKeyPair(seed: SecretKey(seed.withUnsafeBytes { try SecureBytes(copying: $0) }))
  }

  @Test("the RFC 8032 test 1 seed gives its public key and signature")
  func rfc8032Vector1() throws {
    let pair = try Self.rfcKeyPair()
    #expect(pair.publicKey == Self.publicKey)
    #expect(pair.sign([]) == Self.signature)
    try Signing.verify(Self.signature, of: [], publicKey: Self.publicKey)
  }

  @Test("a signature does not verify for another message, key or a modified signature")
  func rejectsForgeries() throws {
    let pair = try Self.rfcKeyPair()
    let message = Array("checkpoint 42".utf8)
    let signature = pair.sign(message)
    try Signing.verify(signature, of: message, publicKey: pair.publicKey)

    #expect(throws: CryptoError.invalidSignature) { try Signing.verify(signature, of: Array("checkpoint 43".utf8), publicKey: pair.publicKey) }
    let other = try SigningKeyPair(seed: SecretKey.random())
    #expect(throws: CryptoError.invalidSignature) { try Signing.verify(signature, of: message, publicKey: other.publicKey) }
    for bit in stride(from: 0, to: signature.count * 8, by: 7) {
      #expect(throws: CryptoError.invalidSignature) {
        try Signing.verify(TestBytes.flipping(signature, bit: bit), of: message, publicKey: pair.publicKey)
      }
    }
  }

  @Test("signatures and public keys of the wrong length are rejected")
  func wrongLengths() throws {
    let pair = try Self.rfcKeyPair()
    let signature = pair.sign([])
    #expect(throws: CryptoError.invalidSignature) { try Signing.verify(Array(signature.dropLast()), of: [], publicKey: pair.publicKey) }
    #expect(throws: CryptoError.invalidSignature) { try Signing.verify(signature + [0], of: [], publicKey: pair.publicKey) }
    #expect(throws: CryptoError.invalidSignature) { try Signing.verify(signature, of: [], publicKey: Array(pair.publicKey.dropLast())) }
  }
}
