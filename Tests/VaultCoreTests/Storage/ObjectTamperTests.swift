import Foundation
import Testing
import VaultCore
import VaultCrypto

/// One way to damage or forge an object file.
enum ObjectTamper: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case flipInFileHeader, flipInType, flipInClient, flipInChunkSize, flipInStreamHeader
  case flipMiddleOfFirstChunk, flipTagByteOfSecondChunk, flipFirstByteOfFinalChunk, flipLastByte
  case truncateOneByte, truncateFinalChunk, truncateToHeaders, truncateInsideHeader, truncateToNothing
  case dropMiddleChunk, swapChunks, duplicateChunk
  case appendOneByte, appendFinalChunkAgain

  var testDescription: String { rawValue }

  // The object under test holds 2500 bytes in 1 KiB chunks: 1024 + 1024 + 452.
  static let payloadSize = 2500
  static let c1 = ObjectStoreFixture.firstChunkOffset
  static let c2 = c1 + ObjectStoreFixture.cipherChunkSize
  static let c3 = c2 + ObjectStoreFixture.cipherChunkSize

  func apply(_ file: [UInt8]) -> [UInt8] {
    let chunk1 = Array(file[Self.c1..<Self.c2])
    let chunk2 = Array(file[Self.c2..<Self.c3])
    let final = Array(file[Self.c3...])
    let headers = Array(file[..<Self.c1])
    switch self {
    case .flipInFileHeader: return TestBytes.flipping(file, bit: 2 * 8)
    case .flipInType: return TestBytes.flipping(file, bit: FileHeader.size * 8 + 1)
    case .flipInClient: return TestBytes.flipping(file, bit: (FileHeader.size + 5) * 8)
    case .flipInChunkSize: return TestBytes.flipping(file, bit: (ObjectHeader.size - 4) * 8 + 1)  // 1024 → 1026
    case .flipInStreamHeader: return TestBytes.flipping(file, bit: (ObjectHeader.size + 10) * 8 + 3)
    case .flipMiddleOfFirstChunk: return TestBytes.flipping(file, bit: (Self.c1 + 500) * 8 + 7)
    case .flipTagByteOfSecondChunk: return TestBytes.flipping(file, bit: Self.c2 * 8)
    case .flipFirstByteOfFinalChunk: return TestBytes.flipping(file, bit: Self.c3 * 8 + 4)
    case .flipLastByte: return TestBytes.flipping(file, bit: file.count * 8 - 1)
    case .truncateOneByte: return Array(file.dropLast())
    case .truncateFinalChunk: return Array(file[..<Self.c3])
    case .truncateToHeaders: return headers
    case .truncateInsideHeader: return Array(file.prefix(ObjectHeader.size + 5))
    case .truncateToNothing: return []
    case .dropMiddleChunk: return headers + chunk1 + final
    case .swapChunks: return headers + chunk2 + chunk1 + final
    case .duplicateChunk: return headers + chunk1 + chunk1 + chunk2 + final
    case .appendOneByte: return file + [0]
    case .appendFinalChunkAgain: return file + final
    }
  }
}

@Suite("object tampering")
struct ObjectTamperTests {
  static func fixtureWithObject() throws -> (ObjectStoreFixture, ObjectID, [UInt8]) {
    let f = try ObjectStoreFixture()
    let payload = TestBytes.pattern(count: ObjectTamper.payloadSize)
    let id = try f.put(payload)
    #expect(try f.file(id).count == ObjectTamper.c3 + 452 + SecretStream.chunkOverhead)
    return (f, id, payload)
  }

