import Testing
import VaultCore

@Suite("object header")
struct ObjectHeaderTests {
  static let client = try! RandomID(bytes: Array(1...16))

  @Test("the header encodes as file header and little-endian chunk size, nothing else")
  func layout() throws {
    let encoded = ObjectHeader(chunkSize: 0x0001_0400, revision: 0).encoded
    #expect(ObjectHeader.size == 12)
    #expect(encoded == FileHeader.encode(.object) + [0x00, 0x04, 0x01, 0x00])
    #expect(encoded == Array("vault".utf8) + [1, 4, 0, 0x00, 0x04, 0x01, 0x00])
    #expect(ObjectHeader().chunkSize == 64 << 10)
    // New objects are of revision 1 (FORMAT.md §6.8): header byte 7 is 1.
    #expect(ObjectHeader().revision == 1)
    #expect(ObjectHeader(chunkSize: 0x0001_0400).encoded == Array("vault".utf8) + [1, 4, 1, 0x00, 0x04, 0x01, 0x00])
    #expect(try ObjectHeader.decode(encoded).revision == 0)
  }

  @Test("headers round-trip", arguments: [UInt32(1024), 4096, ObjectHeader.defaultChunkSize, 16 << 20])
  func roundTrip(size: UInt32) throws {
    let header = ObjectHeader(chunkSize: size)
    #expect(try ObjectHeader.decode(header.encoded) == header)
  }

