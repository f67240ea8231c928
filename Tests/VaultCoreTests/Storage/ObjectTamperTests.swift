import Foundation
import Testing
import VaultCore
import VaultCrypto

/// The start of each reason ObjectReader gives, so a case shows which check caught it and cannot
/// pass because some other, unintended damage was found instead.
enum ObjectRejection: String, Sendable {
  case fileTruncated = "file is truncated"
  case badMagic = "not a vault file (bad magic)"
  case chunkSize = "invalid field: chunk size"
  case lengthOutOfRange = "a chunk length is out of range"
  case noFinalChunk = "object is truncated (no final chunk)"
  case trailingData = "data follows the final chunk"
  case notAuthentic = "a chunk does not authenticate"
  case noTrailer = "final chunk has no padding trailer"
  case badPadding = "final chunk has invalid padding"
  case hashMismatch = "content does not match its name"
}

/// One way to damage or forge an object file written by ObjectWriter, without the key.
enum ObjectTamper: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case flipInFileHeader, flipInChunkSize, chunkSizeOutOfRange, flipInStreamHeader
  case flipMiddleOfFirstChunk, flipTagByteOfSecondChunk, flipFirstByteOfFinalChunk, flipLastByte
  case truncateOneByte, truncateFinalChunk, truncateInsideLengthPrefix, truncateAfterLengthPrefix
  case truncateToHeaders, truncateInsideHeader, truncateInsideClearHeader, truncateToNothing
  case dropMiddleChunk, swapChunks, duplicateChunk, chunkFromAnotherObject, finalChunkFromAnotherObject
  case appendOneByte, appendFinalChunkAgain, appendEmptyLengthPrefix
  case lengthZero, lengthOfEmptyChunk, lengthOneOverFullChunk, lengthMax, lengthOneShort
  case finalLengthOneLong, finalLengthOneShort

  var testDescription: String { rawValue }

  // The object under test holds 2500 bytes in 1 KiB chunks: 1024 + 1024 as MESSAGE chunks,
  // then 452 padded to 512 in the final chunk. Each chunk is a u32 length ‖ ciphertext.
  static let payloadSize = 2500
  static let c1 = ObjectStoreFixture.firstChunkOffset
  static let c2 = c1 + ObjectStoreFixture.framedChunkSize
  static let c3 = c2 + ObjectStoreFixture.framedChunkSize
  static let fileSize = c3 + ObjectHeader.lengthPrefixSize + 512 + SecretStream.chunkOverhead

  /// The damaged file; `other` is another object of the same size, key, vault and binding.
  func apply(_ file: [UInt8], other: [UInt8]) -> [UInt8] {
    let chunk1 = Array(file[Self.c1..<Self.c2])
    let chunk2 = Array(file[Self.c2..<Self.c3])
    let final = Array(file[Self.c3...])
    let headers = Array(file[..<Self.c1])
    func length(at offset: Int, _ value: UInt32) -> [UInt8] {
      var out = file
      out.replaceSubrange(offset..<offset + 4, with: ObjectStoreFixture.le32(value))
      return out
    }
    let lp = ObjectHeader.lengthPrefixSize
    switch self {
    case .flipInFileHeader: return TestBytes.flipping(file, bit: 2 * 8)
    case .flipInChunkSize: return TestBytes.flipping(file, bit: FileHeader.size * 8 + 1)  // 1024 → 1026
    case .chunkSizeOutOfRange: return TestBytes.flipping(file, bit: (FileHeader.size + 1) * 8 + 2)  // 1024 → 0
    case .flipInStreamHeader: return TestBytes.flipping(file, bit: (ObjectHeader.size + 10) * 8 + 3)
    case .flipMiddleOfFirstChunk: return TestBytes.flipping(file, bit: (Self.c1 + lp + 500) * 8 + 7)
    case .flipTagByteOfSecondChunk: return TestBytes.flipping(file, bit: (Self.c2 + lp) * 8)
    case .flipFirstByteOfFinalChunk: return TestBytes.flipping(file, bit: (Self.c3 + lp) * 8 + 4)
    case .flipLastByte: return TestBytes.flipping(file, bit: file.count * 8 - 1)
    case .truncateOneByte: return Array(file.dropLast())
    case .truncateFinalChunk: return Array(file[..<Self.c3])
    case .truncateInsideLengthPrefix: return Array(file[..<(Self.c3 + 2)])
    case .truncateAfterLengthPrefix: return Array(file[..<(Self.c3 + lp)])
    case .truncateToHeaders: return headers
    case .truncateInsideHeader: return Array(file.prefix(ObjectHeader.size + 5))
    case .truncateInsideClearHeader: return Array(file.prefix(ObjectHeader.size - 2))
    case .truncateToNothing: return []
    case .dropMiddleChunk: return headers + chunk1 + final
    case .swapChunks: return headers + chunk2 + chunk1 + final
    case .duplicateChunk: return headers + chunk1 + chunk1 + chunk2 + final
    case .chunkFromAnotherObject: return headers + chunk1 + Array(other[Self.c2..<Self.c3]) + final
    case .finalChunkFromAnotherObject: return headers + chunk1 + chunk2 + Array(other[Self.c3...])
    case .appendOneByte: return file + [0]
    case .appendFinalChunkAgain: return file + final
    case .appendEmptyLengthPrefix: return file + [0, 0, 0, 0]
    case .lengthZero: return length(at: Self.c1, 0)
    case .lengthOfEmptyChunk: return length(at: Self.c1, UInt32(SecretStream.chunkOverhead))
    case .lengthOneOverFullChunk: return length(at: Self.c2, UInt32(ObjectStoreFixture.cipherChunkSize + 1))
    case .lengthMax: return length(at: Self.c1, .max)
    case .lengthOneShort: return length(at: Self.c1, UInt32(ObjectStoreFixture.cipherChunkSize - 1))
    case .finalLengthOneLong: return length(at: Self.c3, UInt32(512 + SecretStream.chunkOverhead + 1))
    case .finalLengthOneShort: return length(at: Self.c3, UInt32(512 + SecretStream.chunkOverhead - 1))
    }
  }

  /// The check that must catch it, with or without the name check's help.
  var rejection: ObjectRejection {
    switch self {
    case .flipInFileHeader: .badMagic
    case .chunkSizeOutOfRange: .chunkSize
    case .truncateInsideHeader, .truncateInsideClearHeader, .truncateToNothing: .fileTruncated
    case .truncateOneByte, .truncateFinalChunk, .truncateInsideLengthPrefix, .truncateAfterLengthPrefix, .truncateToHeaders,
      .finalLengthOneLong:
      .noFinalChunk
    case .appendOneByte, .appendFinalChunkAgain, .appendEmptyLengthPrefix: .trailingData
    case .lengthZero, .lengthOfEmptyChunk, .lengthOneOverFullChunk, .lengthMax: .lengthOutOfRange
    case .flipInChunkSize, .flipInStreamHeader, .flipMiddleOfFirstChunk, .flipTagByteOfSecondChunk, .flipFirstByteOfFinalChunk,
      .flipLastByte, .dropMiddleChunk, .swapChunks, .duplicateChunk, .chunkFromAnotherObject, .finalChunkFromAnotherObject,
      .lengthOneShort, .finalLengthOneShort:
      .notAuthentic
    }
  }
}

