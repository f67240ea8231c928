import Foundation
import Testing
import VaultCore
import VaultCrypto

@Suite("object store")
struct ObjectStoreTests {
  @Test(
    "objects of every size up to several chunks round-trip",
    arguments: [0, 1, 1023, 1024, 1025, 2048, 3 * 1024 + 100])
  func roundTrip(size: Int) throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let payload = TestBytes.pattern(count: size, seed: UInt32(size + 1))
    let id = try f.put(payload)
    #expect(try f.get(id) == payload)

    // One chunk per started KiB, and one (possibly empty) final chunk for an empty object.
    let chunks = size == 0 ? 1 : (size + 1023) / 1024
    let file = try f.file(id)
    #expect(file.count == ObjectStoreFixture.firstChunkOffset + size + chunks * SecretStream.chunkOverhead)
    // The name is the BLAKE2b-256 of the whole file, which is what b2sum -l 256 prints.
    #expect(id.bytes == (try Hasher.blake2b256(file)))
    #expect(f.store.path(for: id) == "\(f.store.directory)/\(id.hex.prefix(2))/\(id.hex)")
    #expect(Array(file.prefix(ObjectHeader.size)) == f.header.encoded)
    #expect(try f.temporaryFiles() == [])
  }

  @Test("a reader accepts full chunks followed by an empty final chunk (FORMAT.md §6.3)")
  func emptyFinalChunk() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let first = TestBytes.pattern(count: 1024, seed: 1)
    let second = TestBytes.pattern(count: 1024, seed: 2)
    let id = try f.handMade([(first, false), (second, false), ([], true)])
    #expect(try f.get(id) == first + second)
    try f.store.checkHash(id)
  }

  @Test("a reader streams the chunks in order")
  func streaming() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let payload = TestBytes.pattern(count: 2500)
    let id = try f.put(payload)
    var sizes: [Int] = []
    var joined: [UInt8] = []
    try f.store.reader(id, expected: f.header, key: f.key, vault: f.vault).readAll { chunk in
      sizes.append(chunk.count)
      joined += chunk
    }
    #expect(sizes == [1024, 1024, 452])
    #expect(joined == payload)
  }

  @Test("writing in uneven pieces gives the same plaintext as one put")
  func writerPieces() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let payload = TestBytes.pattern(count: 5000)
    let writer = try f.store.writer(header: f.header, key: f.key, vault: f.vault)
    var offset = 0
    for piece in [0, 1, 1023, 1, 2000, 1975] {
      try payload[offset..<offset + piece].withUnsafeBytes { try writer.write($0) }
      offset += piece
    }
    #expect(writer.plaintextCount == 5000)
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
      try f.store.get(id, expected: f.header, key: f.key, vault: f.vault, limit: 2999)
    }
    #expect(try f.store.get(id, expected: f.header, key: f.key, vault: f.vault, limit: 3000).count == 3000)
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
  }

  @Test("abandoning a writer, or dropping it unfinished, leaves no temporary file and no object")
  func abandon() throws {
    let f = try ObjectStoreFixture()
    defer { f.remove() }
    let writer = try f.store.writer(header: f.header, key: f.key, vault: f.vault)
    try TestBytes.pattern(count: 3000).withUnsafeBytes { try writer.write($0) }
    #expect(try f.temporaryFiles().count == 1)
    writer.abandon()
    #expect(try f.temporaryFiles() == [])

    do {
      let dropped = try f.store.writer(header: f.header, key: f.key, vault: f.vault)
      try [1, 2, 3].withUnsafeBytes { try dropped.write($0) }
      #expect(try f.temporaryFiles().count == 1)
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
