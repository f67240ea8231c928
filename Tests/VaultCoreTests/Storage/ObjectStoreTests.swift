import Foundation
import Testing
import VaultCore
import VaultCrypto

@Suite("object store")
struct ObjectStoreTests {
  // With 1 KiB chunks: the padding buckets' edges (252 + 4 = 256), the last tail that still
  // fits beside the trailer (1020), tails that must go out as a MESSAGE chunk of their own
  // (1021...1024), and several full chunks.
  static let c = ObjectStoreFixture.chunkSize
  static let sizes = [0, 1, 251, 252, 253, 508, 509, c - 4, c - 3, c - 1, c, c + 1, 2 * c, 3 * c, 3 * c + 100]

  @Test("objects of every size up to several chunks round-trip byte for byte", arguments: sizes)
  func roundTrip(size: Int) throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let payload = TestBytes.pattern(count: size, seed: UInt32(size + 1))
    let id = try f.put(payload)
    #expect(try f.get(id) == payload)

    let file = try f.file(id)
    #expect(file.count == ObjectStoreFixture.expectedFileSize(contentLength: size))
    #expect(file.count >= ObjectHeader.minimumFileSize)
    // The name is the BLAKE2b-256 of the whole file, which is what b2sum -l 256 prints.
    #expect(id.bytes == (try Hasher.blake2b256(file)))
    #expect(f.store.path(for: id) == "\(f.store.directory)/\(id.hex.prefix(2))/\(id.hex)")
    #expect(Array(file.prefix(ObjectHeader.size)) == f.header.encoded)
    #expect(try f.temporaryFiles() == [])
  }

  @Test("a reader accepts full chunks followed by a final chunk of padding only (FORMAT.md §6.3)")
  func paddingOnlyFinalChunk() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let first = TestBytes.pattern(count: 1024, seed: 1)
    let second = TestBytes.pattern(count: 1024, seed: 2)
    let id = try f.handMade([(first, false), (second, false), (f.canonicalFinal([]), true)])
    #expect(try f.get(id) == first + second)
    try f.store.checkHash(id)
    // The same layout the writer makes for 2 KiB.
    #expect(try f.file(id).count == (try f.file(f.put(first + second))).count)
  }

  @Test("a reader accepts a short MESSAGE chunk before the final one, as the writer makes for a tail too long for the trailer")
  func shortMessageChunkBeforeFinal() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let full = TestBytes.pattern(count: 1024, seed: 1)
    let tail = TestBytes.pattern(count: 1022, seed: 2)
    let id = try f.handMade([(full, false), (tail, false), (f.canonicalFinal([]), true)])
    #expect(try f.get(id) == full + tail)
    let mixed = try f.handMade([([1, 2, 3], false), (full, false), (f.canonicalFinal([4]), true)])
    #expect(try f.get(mixed) == [1, 2, 3] + full + [4])
  }

  @Test("the writer's file is header, stream header and length-prefixed chunks whose final plaintext is padded (FORMAT.md §6)")
  func layout() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let payload = TestBytes.pattern(count: 2500)
    let file = try f.file(f.put(payload))
    #expect(Array(file.prefix(ObjectHeader.size)) == FileHeader.encode(.object) + [0x00, 0x04, 0x00, 0x00])
    let frames = ObjectStoreFixture.frames(file)
    #expect(frames.map(\.count) == [1045, 1045, 4 + 512 + 17])
    for frame in frames {
      #expect(Int(ObjectStoreFixture.readLE32(frame, at: 0)) == frame.count - ObjectHeader.lengthPrefixSize)
    }
    let chunks = try f.decryptFrames(file)
    #expect(chunks.map(\.isFinal) == [false, false, true])
    #expect(chunks[0].plaintext == Array(payload[0..<1024]))
    #expect(chunks[1].plaintext == Array(payload[1024..<2048]))
    // 452 + 4 rounded up to 512: 56 zero bytes, then 56 as u32 LE.
    #expect(chunks[2].plaintext == Array(payload[2048...]) + [UInt8](repeating: 0, count: 56) + [56, 0, 0, 0])
  }

  @Test(
    "the final chunk's plaintext is the tail padded to paddedFinalLength, after a MESSAGE chunk for a tail with no room for the trailer",
    arguments: [0, 1, 252, 253, 1020, 1021, 1024, 1025, 2048])
  func finalChunkLayout(size: Int) throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let payload = TestBytes.pattern(count: size, seed: 7)
    let chunks = try f.decryptFrames(f.file(f.put(payload)))
    #expect(chunks.map(\.isFinal) == Array(repeating: false, count: chunks.count - 1) + [true])
    let messages = chunks.dropLast().map(\.plaintext)
    #expect(messages.allSatisfy { !$0.isEmpty && $0.count <= 1024 })
    #expect(messages.dropLast().allSatisfy { $0.count == 1024 })
    let inMessages = messages.reduce(0) { $0 + $1.count }
    let tail = Array(payload[inMessages...])
    #expect(chunks.last?.plaintext == f.canonicalFinal(tail))
    #expect(Array(messages.joined()) + tail == payload)
    // The tail stays in the final chunk exactly when it leaves room for the trailer.
    let lastPiece = size == 0 ? 0 : size - (size - 1) / 1024 * 1024
    #expect(tail.count == (lastPiece + 4 <= 1024 ? lastPiece : 0))
  }

  @Test("object sizes reveal only a bucket of the content length")
  func bucketedSizes() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    func size(_ n: Int, _ header: ObjectHeader? = nil) throws -> Int {
      try f.file(f.put(TestBytes.pattern(count: n, seed: UInt32(n + 1)), header: header)).count
    }
    // An empty object is the smallest object: 12 + 24 + 4 + 256 + 17 bytes.
    #expect(ObjectHeader.minimumFileSize == 313)
    #expect(try size(0) == 313)
    // New objects (revision 1, §6.8): 12 + 16 + 256 + 16 bytes.
    #expect(try size(0, ObjectHeader()) == 300)
    // Lengths whose tail + 4 rounds up to the same power of two make files of one size.
    for bucket in [[0, 1, 100, 252], [253, 400, 508], [509, 800, 1000, 1020]] {
      let sizes = try bucket.map { try size($0) }
      #expect(Set(sizes).count == 1, "\(bucket): \(sizes)")
    }
    #expect(try size(252) < (try size(253)))
    // Likewise for new objects under the default 64 KiB chunk size, where a tail can be padded up
    // to 64 KiB (revision 1: tail + 1 for the 0x80 marker).
    for bucket in [[1000, 1023], [1024, 1100, 2047], [40_000, 65_535]] {
      let sizes = try bucket.map { try size($0, ObjectHeader()) }
      #expect(Set(sizes).count == 1, "\(bucket): \(sizes)")
    }
    #expect(try size(1000, ObjectHeader()) < (try size(1100, ObjectHeader())))
  }

  @Test("the clear bytes reveal neither the client nor the type")
  func headerHidesBinding() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let bindings = [
      f.binding,
      ObjectBinding(type: .document, client: try RandomID.generate()),
      ObjectBinding(type: .clientIndex, client: .none),
      ObjectBinding(type: f.binding.type, client: try RandomID.generate()),
    ]
    for header in [f.header, ObjectHeader()] {
      let files = try bindings.enumerated().map { i, binding in
        let payload = TestBytes.pattern(count: 1500, seed: UInt32(i + 1))
        let id = try f.put(payload, binding: binding, header: header)
        #expect(try f.get(id, binding: binding) == payload)
        return try f.file(id)
      }
      // The same 12 clear bytes and the same size whoever the objects belong to.
      #expect(Set(files.map { Array($0.prefix(ObjectHeader.size)) }) == [header.encoded])
      #expect(Set(files.map(\.count)).count == 1)
      for (file, binding) in zip(files, bindings) where binding.client != .none {
        #expect(!TestBytes.contains(file, binding.client.bytes))
      }
    }
  }

  @Test("a reader streams the chunks in order")
  func streaming() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let payload = TestBytes.pattern(count: 2500)
    let id = try f.put(payload)
    var sizes: [Int] = []
    var joined: [UInt8] = []
    try f.store.reader(id, binding: f.binding, key: f.key, vault: f.vault).readAll { chunk in
      sizes.append(chunk.count)
      joined += chunk
    }
    #expect(sizes == [1024, 1024, 452])
    #expect(joined == payload)
  }

  @Test(
    "a reader hands out content only, never padding or an empty piece",
    arguments: [(0, [Int]()), (1, [1]), (1021, [1021]), (1024, [1024]), (2048, [1024, 1024]), (2049, [1024, 1024, 1])])
  func streamingPieces(size: Int, expected: [Int]) throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let id = try f.put(TestBytes.pattern(count: size))
    var sizes: [Int] = []
    try f.store.reader(id, binding: f.binding, key: f.key, vault: f.vault).readAll { sizes.append($0.count) }
    #expect(sizes == expected)
  }

  @Test("writing in uneven pieces gives the same plaintext as one put")
  func writerPieces() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let payload = TestBytes.pattern(count: 5000)
    let writer = try f.store.writer(f.binding, key: f.key, vault: f.vault, header: f.header)
    var offset = 0
    for piece in [0, 1, 1023, 1, 2000, 1975] {
      try payload[offset..<offset + piece].withUnsafeBytes { try writer.write($0) }
      offset += piece
    }
    let id = try writer.finish()
    #expect(try f.get(id) == payload)
    #expect(try f.temporaryFiles() == [])
  }

  @Test("a too-large object is refused by get's limit")
  func limit() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let id = try f.put(TestBytes.pattern(count: 3000))
    #expect(throws: ObjectError.tooLarge(id, limit: 2999)) {
      try f.store.get(id, binding: f.binding, key: f.key, vault: f.vault, limit: 2999)
    }
    #expect(try f.store.get(id, binding: f.binding, key: f.key, vault: f.vault, limit: 3000).count == 3000)
  }

  @Test("list, exists and remove see exactly the stored objects")
  func listExistsRemove() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    #expect(try f.store.list().objects == [])
    let ids = try (0..<5).map { try f.put(TestBytes.pattern(count: $0 * 10, seed: UInt32($0 + 1))) }
    #expect(Set(ids).count == 5)
    #expect(try f.store.list().objects == ids.sorted())
    #expect(try f.store.list().strays == [])
    for id in ids { #expect(f.store.exists(id)) }

    try f.store.remove(ids[2])
    #expect(!f.store.exists(ids[2]))
    #expect(try f.store.list().objects == ids.enumerated().filter { $0.offset != 2 }.map(\.element).sorted())
    #expect(throws: ObjectError.missing(ids[2])) { try f.get(ids[2]) }
    try f.store.remove(ids[2])  // removing a missing object is not an error
  }

  @Test("the same plaintext stored twice gets two different names")
  func freshNames() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    #expect(try f.put([1, 2, 3]) != (try f.put([1, 2, 3])))
  }

  @Test("list reports misnamed entries as strays")
  func strays() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let id = try f.put([1])
    let sub = String(id.hex.prefix(2))
    let misplaced = (sub == "00" ? "01" : "00")
    try FileManager.default.createDirectory(atPath: "\(f.store.directory)/\(misplaced)", withIntermediateDirectories: true)
    try Data().write(to: URL(fileURLWithPath: "\(f.store.directory)/\(misplaced)/\(id.hex)"))
    try Data().write(to: URL(fileURLWithPath: "\(f.store.directory)/\(sub)/not-an-id"))
    try Data().write(to: URL(fileURLWithPath: "\(f.store.directory)/\(sub)/\(id.hex.uppercased())"))
    try Data().write(to: URL(fileURLWithPath: "\(f.store.directory)/README"))
    try FileManager.default.createDirectory(atPath: "\(f.store.directory)/ZZ", withIntermediateDirectories: true)

    let listing = try f.store.list()
    #expect(listing.objects == [id])
    #expect(
      Set(listing.strays)
        == ["\(misplaced)/\(id.hex)", "\(sub)/not-an-id", "\(sub)/\(id.hex.uppercased())", "README", "ZZ"])
  }

  @Test("checkHash passes for an intact object and fails after a bit flip")
  func checkHash() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let id = try f.put(TestBytes.pattern(count: 2000))
    try f.store.checkHash(id)
    let file = try f.file(id)
    for offset in [0, ObjectHeader.size - 1, ObjectHeader.size + 3, 1000, file.count - 1] {
      try f.overwrite(id, with: TestBytes.flipping(file, bit: offset * 8 + 2))
      let error = #expect(throws: ObjectError.self, "byte \(offset)") { try f.store.checkHash(id) }
      guard case .corrupted(id, _) = error else { Issue.record("byte \(offset): \(String(describing: error))"); continue }
    }
    try f.overwrite(id, with: file)
    try f.store.checkHash(id)
    try f.overwrite(id, with: Array(file.dropLast()))
    #expect(throws: ObjectError.self) { try f.store.checkHash(id) }
  }

  @Test("checkHash refuses a file too short to be an object, even when named by its hash")
  func checkHashMinimumSize() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let id = try f.put([])
    let file = try f.file(id)
    #expect(file.count == ObjectHeader.minimumFileSize)
    try f.store.checkHash(id)
    let short = try f.storeUnderOwnHash(Array(file.dropLast()))
    #expect(throws: ObjectError.corrupted(short, "file is truncated")) { try f.store.checkHash(short) }
    let headerOnly = try f.storeUnderOwnHash(f.header.encoded)
    #expect(throws: ObjectError.corrupted(headerOnly, "file is truncated")) { try f.store.checkHash(headerOnly) }
    // A file that ends inside the 12-byte header fails on the header itself.
    let partialHeader = try f.storeUnderOwnHash(Array(f.header.encoded.prefix(ObjectHeader.size - 1)))
    #expect(throws: ObjectError.corrupted(partialHeader, "file is truncated")) { try f.store.checkHash(partialHeader) }
    // checkHash parses the header: a file of another kind is refused even when named by its hash.
    let foreign = try f.storeUnderOwnHash(FileHeader.encode(.config) + [0, 4, 0, 0] + file.dropFirst(ObjectHeader.size))
    #expect(throws: ObjectError.corrupted(foreign, FormatError.wrongKind(expected: .object, found: 1).description)) {
      try f.store.checkHash(foreign)
    }
  }

  @Test("checkHash reports a missing object as missing")
  func checkHashMissing() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let id = try f.put([1, 2, 3])
    try f.store.remove(id)
    #expect(throws: ObjectError.missing(id)) { try f.store.checkHash(id) }
  }

  @Test("abandoning a writer, or dropping it unfinished, leaves no temporary file and no object")
  func abandon() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let writer = try f.store.writer(f.binding, key: f.key, vault: f.vault, header: f.header)
    try TestBytes.pattern(count: 3000).withUnsafeBytes { try writer.write($0) }
    // Unnamed while being written (tmpfs and ext4 support O_TMPFILE): nothing to leave behind.
    #expect(try f.temporaryFiles().count == 0)
    writer.abandon()
    #expect(try f.temporaryFiles() == [])

    do {
      let dropped = try f.store.writer(f.binding, key: f.key, vault: f.vault, header: f.header)
      try [1, 2, 3].withUnsafeBytes { try dropped.write($0) }
      #expect(try f.temporaryFiles().count == 0)
      withExtendedLifetime(dropped) {}
    }
    #expect(try f.temporaryFiles() == [])
    #expect(try f.store.list().objects == [])
    #expect(try f.store.list().strays == [])
  }

  @Test("a writer whose commit fails leaves no temporary file")
  func failedCommitCleansUp() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    // Every fan-out name is taken by a regular file, so no object directory can be created.
    for i in 0...255 { try Data().write(to: URL(fileURLWithPath: "\(f.store.directory)/\(Hex.encode([UInt8(i)]))")) }
    #expect(throws: StorageError.self) { try f.put(TestBytes.pattern(count: 3000)) }
    #expect(try f.temporaryFiles() == [])
  }

  @Test("the file on disk does not contain the plaintext")
  func ciphertextHidesPlaintext() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let marker = Array("SESSION-NOTE-MARKER: client disclosed".utf8)
    let payload = (0..<100).flatMap { _ in marker }
    let id = try f.put(payload)
    let file = try f.file(id)
    #expect(!TestBytes.contains(file, Array(marker.prefix(12))))
    #expect(!TestBytes.contains(file, Array("MARKER".utf8)))
    #expect(try f.get(id) == payload)
  }
}
