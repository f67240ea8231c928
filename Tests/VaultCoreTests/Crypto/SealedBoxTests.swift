import Testing
import VaultCrypto

@Suite("X25519 sealed boxes")
struct SealedBoxTests {
  @Test("a box key pair derived from a seed is deterministic")
  func deterministicKeyPair() throws {
    let seed = try TestBytes.key(Array(0..<32))
    let a = try BoxKeyPair(seed: seed)
    let b = try BoxKeyPair(seed: TestBytes.key(Array(0..<32)))
    let other = try BoxKeyPair(seed: TestBytes.key(Array(1...32)))
    #expect(a.publicKey.count == SealedBox.publicKeySize)
    #expect(a.publicKey == b.publicKey)
    #expect(a.publicKey != other.publicKey)
    // A box sealed to one derivation opens with the other: the secret halves agree too.
    #expect(try SealedBox.open(SealedBox.seal(Array("hi".utf8), to: a.publicKey), with: b) == Array("hi".utf8))
  }

  @Test("a sealed box round-trips, including an empty message")
  func roundTrip() throws {
    let pair = try BoxKeyPair(seed: SecretKey.random())
    for message in [[], Array("access log entry".utf8), TestBytes.pattern(count: 5000)] {
      let sealed = try SealedBox.seal(message, to: pair.publicKey)
      #expect(sealed.count == message.count + SealedBox.overhead)
      #expect(try SealedBox.open(sealed, with: pair) == message)
    }
  }

  @Test("a sealed box does not open with another key pair")
  func otherKey() throws {
    let pair = try BoxKeyPair(seed: SecretKey.random())
    let other = try BoxKeyPair(seed: SecretKey.random())
    let sealed = try SealedBox.seal(Array("for pair only".utf8), to: pair.publicKey)
    #expect(throws: CryptoError.authenticationFailed) { try SealedBox.open(sealed, with: other) }
  }

  @Test("flipping any byte of a sealed box makes it fail to open")
  func flippedByte() throws {
    let pair = try BoxKeyPair(seed: SecretKey.random())
    let sealed = try SealedBox.seal(Array("tamper me".utf8), to: pair.publicKey)
    for offset in sealed.indices {
      #expect(throws: CryptoError.authenticationFailed, "byte \(offset)") {
        try SealedBox.open(TestBytes.flipping(sealed, byteAt: offset), with: pair)
      }
    }
  }

  @Test("short input and malformed public keys are rejected by length")
  func lengths() throws {
    let pair = try BoxKeyPair(seed: SecretKey.random())
    let sealed = try SealedBox.seal([], to: pair.publicKey)
    #expect(throws: CryptoError.invalidLength(expected: SealedBox.overhead, actual: SealedBox.overhead - 1)) {
      try SealedBox.open(Array(sealed.dropLast()), with: pair)
    }
    #expect(throws: CryptoError.invalidLength(expected: 32, actual: 31)) { try SealedBox.seal([1], to: Array(pair.publicKey.dropLast())) }
  }
}