/// An object built chunk by chunk with the key, as ObjectWriter never would: bad padding, bad
/// trailers, chunks of impossible sizes, no final chunk. Same 2500 bytes as `ObjectTamper`.
enum ObjectForgery: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case nonzeroFirstPaddingByte, nonzeroLastPaddingByte, paddingOneMoreThanAvailable, paddingClaimsTheTail, paddingMax
  case noPaddingOrTrailer, paddedPastItsBucket, paddedShortOfItsBucket, finalOfThreeBytes, emptyFinal, finalOverChunkSize
  case emptyMessageChunk, messageOverChunkSize, noFinalChunk, noChunks

  var testDescription: String { rawValue }

  static let payload = TestBytes.pattern(count: ObjectTamper.payloadSize)
  static let full1 = Array(payload[0..<1024])
  static let full2 = Array(payload[1024..<2048])
  static let tail = Array(payload[2048...])
  /// 452 + 4 rounded up to 512.
  static let padding = 512 - 452 - 4

  /// The chunks of the valid object, as the writer makes them.
  static let valid: [(plaintext: [UInt8], isFinal: Bool)] = [
    (full1, false), (full2, false), (ObjectStoreFixture.finalPlaintext(tail: tail, padding: padding), true),
  ]

  var chunks: [(plaintext: [UInt8], isFinal: Bool)] {
    typealias F = ObjectStoreFixture
    let t = Self.tail.count + Self.padding  // bytes before the trailer
    func final(_ plaintext: [UInt8]) -> [(plaintext: [UInt8], isFinal: Bool)] { [(Self.full1, false), (Self.full2, false), (plaintext, true)] }
    func withTrailer(_ value: UInt32) -> [UInt8] { Self.tail + [UInt8](repeating: 0, count: Self.padding) + F.le32(value) }
    switch self {
    case .nonzeroFirstPaddingByte:
      var p = F.finalPlaintext(tail: Self.tail, padding: Self.padding)
      p[Self.tail.count] = 1
      return final(p)
    case .nonzeroLastPaddingByte:
      var p = F.finalPlaintext(tail: Self.tail, padding: Self.padding)
      p[t - 1] = 0x80
      return final(p)
    case .paddingOneMoreThanAvailable: return final(withTrailer(UInt32(t + 1)))
    case .paddingClaimsTheTail: return final(withTrailer(UInt32(t)))
    case .paddingMax: return final(withTrailer(.max))
    case .noPaddingOrTrailer: return final(Self.tail)
    // Well-formed zero padding, but not the writer's amount: one content, one valid encoding.
    case .paddedPastItsBucket: return final(F.finalPlaintext(tail: Self.tail, padding: Self.padding + 512))
    case .paddedShortOfItsBucket: return final(F.finalPlaintext(tail: Self.tail, padding: Self.padding - 1))
    case .finalOfThreeBytes: return final([0, 0, 0])
    case .emptyFinal: return final([])
    case .finalOverChunkSize:
      return [(Self.full1, false), (F.finalPlaintext(tail: Self.full2, padding: 0) + [0], true)]
    case .emptyMessageChunk: return [(Self.full1, false), ([], false)] + Array(Self.valid.dropFirst())
    case .messageOverChunkSize: return [(Self.full1 + [0], false)] + Array(Self.valid.dropFirst())
    case .noFinalChunk: return [(Self.full1, false), (Self.full2, false), (Self.tail, false)]
    case .noChunks: return []
    }
  }

  var rejection: ObjectRejection {
    switch self {
    case .nonzeroFirstPaddingByte, .nonzeroLastPaddingByte, .paddingOneMoreThanAvailable, .paddingClaimsTheTail, .paddingMax,
      .noPaddingOrTrailer, .paddedPastItsBucket, .paddedShortOfItsBucket:
      .badPadding
    case .finalOfThreeBytes: .noTrailer
    case .emptyFinal, .finalOverChunkSize, .emptyMessageChunk, .messageOverChunkSize: .lengthOutOfRange
    case .noFinalChunk, .noChunks: .noFinalChunk
    }
  }
}