  /// Reads `id` and requires it to fail as `.corrupted(id, …)`, whatever check catches it.
  static func expectCorrupted(
    _ f: ObjectStoreFixture, _ id: ObjectID, expected: ObjectHeader? = nil, key: SecretKey? = nil, vault: RandomID? = nil,
    _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let error = #expect(throws: ObjectError.self, comment, sourceLocation: sourceLocation) {
      try f.store.reader(id, expected: expected ?? f.header, key: key ?? f.key, vault: vault ?? f.vault).readAll { _ in }
    }
    guard case .corrupted(id, let reason)? = error else {
      Issue.record("expected .corrupted(\(id), …), got \(String(describing: error))", sourceLocation: sourceLocation)
      return
    }
    #expect(!reason.isEmpty, sourceLocation: sourceLocation)
  }

  @Test("damage in place is detected", arguments: ObjectTamper.allCases)
  func inPlace(tamper: ObjectTamper) throws {
    let (f, id, _) = try Self.fixtureWithObject()
    defer { f.remove() }
    try f.overwrite(id, with: tamper.apply(f.file(id)))
    Self.expectCorrupted(f, id)
  }

  // Renaming the damaged file to its new hash defeats the name check, so these cases show that
  // the header checks and secretstream (final tag, chunk order, authentication) catch it alone.
  @Test("damage renamed to match its new hash is still detected", arguments: ObjectTamper.allCases)
  func renamedToNewHash(tamper: ObjectTamper) throws {
    let (f, id, _) = try Self.fixtureWithObject()
    defer { f.remove() }
    let forged = try f.storeUnderOwnHash(tamper.apply(f.file(id)))
    #expect(forged != id)
    Self.expectCorrupted(f, forged)
  }

  @Test("an intact object copied over another object's name is detected by its hash")
  func copiedUnderAnotherName() throws {
    let (f, id, _) = try Self.fixtureWithObject()
    defer { f.remove() }
    // Same key, vault and header: the copy decrypts, so only the name check can catch it.
    let victim = try f.put(Array("the real note".utf8))
    try f.overwrite(victim, with: f.file(id))
    Self.expectCorrupted(f, victim)
  }

  @Test("an object read as another client's or another type is refused")
  func wrongExpectations() throws {
    let (f, id, payload) = try Self.fixtureWithObject()
    defer { f.remove() }
    var otherClient = f.header
    otherClient.client = try RandomID.generate()
    Self.expectCorrupted(f, id, expected: otherClient, "another client")
    var noClient = f.header
    noClient.client = .none
    Self.expectCorrupted(f, id, expected: noClient, "no client")
    for type in ObjectType.allCases where type != f.header.type {
      var otherType = f.header
      otherType.type = type
      Self.expectCorrupted(f, id, expected: otherType, "type \(type)")
    }
    #expect(try f.get(id) == payload)
  }

  @Test("an object does not open under another key or vault id")
  func wrongKeyOrVault() throws {
    let (f, id, payload) = try Self.fixtureWithObject()
    defer { f.remove() }
    Self.expectCorrupted(f, id, key: try SecretKey.random(), "key")
    Self.expectCorrupted(f, id, vault: try RandomID.generate(), "vault")
    #expect(try f.get(id) == payload)
  }

  @Test("an object whose header was rewritten to another client or type does not authenticate")
  func forgedHeader() throws {
    let (f, id, _) = try Self.fixtureWithObject()
    defer { f.remove() }
    // An attacker relabels the object as belonging to another client (or type) and renames it
    // to its new hash; a reader expecting that header must still refuse it.
    var relabeled = f.header
    relabeled.client = try RandomID.generate()
    relabeled.type = .document
    let file = try f.file(id)
    let forged = try f.storeUnderOwnHash(relabeled.encoded + file[ObjectHeader.size...])
    Self.expectCorrupted(f, forged, expected: relabeled)
  }

  @Test("streams that are well formed chunk by chunk but badly framed are refused")
  func badFraming() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let full = TestBytes.pattern(count: 1024)
    let cases: [(String, [(plaintext: [UInt8], isFinal: Bool)])] = [
      ("ends in a short chunk that is not final", [(full, false), ([1, 2, 3], false)]),
      ("ends in a full chunk that is not final", [(full, false), (full, false)]),
      ("a short chunk before the final one", [([1, 2, 3], false), ([4], true)]),
      ("no chunks at all", []),
    ]
    for (name, chunks) in cases {
      Self.expectCorrupted(f, try f.handMade(chunks), "\(name)")
    }
  }

  @Test("a missing object is reported as missing")
  func missing() throws {
    let (f, id, _) = try Self.fixtureWithObject()
    defer { f.remove() }
    try f.store.remove(id)
    #expect(throws: ObjectError.missing(id)) { try f.get(id) }
    let absent = try ObjectID(bytes: [UInt8](repeating: 0xab, count: 32))
    #expect(throws: ObjectError.missing(absent)) { try f.get(absent) }
  }
}
