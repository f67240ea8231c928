import Testing
import VaultCrypto

@Suite("secretstream chunks")
struct SecretStreamTests {
  static let ad = Array("vault.v1/object-test".utf8)

  /// A stream of `chunks`, the last one marked final, plus its header and key.
  struct Sealed {
    let key: SecretKey
    let header: [UInt8]
    let chunks: [[UInt8]]
  }

  static func seal(_ plaintexts: [[UInt8]], finalLast: Bool = true, key: SecretKey? = nil) throws -> Sealed {
    let key = try key ?? SecretKey.random()
    let encryptor = try SecretStream.Encryptor(key: key)
    let chunks = plaintexts.enumerated().map { i, p in
      encryptor.push(p, isFinal: finalLast && i == plaintexts.count - 1, associatedData: ad)
    }
    return Sealed(key: key, header: encryptor.header, chunks: chunks)
  }

  static let plaintexts: [[UInt8]] = [Array("first".utf8), TestBytes.pattern(count: 1000), [], Array("last".utf8)]

  @Test("several chunks round-trip in order and the stream finishes")
  func roundTrip() throws {
    let sealed = try Self.seal(Self.plaintexts)
    #expect(sealed.header.count == SecretStream.headerSize)
    let decryptor = try SecretStream.Decryptor(key: sealed.key, header: sealed.header)
    for (chunk, plaintext) in zip(sealed.chunks, Self.plaintexts) {
      #expect(chunk.count == plaintext.count + SecretStream.chunkOverhead)
      #expect(!decryptor.isFinished)
      #expect(try decryptor.pull(chunk, associatedData: Self.ad) == plaintext)
    }
    #expect(decryptor.isFinished)
    try decryptor.finish()
  }

  @Test("a single empty final chunk is a valid stream")
  func emptyStream() throws {
    let sealed = try Self.seal([[]])
    let decryptor = try SecretStream.Decryptor(key: sealed.key, header: sealed.header)
    #expect(try decryptor.pull(sealed.chunks[0], associatedData: Self.ad) == [])
    try decryptor.finish()
  }

  @Test("finish throws .truncated when the final chunk is missing")
  func missingFinal() throws {
    let sealed = try Self.seal(Self.plaintexts)
    let decryptor = try SecretStream.Decryptor(key: sealed.key, header: sealed.header)
    for chunk in sealed.chunks.dropLast() { _ = try decryptor.pull(chunk, associatedData: Self.ad) }
    #expect(!decryptor.isFinished)
    #expect(throws: CryptoError.truncated) { try decryptor.finish() }
  }

  @Test("a stream whose writer never marked a chunk final does not finish")
  func neverFinal() throws {
    let sealed = try Self.seal(Self.plaintexts, finalLast: false)
    let decryptor = try SecretStream.Decryptor(key: sealed.key, header: sealed.header)
    for chunk in sealed.chunks { _ = try decryptor.pull(chunk, associatedData: Self.ad) }
    #expect(throws: CryptoError.truncated) { try decryptor.finish() }
  }

  @Test("a chunk after the final one throws .trailingData")
  func chunkAfterFinal() throws {
    let sealed = try Self.seal(Self.plaintexts)
    let decryptor = try SecretStream.Decryptor(key: sealed.key, header: sealed.header)
    for chunk in sealed.chunks { _ = try decryptor.pull(chunk, associatedData: Self.ad) }
    #expect(throws: CryptoError.trailingData) { try decryptor.pull(sealed.chunks.last!, associatedData: Self.ad) }
    #expect(throws: CryptoError.trailingData) { try decryptor.pull([0], associatedData: Self.ad) }
  }

  @Test("reordered, dropped or repeated chunks fail to authenticate")
  func reordered() throws {
    let sealed = try Self.seal(Self.plaintexts)
    let orders: [[Int]] = [[1, 0, 2, 3], [0, 2, 1, 3], [0, 1, 3], [0, 0], [3]]
    for order in orders {
      let decryptor = try SecretStream.Decryptor(key: sealed.key, header: sealed.header)
      let error = #expect(throws: CryptoError.self, "order \(order)") {
        for i in order { _ = try decryptor.pull(sealed.chunks[i], associatedData: Self.ad) }
        try decryptor.finish()
      }
      #expect(error == .authenticationFailed, "order \(order)")
    }
  }

  @Test("changing any byte of a chunk makes it fail to authenticate")
  func modifiedChunk() throws {
    let sealed = try Self.seal([Array("chunk zero".utf8), Array("chunk one".utf8)])
    let target = sealed.chunks[1]
    for offset in target.indices {
      let decryptor = try SecretStream.Decryptor(key: sealed.key, header: sealed.header)
      _ = try decryptor.pull(sealed.chunks[0], associatedData: Self.ad)
      #expect(throws: CryptoError.authenticationFailed, "byte \(offset)") {
        try decryptor.pull(TestBytes.flipping(target, byteAt: offset), associatedData: Self.ad)
      }
      #expect(!decryptor.isFinished)
    }
  }

  @Test("a modified header, wrong key or other associated data fails on the first chunk")
  func wrongContext() throws {
    let sealed = try Self.seal(Self.plaintexts)
    let cases: [(String, SecretStream.Decryptor, [UInt8])] = [
      ("header", try SecretStream.Decryptor(key: sealed.key, header: TestBytes.flipping(sealed.header, bit: 5)), Self.ad),
      ("key", try SecretStream.Decryptor(key: SecretKey.random(), header: sealed.header), Self.ad),
      ("associated data", try SecretStream.Decryptor(key: sealed.key, header: sealed.header), Self.ad + [1]),
      ("no associated data", try SecretStream.Decryptor(key: sealed.key, header: sealed.header), []),
    ]
    for (name, decryptor, ad) in cases {
      #expect(throws: CryptoError.authenticationFailed, "\(name)") { try decryptor.pull(sealed.chunks[0], associatedData: ad) }
    }
  }

  @Test("a chunk from another stream under the same key fails to authenticate")
  func chunkFromAnotherStream() throws {
    let key = try SecretKey.random()
    let a = try Self.seal(Self.plaintexts, key: key)
    let b = try Self.seal(Self.plaintexts, key: key)
    let decryptor = try SecretStream.Decryptor(key: key, header: a.header)
    #expect(throws: CryptoError.authenticationFailed) { try decryptor.pull(b.chunks[0], associatedData: Self.ad) }
  }

  @Test("a header of the wrong length and a chunk shorter than its overhead are rejected")
  func lengths() throws {
    let sealed = try Self.seal(Self.plaintexts)
    #expect(throws: CryptoError.invalidLength(expected: SecretStream.headerSize, actual: SecretStream.headerSize - 1)) {
      try SecretStream.Decryptor(key: sealed.key, header: Array(sealed.header.dropLast()))
    }
    let decryptor = try SecretStream.Decryptor(key: sealed.key, header: sealed.header)
    #expect(throws: CryptoError.truncated) {
      try decryptor.pull(Array(sealed.chunks[0].prefix(SecretStream.chunkOverhead - 1)), associatedData: Self.ad)
    }
    #expect(throws: CryptoError.authenticationFailed) {
      try decryptor.pull(Array(sealed.chunks[0].dropLast()), associatedData: Self.ad)
    }
  }
}
