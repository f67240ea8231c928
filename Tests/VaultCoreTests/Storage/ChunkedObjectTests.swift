import Foundation
import Testing
import VaultCore
import VaultCrypto

/// Objects of revision 1 (FORMAT.md §6.8), built and taken apart here from the specification:
/// head = header (byte 7 = 1) ‖ chunk size ‖ 16-byte nonce prefix; chunk i =
/// XChaCha20-Poly1305(key, prefix ‖ u64 LE i, AD ‖ final flag); every chunk but the last is S + 16
/// bytes; the final block is tail ‖ 0x80 ‖ zeros; the name is the SHA-256 chunk tree.
@Suite("objects of revision 1")
struct ChunkedObjectTests {
  static let c = ObjectStoreFixture.chunkSize
  static let stride = c + 16
  static let head = 28
  /// Padding edges (254 + 1 … 256), one chunk, the writer's batch of 32 chunks and the parallel path.
  static let sizes = [0, 1, 254, 255, 256, c - 1, c, c + 1, 2 * c, 31 * c, 32 * c, 32 * c + 1, 33 * c - 1, 64 * c + 5, 100 * c + 7]

  /// F(t) of §6.8: tail + 1 rounded up to a power of two, at least 256, at most S.
  static func finalLength(_ tail: Int) -> Int {
    var n = 256
    while n < tail + 1 { n *= 2 }
    return min(n, c)
  }

  static func expectedSize(_ p: Int) -> Int {
    head + (p / c) * stride + finalLength(p % c) + 16
  }

  /// The chunk tree, from the specification: SHA-256(head ‖ SHA-256(chunk 0) ‖ …).
  static func treeName(_ file: [UInt8]) -> [UInt8] {
    var input = Array(file.prefix(head))
    var offset = head
    while offset < file.count {
      let end = min(offset + stride, file.count)
      input += file[offset..<end].withUnsafeBytes { SHA256.hash($0) }
      offset = end
    }
    return input.withUnsafeBytes { SHA256.hash($0) }
  }

  static func chunks(_ file: [UInt8]) -> [[UInt8]] {
    Swift.stride(from: head, to: file.count, by: stride).map { Array(file[$0..<min($0 + stride, file.count)]) }
  }

  static func fixture() throws -> ObjectStoreFixture { try ObjectStoreFixture(revision: 1) }

  /// Seals `blocks` as chunks 0, 1, … with the fixture's key (flags as given) under a fresh prefix,
  /// without ObjectWriter: a key holder's file, for framings the writer never makes.
  static func handMade(
    _ f: ObjectStoreFixture, _ blocks: [(plaintext: [UInt8], isFinal: Bool)], prefix: [UInt8]? = nil, binding: ObjectBinding? = nil
  ) throws -> [UInt8] {
    let prefix = try prefix ?? Random.bytes(16)
    let cipher = try ChunkCipher(key: f.key, noncePrefix: prefix)
    let context = try cipher.context()
    let ad = f.header.associatedData(vault: f.vault, binding: binding ?? f.binding)
    var file = f.header.encoded + prefix
    for (i, block) in blocks.enumerated() {
      var out = [UInt8](repeating: 0, count: block.plaintext.count + 16)
      block.plaintext.withUnsafeBytes { p in
        (ad + [block.isFinal ? 1 : 0]).withUnsafeBytes { a in
          out.withUnsafeMutableBytes { context.seal(UInt64(i), p, associatedData: a, into: $0) }
        }
      }
      file += out
    }
    return file
  }

  static func canonicalFinal(_ tail: [UInt8]) -> [UInt8] {
    tail + [0x80] + [UInt8](repeating: 0, count: finalLength(tail.count) - tail.count - 1)
  }

