import Testing
import VaultCrypto

@Suite("BLAKE2b-256")
struct HashTests {
  @Test("the digest of the empty string matches b2sum -l 256")
  func emptyString() throws {
    #expect(try Hasher.blake2b256([]) == TestBytes.hex("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"))
  }

  @Test("the digest of \"abc\" matches b2sum -l 256")
  func abc() throws {
    // printf abc | b2sum -l 256
    #expect(try Hasher.blake2b256(Array("abc".utf8)) == TestBytes.hex("bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"))
  }

  @Test("hashing in pieces gives the same digest as hashing at once")
  func incremental() throws {
    let message = TestBytes.pattern(count: 1000)
    let hasher = try Hasher()
    hasher.update(Array(message[..<1]))
    hasher.update([])
    hasher.update(Array(message[1..<700]))
    hasher.update(Array(message[700...]))
    #expect(hasher.finalize() == (try Hasher.blake2b256(message)))
  }

  @Test("keyed BLAKE2b-256 matches an independent implementation")
  func keyedKnownAnswer() throws {
    // Python: hashlib.blake2b(b"abc", key=bytes(range(32)), digest_size=32).hexdigest()
    let key = try TestBytes.key(Array(0..<32))
    #expect(try Hasher.mac(Array("abc".utf8), key: key) == TestBytes.hex("d63a32d3e44738d7907f964316c241adaba0abfeabc32349677578a15a203f7f"))
    #expect(try Hasher.mac([], key: key) == TestBytes.hex("4e51e7a913fc80137da52880fecca175bf81e117d5c68126dc2774033517ea0d"))
  }

  @Test("a keyed digest differs from the unkeyed one and from one under another key")
  func keyedDiffers() throws {
    let message = Array("abc".utf8)
    let a = try Hasher.mac(message, key: TestBytes.key([UInt8](repeating: 1, count: 32)))
    let b = try Hasher.mac(message, key: TestBytes.key([UInt8](repeating: 2, count: 32)))
    #expect(a != (try Hasher.blake2b256(message)))
    #expect(a != b)
    #expect(a == (try Hasher.mac(message, key: TestBytes.key([UInt8](repeating: 1, count: 32)))))
  }
}