@Suite("object tampering")
struct ObjectTamperTests {
  static func fixtureWithObject() throws -> (ObjectStoreFixture, ObjectID, [UInt8]) {
    let f = try ObjectStoreFixture()
    let payload = TestBytes.pattern(count: ObjectTamper.payloadSize)
    let id = try f.put(payload)
    #expect(try f.file(id).count == ObjectTamper.fileSize)
    return (f, id, payload)
  }

  /// Reads `id` and requires it to fail as `.corrupted(id, …)`, for `rejection` when one is given.
  static func expectCorrupted(
    _ f: ObjectStoreFixture, _ id: ObjectID, binding: ObjectBinding? = nil, key: SecretKey? = nil, vault: RandomID? = nil,
    _ rejection: ObjectRejection? = nil, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let error = #expect(throws: ObjectError.self, comment, sourceLocation: sourceLocation) {
      try f.store.reader(id, binding: binding ?? f.binding, key: key ?? f.key, vault: vault ?? f.vault).readAll { _ in }
    }
    guard case .corrupted(id, let reason)? = error else {
      Issue.record("expected .corrupted(\(id), …), got \(String(describing: error))", sourceLocation: sourceLocation)
      return
    }
    #expect(!reason.isEmpty, sourceLocation: sourceLocation)
    if let rejection {
      #expect(reason.hasPrefix(rejection.rawValue), "\(comment.map { "\($0): " } ?? "")reason: \(reason)", sourceLocation: sourceLocation)
    }
  }

  @Test("damage in place is detected", arguments: ObjectTamper.allCases)
  func inPlace(tamper: ObjectTamper) throws {
    let (f, id, _) = try Self.fixtureWithObject()
    defer { f.remove() }
    let other = try f.file(f.put(TestBytes.pattern(count: ObjectTamper.payloadSize, seed: 99)))
    try f.overwrite(id, with: tamper.apply(f.file(id), other: other))
    Self.expectCorrupted(f, id, tamper.rejection)
  }

  // Renaming the damaged file to its new hash defeats the name check, so these cases show that
  // the header, framing and padding checks and secretstream (final tag, chunk order,
  // authentication) catch it alone.
  @Test("damage renamed to match its new hash is still detected", arguments: ObjectTamper.allCases)
  func renamedToNewHash(tamper: ObjectTamper) throws {
    let (f, id, _) = try Self.fixtureWithObject()
    defer { f.remove() }
    let other = try f.file(f.put(TestBytes.pattern(count: ObjectTamper.payloadSize, seed: 99)))
    let forged = try f.storeUnderOwnHash(tamper.apply(f.file(id), other: other))
    #expect(forged != id)
    Self.expectCorrupted(f, forged, tamper.rejection)
  }

  @Test("the hand-made object the forgeries start from is valid and identical in layout to the writer's")
  func handMadeControl() throws {
    let (f, id, payload) = try Self.fixtureWithObject()
    defer { f.remove() }
    let file = try f.handMadeFile(ObjectForgery.valid)
    #expect(file.count == (try f.file(id)).count)
    #expect(Array(file.prefix(ObjectHeader.size)) == Array(try f.file(id).prefix(ObjectHeader.size)))
    let own = try f.storeUnderOwnHash(file)
    #expect(try f.get(own) == payload)
    try f.store.checkHash(own)
    #expect(f.canonicalFinal(ObjectForgery.tail) == ObjectForgery.valid[2].plaintext)
  }

  @Test("forged padding, trailers and chunk framings are refused in place", arguments: ObjectForgery.allCases)
  func forgeryInPlace(forgery: ObjectForgery) throws {
    let (f, id, _) = try Self.fixtureWithObject()
    defer { f.remove() }
    try f.overwrite(id, with: f.handMadeFile(forgery.chunks))
    Self.expectCorrupted(f, id, forgery.rejection)
  }

  @Test("forged padding, trailers and chunk framings are refused under their own hash", arguments: ObjectForgery.allCases)
  func forgeryUnderOwnHash(forgery: ObjectForgery) throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    Self.expectCorrupted(f, try f.handMade(forgery.chunks), forgery.rejection)
  }

  @Test("an intact object copied over another object's name is detected by its hash")
  func copiedUnderAnotherName() throws {
    let (f, id, _) = try Self.fixtureWithObject()
    defer { f.remove() }
    // Same key, vault and binding: the copy decrypts, so only the name check can catch it.
    let victim = try f.put(Array("the real note".utf8))
    try f.overwrite(victim, with: f.file(id))
    Self.expectCorrupted(f, victim, .hashMismatch)
  }

  @Test("an object read as another client's or another type is refused")
  func wrongBinding() throws {
    let (f, id, payload) = try Self.fixtureWithObject()
    defer { f.remove() }
    let otherClient = ObjectBinding(type: f.binding.type, client: try RandomID.generate())
    Self.expectCorrupted(f, id, binding: otherClient, .notAuthentic, "another client")
    let noClient = ObjectBinding(type: f.binding.type, client: .none)
    Self.expectCorrupted(f, id, binding: noClient, .notAuthentic, "no client")
    for type in ObjectType.allCases where type != f.binding.type {
      Self.expectCorrupted(f, id, binding: ObjectBinding(type: type, client: f.binding.client), .notAuthentic, "type \(type)")
    }
    #expect(try f.get(id) == payload)
  }

  @Test("a vault-level object does not open as any client's")
  func vaultObjectAsClient() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let vaultLevel = ObjectBinding(type: .document, client: .none)
    let id = try f.put([1, 2, 3], binding: vaultLevel)
    #expect(try f.get(id, binding: vaultLevel) == [1, 2, 3])
    Self.expectCorrupted(f, id, binding: ObjectBinding(type: .document, client: f.binding.client), .notAuthentic)
  }

  @Test("an object does not open under another key or vault id")
  func wrongKeyOrVault() throws {
    let (f, id, payload) = try Self.fixtureWithObject()
    defer { f.remove() }
    Self.expectCorrupted(f, id, key: try SecretKey.random(), .notAuthentic, "key")
    Self.expectCorrupted(f, id, vault: try RandomID.generate(), .notAuthentic, "vault")
    #expect(try f.get(id) == payload)
  }

  @Test("an object whose chunk size was rewritten to another valid size does not authenticate", arguments: [UInt32(2048), 16 << 20])
  func forgedChunkSize(chunkSize: UInt32) throws {
    let (f, id, _) = try Self.fixtureWithObject()
    defer { f.remove() }
    // An attacker rewrites the clear header and renames the file to its new hash; the header is
    // part of every chunk's associated data, so the first chunk already fails.
    let file = try f.file(id)
    let forged = try f.storeUnderOwnHash(ObjectHeader(chunkSize: chunkSize).encoded + file[ObjectHeader.size...])
    Self.expectCorrupted(f, forged, .notAuthentic)
  }

  @Test("streams that authenticate chunk by chunk but are badly framed are refused")
  func badFraming() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let full = TestBytes.pattern(count: 1024)
    let cases: [(String, [(plaintext: [UInt8], isFinal: Bool)], ObjectRejection)] = [
      ("ends in a short chunk that is not final", [(full, false), ([1, 2, 3], false)], .noFinalChunk),
      ("ends in a full chunk that is not final", [(full, false), (full, false)], .noFinalChunk),
      ("ends in a padded chunk that is not final", [(full, false), (f.canonicalFinal([1, 2, 3]), false)], .noFinalChunk),
      ("no chunks at all", [], .noFinalChunk),
      ("an empty chunk before the final one", [(full, false), ([], false), (f.canonicalFinal([]), true)], .lengthOutOfRange),
    ]
    for (name, chunks, rejection) in cases {
      Self.expectCorrupted(f, try f.handMade(chunks), rejection, "\(name)")
    }
  }

  @Test("the largest chunks a reader accepts are exactly chunkSize plaintext bytes")
  func chunkSizeBoundary() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let full = TestBytes.pattern(count: 1024)
    let finalOnly = ObjectStoreFixture.finalPlaintext(tail: Array(full.prefix(1020)), padding: 0)
    #expect(finalOnly.count == 1024)
    #expect(try f.get(f.handMade([(full, false), (finalOnly, true)])) == full + full.prefix(1020))
    Self.expectCorrupted(f, try f.handMade([(full + [7], false), (f.canonicalFinal([]), true)]), .lengthOutOfRange, "message")
    Self.expectCorrupted(f, try f.handMade([(full, false), (finalOnly + [0], true)]), .lengthOutOfRange, "final")
  }

  @Test("a missing object is reported as missing")
  func missing() throws {
    let (f, id, _) = try Self.fixtureWithObject()
    defer { f.remove() }
    try f.store.remove(id)
    #expect(throws: ObjectError.missing(id)) { try f.get(id) }
    #expect(throws: ObjectError.missing(id)) { try f.store.checkHash(id) }
    let absent = try ObjectID(bytes: [UInt8](repeating: 0xab, count: 32))
    #expect(throws: ObjectError.missing(absent)) { try f.get(absent) }
    #expect(throws: ObjectError.missing(absent)) { try f.store.checkHash(absent) }
  }
}