  @Test("chunk sizes outside 1 KiB...16 MiB are rejected", arguments: [UInt32(0), 1, 1023, (16 << 20) + 1, .max])
  func chunkSizeOutOfRange(size: UInt32) throws {
    #expect(throws: FormatError.invalidField("chunk size \(size) out of range")) {
      try ObjectHeader.decode(ObjectHeader(chunkSize: size).encoded)
    }
  }

  @Test("the chunk size limits themselves are accepted", arguments: [UInt32(1024), 64 << 10, 16 << 20])
  func chunkSizeLimits(size: UInt32) throws {
    #expect(try ObjectHeader.decode(ObjectHeader(chunkSize: size).encoded).chunkSize == size)
  }

  @Test("a header that is short, long or of another kind is rejected")
  func malformed() throws {
    let bytes = ObjectHeader(chunkSize: 1024).encoded
    for length in 0..<bytes.count {
      #expect(throws: FormatError.truncated, "length \(length)") { try ObjectHeader.decode(Array(bytes.prefix(length))) }
    }
    #expect(throws: FormatError.trailingBytes) { try ObjectHeader.decode(bytes + [0]) }
    var index = bytes
    index[6] = FileKind.index.rawValue
    #expect(throws: FormatError.wrongKind(expected: .object, found: 3)) { try ObjectHeader.decode(index) }
    var flags = bytes
    flags[7] = 2
    #expect(throws: FormatError.invalidField("layout revision 2 is newer than this release reads; update vault")) { try ObjectHeader.decode(flags) }
    var version = bytes
    version[5] = 2
    #expect(throws: FormatError.unsupportedVersion(2)) { try ObjectHeader.decode(version) }
  }

  @Test("a header in the old 29-byte layout (type and client in the clear) is rejected")
  func oldLayout() throws {
    let old = FileHeader.encode(.object) + [ObjectType.note.rawValue] + Self.client.bytes + [0x00, 0x04, 0x00, 0x00]
    #expect(old.count == 29)
    // Its type and first client bytes land where the chunk size now is: 0x03020103, out of range.
    #expect(throws: FormatError.invalidField("chunk size \(0x0302_0103) out of range")) { try ObjectHeader.decode(old) }
    #expect(throws: FormatError.self) { try ObjectHeader.decode(Array(old.prefix(ObjectHeader.size))) }
  }

  @Test("the associated data is label, vault id, type, client id and header, and binds each of them")
  func associatedData() throws {
    let vault = try RandomID.generate()
    let header = ObjectHeader(chunkSize: 1024)
    let binding = ObjectBinding(type: .note, client: Self.client)
    let ad = header.associatedData(vault: vault, binding: binding)
    #expect(ad == Array("vault.v1/object".utf8) + vault.bytes + [3] + Array(1...16) + header.encoded)
    #expect(ad.count == 15 + 16 + 1 + 16 + 12)
    #expect(ad != header.associatedData(vault: try RandomID.generate(), binding: binding))
    for type in ObjectType.allCases where type != binding.type {
      #expect(ad != header.associatedData(vault: vault, binding: ObjectBinding(type: type, client: Self.client)))
    }
    #expect(ad != header.associatedData(vault: vault, binding: ObjectBinding(type: .note, client: .none)))
    #expect(ad != header.associatedData(vault: vault, binding: ObjectBinding(type: .note, client: try RandomID.generate())))
    #expect(ad != ObjectHeader(chunkSize: 2048).associatedData(vault: vault, binding: binding))
  }

  @Test("object types keep their numbers, which are bound into every chunk")
  func typeNumbers() {
    #expect(ObjectType.allCases.map(\.rawValue) == [1, 2, 3, 4, 5, 6])
    #expect(ObjectType.allCases.map(\.description) == ["client index", "client record", "note", "document", "practice index", "client register"])
  }

  /// (chunk size, tail, padded final plaintext length)
  static let padding: [(UInt32, Int, Int)] = [
    (1024, 0, 256), (1024, 1, 256), (1024, 251, 256), (1024, 252, 256), (1024, 253, 512),
    (1024, 508, 512), (1024, 509, 1024), (1024, 1000, 1024), (1024, 1020, 1024),
    (64 << 10, 0, 256), (64 << 10, 1000, 1024), (64 << 10, 1020, 1024), (64 << 10, 1021, 2048), (64 << 10, 1100, 2048),
    (64 << 10, 40_000, 65_536), (64 << 10, 65_532, 65_536),
    // A chunk size that is not a power of two caps the last bucket.
    (1500, 600, 1024), (1500, 1021, 1500), (1500, 1496, 1500),
  ]

  @Test("the final chunk is padded to a power of two of at least 256 bytes, at most the chunk size", arguments: padding)
  func paddedFinalLength(chunkSize: UInt32, tail: Int, expected: Int) {
    let n = ObjectHeader(chunkSize: chunkSize, revision: 0).paddedFinalLength(tail: tail)
    #expect(n == expected)
    #expect(n >= tail + ObjectHeader.trailerSize)
    #expect(n <= Int(chunkSize))
  }

  @Test("the size constants add up to the smallest object of 313 bytes")
  func sizes() {
    #expect(ObjectHeader.trailerSize == 4)
    #expect(ObjectHeader.lengthPrefixSize == 4)
    #expect(ObjectHeader.minimumFinalChunk == 256)
    #expect(ObjectHeader.chunkSizeRange == 1024...(16 << 20))
    #expect(ObjectHeader.minimumFileSize == 12 + 24 + 4 + 256 + 17)
    #expect(ObjectHeader.minimumFileSize == 313)
  }

  /// Revision 1 (§6.8): tail + 1 (the 0x80 marker) rounded up; every tail below S fits.
  static let padding1: [(UInt32, Int, Int)] = [
    (1024, 0, 256), (1024, 255, 256), (1024, 256, 512), (1024, 511, 512), (1024, 512, 1024), (1024, 1023, 1024),
    (64 << 10, 1023, 1024), (64 << 10, 1024, 2048), (64 << 10, 65_535, 65_536), (1500, 1024, 1500), (1500, 1499, 1500),
  ]

  @Test("revision 1 pads the final block to a power of two of at least 256 bytes, at most the chunk size", arguments: padding1)
  func paddedFinalLength1(chunkSize: UInt32, tail: Int, expected: Int) {
    let n = ObjectHeader(chunkSize: chunkSize, revision: 1).paddedFinalLength(tail: tail)
    #expect(n == expected)
    #expect(n >= tail + 1 && n <= Int(chunkSize))
  }

  @Test("revision 1's smallest object is 300 bytes")
  func sizes1() {
    #expect(ObjectHeader.minimumFileSize1 == 12 + 16 + 256 + 16)
    #expect(ObjectHeader(revision: 1).minimumObjectSize == 300)
    #expect(ObjectHeader(revision: 0).minimumObjectSize == 313)
  }

  @Test("a tail that leaves no room for the trailer is a programming error")
  func tailTooLong() async {
    await #expect(processExitsWith: .failure) {
      _ = ObjectHeader(chunkSize: 1024, revision: 0).paddedFinalLength(tail: 1021)
    }
  }
}