  @Test("objects of every size across chunk and batch boundaries round-trip, sized and named as §6.8 says", arguments: sizes)
  func roundTrip(size: Int) throws {
    let f = try Self.fixture()
    defer { f.remove() }
    let payload = TestBytes.pattern(count: size, seed: UInt32(size + 3))
    let id = try f.put(payload)
    #expect(try f.get(id) == payload)
    let file = try f.file(id)
    #expect(Array(file.prefix(12)) == FileHeader.encode(.object, revision: 1) + [0x00, 0x04, 0x00, 0x00])
    #expect(file.count == Self.expectedSize(size))
    #expect(id.bytes == Self.treeName(file))
    try f.store.checkHash(id)
    // Any split of the file gives the same name through the keyless digest.
    for piece in [1, 7, 28, Self.stride, 5000] {
      let digest = try ObjectDigest()
      for start in Swift.stride(from: 0, to: file.count, by: piece) {
        file[start..<min(start + piece, file.count)].withUnsafeBytes { digest.update($0) }
      }
      #expect(digest.finalize() == id.bytes, "pieces of \(piece)")
    }
    #expect(try f.temporaryFiles() == [])
  }

  @Test("each chunk is libsodium's crypto_aead_xchacha20poly1305_ietf with nonce prefix ‖ u64 LE index and the final flag after the AD")
  func chunksAreXChaCha() throws {
    let f = try Self.fixture()
    defer { f.remove() }
    let payload = TestBytes.pattern(count: 2 * Self.c + 10, seed: 9)
    let file = try f.file(f.put(payload))
    let prefix = Array(file[12..<28])
    let ad = f.header.associatedData(vault: f.vault, binding: f.binding)
    let chunks = Self.chunks(file)
    #expect(chunks.map(\.count) == [Self.stride, Self.stride, 256 + 16])
    var plain: [UInt8] = []
    for (i, chunk) in chunks.enumerated() {
      let isFinal = i == chunks.count - 1
      plain += try ChunkCipher.openReference(key: f.key, noncePrefix: prefix, index: UInt64(i), chunk, associatedData: ad + [isFinal ? 1 : 0])
      // The other flag, or another index, does not authenticate.
      #expect(throws: CryptoError.self) {
        try ChunkCipher.openReference(key: f.key, noncePrefix: prefix, index: UInt64(i), chunk, associatedData: ad + [isFinal ? 0 : 1])
      }
      #expect(throws: CryptoError.self) {
        try ChunkCipher.openReference(key: f.key, noncePrefix: prefix, index: UInt64(i + 1), chunk, associatedData: ad + [isFinal ? 1 : 0])
      }
    }
    #expect(plain == Array(payload) + [0x80] + [UInt8](repeating: 0, count: 256 - 11))
  }

  enum Tamper: String, CaseIterable, CustomTestStringConvertible {
    case flipInChunk, flipInTag, flipInPrefix, flipRevisionToZero, swapChunks, dropMiddleChunk, dropFinalChunk, duplicateChunk
    case chunkFromAnotherObject, finalFromAnotherObject, appendByte, appendChunk, truncateInFinal, truncateToHead
    var testDescription: String { rawValue }
  }

  static func tampered(_ t: Tamper, _ file: [UInt8], other: [UInt8]) -> [UInt8] {
    let h = Array(file.prefix(head))
    let ch = chunks(file)
    let oc = chunks(other)
    switch t {
    case .flipInChunk: return TestBytes.flipping(file, bit: (head + stride + 5) * 8)
    case .flipInTag: return TestBytes.flipping(file, bit: (file.count - 1) * 8 + 7)
    case .flipInPrefix: return TestBytes.flipping(file, bit: 20 * 8 + 1)
    case .flipRevisionToZero: return TestBytes.flipping(file, bit: 7 * 8)
    case .swapChunks: return h + ch[1] + ch[0] + ch[2...].joined()
    case .dropMiddleChunk: return h + ch[0] + ch[2...].joined()
    case .dropFinalChunk: return h + ch.dropLast().joined()
    case .duplicateChunk: return h + ch[0] + ch[0] + ch[1...].joined()
    case .chunkFromAnotherObject: return h + ch[0] + oc[1] + ch[2...].joined()
    case .finalFromAnotherObject: return h + ch.dropLast().joined() + oc.last!
    case .appendByte: return file + [0]
    case .appendChunk: return file + ch.last!
    case .truncateInFinal: return Array(file.dropLast(1))
    case .truncateToHead: return h
    }
  }

  @Test("modified, reordered, dropped, foreign, truncated or extended chunks are refused, in place and under their own hash", arguments: Tamper.allCases)
  func tampering(_ t: Tamper) throws {
    let f = try Self.fixture()
    defer { f.remove() }
    let payload = TestBytes.pattern(count: 3 * Self.c + 500, seed: 4)
    let id = try f.put(payload)
    let file = try f.file(id)
    let other = try f.file(f.put(TestBytes.pattern(count: 3 * Self.c + 500, seed: 5)))
    let bad = Self.tampered(t, file, other: other)
    #expect(bad != file)
    // In place: the name no longer matches, and the keyed read refuses it too.
    try f.overwrite(id, with: bad)
    #expect(throws: ObjectError.self) { try f.store.checkHash(id) }
    #expect(throws: ObjectError.self) { try f.get(id) }
    // Under its own hash (an attacker who can write files): only authentication and framing stand in the way.
    let own = try f.storeUnderOwnHash(bad)
    let error = #expect(throws: ObjectError.self) { try f.get(own) }
    guard case .corrupted(own, _) = error else {
      Issue.record("\(t): \(String(describing: error))")
      return
    }
  }

  @Test("an object opened as another client's, another type, or in another vault does not authenticate")
  func wrongBinding() throws {
    let f = try Self.fixture()
    defer { f.remove() }
    let id = try f.put(TestBytes.pattern(count: 40 * Self.c, seed: 2))
    let reason = "a chunk does not authenticate (modified, reordered, from another object, or not the client or kind the index says)"
    #expect(throws: ObjectError.corrupted(id, reason)) { try f.get(id, binding: ObjectBinding(type: .document, client: f.binding.client)) }
    #expect(throws: ObjectError.corrupted(id, reason)) { try f.get(id, binding: ObjectBinding(type: f.binding.type, client: try RandomID.generate())) }
    #expect(throws: ObjectError.corrupted(id, reason)) { try f.get(id, vault: try RandomID.generate()) }
    #expect(throws: ObjectError.corrupted(id, reason)) { try f.get(id, key: try SecretKey.random()) }
  }

  @Test("a valid object copied over another's name is refused: the name is checked on every read")
  func nameMismatch() throws {
    let f = try Self.fixture()
    defer { f.remove() }
    let a = try f.put(TestBytes.pattern(count: 5000, seed: 1))
    let b = try f.put(TestBytes.pattern(count: 5000, seed: 2))
    try f.overwrite(a, with: try f.file(b))
    #expect(throws: ObjectError.corrupted(a, "content does not match its name (hash mismatch)")) { try f.get(a) }
    #expect(throws: ObjectError.corrupted(a, "content does not match its name (hash mismatch)")) { try f.store.checkHash(a) }
  }

  enum Forgery: String, CaseIterable, CustomTestStringConvertible {
    case noMarker, nonZeroAfterMarker, finalTooLong, finalTooShort, lastChunkNotFlagged, middleChunkFlagged, shortMessageChunk
    var testDescription: String { rawValue }
  }

  @Test("a key holder's non-canonical framings are refused (one valid encoding per content)", arguments: Forgery.allCases)
  func forgeries(_ forgery: Forgery) throws {
    let f = try Self.fixture()
    defer { f.remove() }
    let full = TestBytes.pattern(count: Self.c, seed: 1)
    let tail: [UInt8] = [1, 2, 3]
    let blocks: [(plaintext: [UInt8], isFinal: Bool)]
    switch forgery {
    case .noMarker: blocks = [(full, false), (tail + [UInt8](repeating: 0, count: 253), true)]
    case .nonZeroAfterMarker: blocks = [(full, false), (tail + [0x80] + [UInt8](repeating: 0, count: 250) + [1, 0], true)]
    case .finalTooLong: blocks = [(full, false), (tail + [0x80] + [UInt8](repeating: 0, count: 508), true)]
    case .finalTooShort: blocks = [(full, false), (tail + [0x80] + [UInt8](repeating: 0, count: 300), true)]
    case .lastChunkNotFlagged: blocks = [(full, false), (Self.canonicalFinal(tail), false)]
    case .middleChunkFlagged: blocks = [(full, true), (Self.canonicalFinal(tail), true)]
    case .shortMessageChunk: blocks = [(Array(full.prefix(1000)), false), (Self.canonicalFinal(tail), true)]
    }
    let id = try f.storeUnderOwnHash(Self.handMade(f, blocks))
    try f.store.checkHash(id)  // keyless checks cannot tell: only the key holder could have made it
    #expect(throws: ObjectError.self) { try f.get(id) }
    // The canonical framing of the same content reads.
    let good = try f.storeUnderOwnHash(Self.handMade(f, [(full, false), (Self.canonicalFinal(tail), true)]))
    #expect(try f.get(good) == full + tail)
  }

  @Test("revision 0 objects are still read and checked next to revision 1 objects in one store")
  func bothRevisions() throws {
    let f = try ObjectStoreFixture(revision: 0)
    defer { f.remove() }
    let payload = TestBytes.pattern(count: 40 * Self.c + 3, seed: 8)
    let old = try f.put(payload)
    let new = try f.put(payload, header: ObjectHeader(chunkSize: UInt32(Self.c)))
    #expect(try f.file(old)[7] == 0)
    #expect(try f.file(new)[7] == 1)
    #expect(old.bytes == (try Hasher.blake2b256(f.file(old))))
    #expect(new.bytes == Self.treeName(try f.file(new)))
    for id in [old, new] {
      #expect(try f.get(id) == payload)
      try f.store.checkHash(id)
    }
  }

  @Test("a reader hands out content in batches, in order, never padding")
  func streaming() throws {
    let f = try Self.fixture()
    defer { f.remove() }
    let payload = TestBytes.pattern(count: 70 * Self.c + 9, seed: 6)
    let id = try f.put(payload)
    var pieces: [Int] = []
    var joined: [UInt8] = []
    try f.store.reader(id, binding: f.binding, key: f.key, vault: f.vault).readAll {
      pieces.append($0.count)
      joined += $0
    }
    #expect(joined == payload)
    #expect(pieces == [32 * Self.c, 32 * Self.c, 6 * Self.c + 9])
  }

  struct Stop: Error {}

  @Test("a chunk that fails in a later batch stops the read there: only authenticated content before it was handed out")
  func laterBatchFailure() throws {
    let f = try Self.fixture()
    defer { f.remove() }
    let payload = TestBytes.pattern(count: 100 * Self.c + 9, seed: 3)
    let file = try f.file(f.put(payload))
    // Chunk 70 is in the third batch of 32.
    let bad = try f.storeUnderOwnHash(TestBytes.flipping(file, bit: (Self.head + 70 * Self.stride + 100) * 8))
    var received: [UInt8] = []
    #expect(throws: ObjectError.self) {
      try f.store.reader(bad, binding: f.binding, key: f.key, vault: f.vault).readAll { received += $0 }
    }
    #expect(received.count <= 64 * Self.c)
    #expect(received == Array(payload.prefix(received.count)))
  }

  @Test("an error thrown by the consumer in the middle of a pipelined read comes out unchanged")
  func consumerError() throws {
    let f = try Self.fixture()
    defer { f.remove() }
    let id = try f.put(TestBytes.pattern(count: 100 * Self.c, seed: 4))
    var calls = 0
    #expect(throws: Stop.self) {
      try f.store.reader(id, binding: f.binding, key: f.key, vault: f.vault).readAll { _ in
        calls += 1
        if calls == 2 { throw Stop() }
      }
    }
    #expect(calls == 2)
    // The object is intact and reads again in full.
    #expect(try f.get(id).count == 100 * Self.c)
  }
}
